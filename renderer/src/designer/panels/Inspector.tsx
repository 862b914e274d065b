// Inspector of the selected node (in a multi-selection: the one last clicked, else a summary of the
// selection with its bulk actions); the workflow settings when nothing is selected. Every change goes
// through doc.edit(...) so it is one undo step with a readable label.
import { useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import { shallow } from 'zustand/shallow';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import { setNodeCode, setNodeField } from '../../../../engine/workflow/edit.ts';
import { checkExpression } from '../../../../engine/expr/index.ts';
import type { NodeSpec } from '../../../../engine/workflow/types.ts';
import type { DocumentStore } from '../document-store.ts';
import { inspectedNode, type UiStore } from '../ui-store.ts';
import { MultiHint, SelectionSummary } from './SelectionSummary.tsx';
import { CodeEditor } from './CodeEditor.tsx';
import { codeMarkers, fileLineToCodeLine, otherNodeProblems } from './code-lines.ts';
import { KeyValueRows, TextField, tryEdit } from './Fields.tsx';
import {
  formatParamValue,
  LOOP_ITERATIONS_RANGE,
  mapToRows,
  parseIntField,
  parseParamValue,
  rowsToMap,
  TIMEOUT_RANGE,
} from './fields.ts';
import { GotoEditor } from './GotoEditor.tsx';
import { NodeRunSection } from './NodeRunSection.tsx';
import { codeAtRun, runErrorMarkers } from './run-section.ts';
import { runStatusIndex } from '../canvas/run-status.ts';
import { useRunBridge } from '../../run/run-context.ts';
import { BUILTIN_ACTIONS, findNodeSpec, gotoTargets, KIND_LABEL } from './nodes.ts';
import { problemText } from './problems.ts';
import { EdgeInspector } from './EdgeInspector.tsx';
import { llmActionOf } from './llm-form.ts';
import { LlmNodeForm } from './LlmNodeForm.tsx';
import { WorkflowSettings } from './WorkflowSettings.tsx';
import { NO_RUNS, NO_VIEW } from './run-stores.ts';
import './panels.css';

export function Inspector({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const selected = useStore(ui, (s) => inspectedNode(s.selection));
  const count = useStore(ui, (s) => s.selection.nodes.length);
  const edge = useStore(ui, (s) => (s.selection.edges.length === 1 ? s.selection.edges[0] : undefined));
  return (
    <section className="fp-panel fp-inspector" data-testid="inspector" aria-label="Inspector">
      {selected === undefined && count === 0 && edge !== undefined ? (
        <EdgeInspector key={edge} doc={doc} ui={ui} id={edge} />
      ) : selected === undefined && count > 1 ? (
        <SelectionSummary ui={ui} />
      ) : selected === undefined ? (
        <WorkflowSettings doc={doc} />
      ) : (
        <>
          {count > 1 ? <MultiHint ui={ui} name={selected} count={count} /> : null}
          <NodeInspector key={selected} doc={doc} ui={ui} name={selected} />
        </>
      )}
    </section>
  );
}

function NodeInspector({ doc, ui, name }: { doc: DocumentStore; ui: UiStore; name: string }) {
  const model = useStore(doc, (s) => s.load.model);
  const text = useStore(doc, (s) => s.text);
  const problems = useStore(doc, (s) => s.problems);
  const spec = findNodeSpec(model, name);

  if (!model) {
    return (
      <div className="fp-empty">
        <h2>{name}</h2>
        <p>The YAML has errors; fix them in the YAML panel to edit this node.</p>
      </div>
    );
  }
  if (!spec) {
    return (
      <div className="fp-empty">
        <p>Node “{name}” no longer exists.</p>
      </div>
    );
  }

  /** Sets one key of this node; undefined deletes it. */
  const setField = (key: string, value: unknown, label: string): string | null =>
    tryEdit(() =>
      doc.getState().edit((t) => setNodeField(t, name, key, value), {
        label: `${label} of ${name}`,
        coalesceKey: `field:${name}:${key}`,
      }),
    );

  const llmAction = llmActionOf(spec.uses);
  // An llm node's form shows its LLM_* problems under the fields they name.
  const others = otherNodeProblems(text, spec, problems).filter((p) => !(llmAction && /^LLM/.test(p.code)));
  return (
    <div className="fp-node">
      <header className="fp-node-head">
        <NameField doc={doc} ui={ui} name={name} />
        <span className="fp-kind" data-kind={spec.kind} data-testid="inspector-kind">
          {KIND_LABEL[spec.kind]}
          {spec.type && spec.kind === 'unsupported' ? ` (${spec.type})` : ''}
        </span>
      </header>

      {spec.kind === 'lua' || spec.kind === 'other-code' ? (
        <LuaSection doc={doc} ui={ui} spec={spec} setField={setField} />
      ) : null}
      {spec.kind === 'passthrough' ? (
        <div className="fp-section">
          <div className="fp-hint">This node has no code and no action: it passes the state on.</div>
          <button
            type="button"
            className="fp-add"
            onClick={() =>
              tryEdit(() =>
                doc
                  .getState()
                  .edit((t) => setNodeCode(setNodeField(t, name, 'language', 'lua'), name, 'return {}\n'), {
                    label: `Add Lua code to ${name}`,
                  }),
              )
            }
          >
            + Lua code
          </button>
        </div>
      ) : null}
      {spec.kind === 'action' && llmAction ? (
        <LlmNodeForm doc={doc} ui={ui} spec={spec} action={llmAction} />
      ) : spec.kind === 'action' ? (
        <ActionSection spec={spec} setField={setField} />
      ) : null}
      {spec.kind === 'while_loop' ? <WhileSection ui={ui} spec={spec} setField={setField} /> : null}

      <NodeRunSection doc={doc} ui={ui} name={name} />

      <GotoEditor doc={doc} spec={spec} targets={gotoTargets(model)} />

      <TextField
        label="Timeout (ms)"
        value={spec.timeoutMs === undefined ? '' : String(spec.timeoutMs)}
        inputMode="numeric"
        placeholder="workflow default"
        hint="Fanout extension (timeout_ms); TEA ignores it."
        testId="inspector-timeout"
        onCommit={(v) => {
          const parsed = parseIntField(v, 'Timeout', TIMEOUT_RANGE);
          return parsed.ok ? setField('timeout_ms', parsed.value, 'Set timeout') : parsed.error;
        }}
      />

      {others.length > 0 ? (
        <div className="fp-section fp-node-problems" data-testid="inspector-problems">
          <h3>Problems</h3>
          <ul>
            {others.map((p, i) => (
              <li key={i} data-severity={p.severity}>
                <button
                  type="button"
                  onClick={() => ui.getState().requestFocus({ node: name, line: p.line })}
                >
                  {problemText(p)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

/** Rename on Enter/blur; references follow (renameNode). Errors are shown and nothing changes. */
function NameField({ doc, ui, name }: { doc: DocumentStore; ui: UiStore; name: string }) {
  const id = useId();
  const [draft, setDraft] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    const next = draft.trim();
    if (next === name) {
      setDraft(name);
      setError(null);
      return;
    }
    const failed = tryEdit(() =>
      doc.getState().edit((t) => setNodeField(t, name, 'name', next), { label: `Rename ${name} to ${next}` }),
    );
    setError(failed);
    // The inspector is keyed by name: selecting the new name shows it again, now under that name.
    if (failed === null) ui.getState().select({ nodes: [next], edges: [] });
  };
  return (
    <div className="fp-field fp-name">
      <label htmlFor={id}>Name</label>
      <input
        id={id}
        data-testid="inspector-name"
        value={draft}
        aria-invalid={error !== null}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(name);
            setError(null);
          }
        }}
      />
      {error !== null ? (
        <div className="fp-error" role="alert" data-testid="inspector-name-error">
          {error}
        </div>
      ) : null}
    </div>
  );
}

type SetField = (key: string, value: unknown, label: string) => string | null;

/** Highest ui focus request seq an editor already scrolled to (module-wide: one inspector at a time). */
let consumedFocusSeq = 0;

/** The node's error in the canvas run (the latest run of this file), if it failed there. */
function useRunFailure(
  node: string,
): { runId: string; error: string | undefined; line: number | undefined } | null {
  const bridge = useRunBridge();
  const runId = useStore(bridge?.view ?? NO_VIEW, (s) => s.canvasRunId);
  return useStoreWithEqualityFn(
    bridge?.runs ?? NO_RUNS,
    (s) => {
      const run = runId ? s.runs[runId] : undefined;
      const status = run ? runStatusIndex(run).nodes.get(node) : undefined;
      return status?.error !== undefined && runId ? { runId, error: status.error, line: status.line } : null;
    },
    shallow,
  );
}

function LuaSection({
  doc,
  ui,
  spec,
  setField,
}: {
  doc: DocumentStore;
  ui: UiStore;
  spec: NodeSpec;
  setField: SetField;
}) {
  const text = useStore(doc, (s) => s.text);
  const problems = useStore(doc, (s) => s.problems);
  const focus = useStore(ui, (s) => s.focus);
  const [error, setError] = useState<string | null>(null);
  const runFailure = useRunFailure(spec.name);
  const markers = [
    ...codeMarkers(text, spec, problems),
    ...runErrorMarkers(
      runFailure,
      spec.run ?? '',
      runFailure ? codeAtRun(runFailure.runId, spec.name) : undefined,
    ),
  ];
  // A focus request is acted on once: re-opening the node later must not jump (and steal focus) again.
  const fresh = focus !== null && focus.seq > consumedFocusSeq;
  const focusLine =
    fresh && focus.node === spec.name && focus.line !== undefined
      ? fileLineToCodeLine(text, spec, focus.line)
      : null;
  useEffect(() => {
    if (focusLine !== null && focus) consumedFocusSeq = Math.max(consumedFocusSeq, focus.seq);
  }, [focusLine, focus]);
  return (
    <div className="fp-section">
      <div className="fp-section-head">
        <h3>Code</h3>
        {spec.language === undefined ? (
          <button
            type="button"
            className="fp-add"
            title="TEA Python runs unmarked code as Python; language: lua makes it Lua everywhere"
            onClick={() => setError(setField('language', 'lua', 'Set language'))}
          >
            + language: lua
          </button>
        ) : (
          <span className="fp-hint">language: {spec.language}</span>
        )}
      </div>
      <CodeEditor
        language="lua"
        value={spec.run ?? ''}
        markers={markers}
        ariaLabel={`Lua code of ${spec.name}`}
        scrollTo={focusLine !== null && focus ? { line: focusLine, seq: focus.seq, focus: true } : null}
        onUndo={() => doc.getState().undo()}
        onRedo={() => doc.getState().redo()}
        onChange={(code) =>
          setError(
            tryEdit(() =>
              doc.getState().edit((t) => setNodeCode(t, spec.name, code), {
                label: `Edit code of ${spec.name}`,
                coalesceKey: `code:${spec.name}`,
              }),
            ),
          )
        }
      />
      {error !== null ? <div className="fp-error">{error}</div> : null}
    </div>
  );
}

function ActionSection({ spec, setField }: { spec: NodeSpec; setField: SetField }) {
  const usesKey = spec.raw.uses === undefined && spec.raw.action !== undefined ? 'action' : 'uses';
  return (
    <div className="fp-section">
      <TextField
        label="Uses"
        value={spec.uses ?? ''}
        list="fp-builtin-actions"
        placeholder="json.parse"
        testId="inspector-uses"
        monospace
        onCommit={(v) =>
          v.trim() === '' ? 'An action node needs an action name' : setField(usesKey, v.trim(), 'Set action')
        }
      />
      <datalist id="fp-builtin-actions">
        {BUILTIN_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <KeyValueRows
        label="With"
        testId="inspector-with"
        rows={mapToRows(spec.raw.with, formatParamValue)}
        valuePlaceholder="{{ state.x }}"
        onCommit={(rows) => {
          const parsed = rowsToMap(rows, parseParamValue);
          return parsed.ok ? setField('with', parsed.value, 'Set parameters') : parsed.error;
        }}
      />
      <TextField
        label="Output"
        value={spec.output ?? ''}
        placeholder="state key for the result"
        testId="inspector-output"
        monospace
        onCommit={(v) => setField('output', v.trim() === '' ? undefined : v.trim(), 'Set output')}
      />
    </div>
  );
}

function WhileSection({ ui, spec, setField }: { ui: UiStore; spec: NodeSpec; setField: SetField }) {
  return (
    <div className="fp-section">
      <TextField
        label="Condition"
        value={spec.condition ?? ''}
        placeholder="state.count < 10"
        testId="inspector-condition"
        monospace
        onCommit={(v) => {
          const checked = checkExpression(v);
          if (!checked.ok) return `Condition: ${checked.message} (column ${checked.col})`;
          return setField('condition', v.trim(), 'Set loop condition');
        }}
      />
      <TextField
        label="Max iterations"
        value={spec.maxIterations === undefined ? '' : String(spec.maxIterations)}
        inputMode="numeric"
        placeholder="1–1000"
        testId="inspector-max-iterations"
        onCommit={(v) => {
          const parsed = parseIntField(v, 'Max iterations', LOOP_ITERATIONS_RANGE);
          if (!parsed.ok) return parsed.error;
          if (parsed.value === undefined) return 'A while loop needs max_iterations (1–1000)';
          return setField('max_iterations', parsed.value, 'Set max iterations');
        }}
      />
      <div className="fp-field">
        <span className="fp-label">Body</span>
        {spec.body && spec.body.length > 0 ? (
          <ol className="fp-body" data-testid="inspector-body">
            {spec.body.map((n) => (
              <li key={n.name}>
                <button type="button" onClick={() => ui.getState().select({ nodes: [n.name], edges: [] })}>
                  {n.name}
                </button>
                <span className="fp-hint"> {KIND_LABEL[n.kind]}</span>
              </li>
            ))}
          </ol>
        ) : (
          <div className="fp-hint">The body is empty.</div>
        )}
      </div>
    </div>
  );
}
