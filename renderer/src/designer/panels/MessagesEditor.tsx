// The messages of a chat call: one card per message (role, content in a small CodeMirror editor that
// completes `{{ state.… }}` and filters), add / remove / reorder by drag or Alt+↑/↓ on the handle.
// A content or role edit changes only that message's key in the YAML; add, remove and reorder touch
// only the items they move (the others keep their text). TEA's `prompt:` (+ `system:`) shorthand gets its own two editors and a converter.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { CodeEditor } from './CodeEditor.tsx';
import { MESSAGE_ROLES, messagesValue, promptToMessages } from './llm-form.ts';
import type { MessageItem, MessagesForm } from './llm-form.ts';
import type { TemplateCompletion } from './template-completion.ts';

export interface MessagesEditorProps {
  form: MessagesForm;
  /** Sets a path under `with:` (undefined deletes); returns an error or null. */
  onSetPath: (path: (string | number)[], value: unknown, label: string) => string | null;
  /** List changes that leave the other messages' text as written (comments, flow or block form). */
  onAppend: (message: MessageItem) => string | null;
  onRemove: (index: number) => string | null;
  onMove: (from: number, to: number) => string | null;
  /** Several keys of `with:` at once (converting prompt to messages), one undo step. */
  onSetMany: (changes: [string, unknown][], label: string) => string | null;
  complete: (before: string, explicit: boolean) => TemplateCompletion | null;
  onUndo: () => void;
  onRedo: () => void;
  /** Validation problems by part: 'messages' or 'messages.<i>'. */
  problems: ReadonlyMap<string, ReactNode>;
}

export function MessagesEditor(props: MessagesEditorProps) {
  const [error, setError] = useState<string | null>(null);
  const { form } = props;
  const general = props.problems.get('messages');
  if (form.form === 'raw') {
    return (
      <div className="fp-field" data-testid="llm-messages">
        <span className="fp-label">Messages</span>
        <div className="llm-raw fp-mono" data-testid="llm-messages-raw">
          {form.text}
        </div>
        <div className="fp-hint">
          A template or a list with extra keys (tool_calls, name): edit it in the YAML panel.
        </div>
        {general}
      </div>
    );
  }
  if (form.form === 'prompt') return <PromptEditor {...props} form={form} />;

  const items = form.items;
  const move = (from: number, to: number) => {
    if (to < 0 || to >= items.length || to === from) return;
    setError(props.onMove(from, to));
    // Keep keyboard focus on the moved message's handle.
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-testid="llm-message-handle-${to}"]`)?.focus(),
    );
  };
  return (
    <div className="fp-field llm-messages" data-testid="llm-messages">
      <div className="llm-field-head">
        <span className="fp-label">Messages</span>
        <span className="fp-hint">Type {'{{ state.'} for the state keys · Ctrl+Space</span>
      </div>
      <ol className="llm-message-list" aria-label="Messages">
        {items.map((m, i) => (
          <MessageCard
            key={i}
            index={i}
            count={items.length}
            message={m}
            props={props}
            onMove={move}
            onRemove={() => setError(props.onRemove(i))}
            onRole={(role) => setError(props.onSetPath(['messages', i, 'role'], role, 'Set message role'))}
          />
        ))}
      </ol>
      <button
        type="button"
        className="fp-add"
        data-testid="llm-message-add"
        onClick={() =>
          setError(props.onAppend({ role: items.length === 0 ? 'system' : 'user', content: '' }))
        }
      >
        + Message
      </button>
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        general
      )}
    </div>
  );
}

function MessageCard({
  index,
  count,
  message,
  props,
  onMove,
  onRemove,
  onRole,
}: {
  index: number;
  count: number;
  message: MessageItem;
  props: MessagesEditorProps;
  onMove: (from: number, to: number) => void;
  onRemove: () => void;
  onRole: (role: string) => void;
}) {
  const [dropTarget, setDropTarget] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const roles: string[] = [...MESSAGE_ROLES];
  if (!roles.includes(message.role)) roles.push(message.role);
  return (
    <li
      className="llm-message"
      data-testid={`llm-message-${index}`}
      data-role={message.role}
      data-drop={dropTarget ? 'true' : undefined}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('application/x-fanout-message')) return;
        e.preventDefault();
        setDropTarget(true);
      }}
      onDragLeave={() => setDropTarget(false)}
      onDrop={(e) => {
        setDropTarget(false);
        const from = Number(e.dataTransfer.getData('application/x-fanout-message'));
        if (Number.isInteger(from)) onMove(from, index);
      }}
    >
      <div className="llm-message-head">
        <button
          type="button"
          className="fp-icon llm-handle"
          draggable
          data-testid={`llm-message-handle-${index}`}
          aria-label={`Message ${index + 1} of ${count}: drag, or Alt+Up / Alt+Down to move`}
          title="Drag to reorder (Alt+↑ / Alt+↓)"
          onDragStart={(e) => {
            e.dataTransfer.setData('application/x-fanout-message', String(index));
            e.dataTransfer.effectAllowed = 'move';
          }}
          onKeyDown={(e) => {
            if (e.altKey && e.key === 'ArrowUp') {
              e.preventDefault();
              onMove(index, index - 1);
            } else if (e.altKey && e.key === 'ArrowDown') {
              e.preventDefault();
              onMove(index, index + 1);
            }
          }}
        >
          ⠿
        </button>
        <select
          value={message.role}
          aria-label={`Role of message ${index + 1}`}
          data-testid={`llm-message-role-${index}`}
          onChange={(e) => onRole(e.target.value)}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <span className="fp-spacer" />
        <button
          type="button"
          className="fp-icon"
          aria-label={`Move message ${index + 1} up`}
          title="Move up"
          disabled={index === 0}
          onClick={() => onMove(index, index - 1)}
        >
          ↑
        </button>
        <button
          type="button"
          className="fp-icon"
          aria-label={`Move message ${index + 1} down`}
          title="Move down"
          disabled={index === count - 1}
          onClick={() => onMove(index, index + 1)}
        >
          ↓
        </button>
        <button
          type="button"
          className="fp-icon"
          aria-label={`Remove message ${index + 1}`}
          title="Remove"
          data-testid={`llm-message-remove-${index}`}
          onClick={onRemove}
        >
          ×
        </button>
      </div>
      <CodeEditor
        language="text"
        compact
        value={message.content}
        placeholder={message.role === 'system' ? 'Instructions for the model' : '{{ state.question }}'}
        ariaLabel={`Content of message ${index + 1} (${message.role})`}
        testId={`llm-message-content-${index}`}
        complete={props.complete}
        onUndo={props.onUndo}
        onRedo={props.onRedo}
        onChange={(content) =>
          setError(props.onSetPath(['messages', index, 'content'], content, 'Edit message'))
        }
      />
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        props.problems.get(`messages.${index}`)
      )}
    </li>
  );
}

function PromptEditor(props: MessagesEditorProps & { form: Extract<MessagesForm, { form: 'prompt' }> }) {
  const [error, setError] = useState<string | null>(null);
  const { form } = props;
  return (
    <div className="fp-field llm-messages" data-testid="llm-prompt">
      <div className="llm-field-head">
        <span className="fp-label">Prompt (TEA shorthand for one user message)</span>
        <button
          type="button"
          className="fp-add"
          data-testid="llm-prompt-convert"
          onClick={() =>
            setError(
              props.onSetMany(
                [
                  ['prompt', undefined],
                  ['system', undefined],
                  ['messages', messagesValue(promptToMessages(form.prompt, form.system))],
                ],
                'Convert prompt to messages',
              ),
            )
          }
        >
          Convert to messages
        </button>
      </div>
      <span className="fp-label">System</span>
      <CodeEditor
        language="text"
        compact
        value={form.system ?? ''}
        placeholder="(none)"
        ariaLabel="System message"
        complete={props.complete}
        onUndo={props.onUndo}
        onRedo={props.onRedo}
        onChange={(v) => setError(props.onSetPath(['system'], v === '' ? undefined : v, 'Edit system'))}
      />
      <span className="fp-label">Prompt</span>
      <CodeEditor
        language="text"
        compact
        value={form.prompt}
        ariaLabel="Prompt"
        testId="llm-prompt-content"
        complete={props.complete}
        onUndo={props.onUndo}
        onRedo={props.onRedo}
        onChange={(v) => setError(props.onSetPath(['prompt'], v, 'Edit prompt'))}
      />
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
