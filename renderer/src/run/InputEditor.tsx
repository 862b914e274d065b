// The run input editor: a popover with the JSON the next Run starts from (default: the document's
// initial_state), validated as the user types and remembered per file (run-session.ts).
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { WorkflowModel } from '../../../engine/workflow/types.ts';
import { inputTextOf, parseRunInput } from './run-controller.ts';
import type { FileKey, RunSessionStore } from './run-session.ts';

export interface InputEditorProps {
  session: RunSessionStore;
  file: FileKey;
  model: WorkflowModel | null;
  onClose: () => void;
  onRun: () => void;
}

export function InputEditor({ session, file, model, onClose, onRun }: InputEditorProps) {
  const typed = useStore(session, (s) => s.inputs[file]);
  const checkActions = useStore(session, (s) => s.checkActions);
  const text = inputTextOf(typed === undefined ? {} : { [file]: typed }, file, model);
  const check = parseRunInput(text);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  return (
    <div
      className="rc-popover"
      role="dialog"
      aria-label="Run input"
      data-testid="run-input-editor"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="rc-popover-head">
        <strong>Run input</strong>
        <small>
          {typed === undefined ? 'initial_state of the document' : 'edited, remembered for this file'}
        </small>
        <button type="button" className="rc-close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <textarea
        ref={area}
        className="rc-json"
        data-testid="run-input-text"
        spellCheck={false}
        value={text}
        rows={10}
        aria-invalid={!check.ok}
        onChange={(event) => session.getState().setInput(file, event.target.value)}
      />
      <p
        className={check.ok ? 'rc-check rc-check-ok' : 'rc-check rc-check-bad'}
        data-testid="run-input-message"
      >
        {check.ok ? 'Valid JSON object. Merged over initial_state when the run starts.' : check.message}
      </p>
      <label className="rc-check-actions" title="Otherwise the run starts and fails at such a node">
        <input
          type="checkbox"
          data-testid="run-check-actions"
          checked={checkActions}
          onChange={(event) => session.getState().setCheckActions(event.target.checked)}
        />
        Refuse to start if an action is not available in Fanout (lists them)
      </label>
      <div className="rc-popover-actions">
        <button
          type="button"
          data-testid="run-input-reset"
          disabled={typed === undefined}
          onClick={() => session.getState().resetInput(file)}
          title="Forget the edited input: runs start from initial_state again"
        >
          Reset to initial_state
        </button>
        <button
          type="button"
          className="rc-primary"
          disabled={!check.ok}
          onClick={onRun}
          title="Run (Ctrl+Enter)"
        >
          Run with this input
        </button>
      </div>
    </div>
  );
}
