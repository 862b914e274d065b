// Inspector of the selected edge (beside the node inspector): its kind — sequential, conditional,
// parallel — changeable here, the condition with live validation against engine/expr, the target,
// the fan-in of a fan-out, and delete. Kinds an edge cannot take are shown disabled with the reason.
import { useState } from 'react';
import { useStore } from 'zustand';
import { applyGraphEdit, editableKind } from '../../../../engine/workflow/graph-edit.ts';
import type { EdgeKind, GraphEdit } from '../../../../engine/workflow/graph-edit.ts';
import { END, START } from '../../../../engine/workflow/types.ts';
import type { GraphEdge, WorkflowGraph } from '../../../../engine/workflow/types.ts';
import { ConditionField } from '../canvas/ConditionField.tsx';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import '../canvas/structure.css';

const KINDS: { kind: EdgeKind; label: string; hint: string }[] = [
  { kind: 'sequential', label: 'Sequential', hint: 'Always goes on to the target' },
  { kind: 'conditional', label: 'Conditional', hint: 'Goes to the target when the condition holds' },
  { kind: 'parallel', label: 'Parallel', hint: 'The target runs as a branch of a fan-out' },
];

const nameOf = (n: string) => (n === END ? 'End' : n === START ? 'Start' : n);

/** Why `edge` cannot become `kind` (null when it can), and what the change replaces. */
export function kindNote(
  graph: WorkflowGraph,
  edge: GraphEdge,
  kind: EdgeKind,
): { disabled?: string; note?: string } {
  const current = editableKind(edge);
  if (current === kind) return {};
  const fo = graph.fanOuts.find((f) => f.source === edge.source);
  if (current === 'parallel' && fo && fo.branches.length > 1)
    return { disabled: `${edge.source} fans out to ${fo.branches.length} branches; remove the others first` };
  if (kind === 'parallel' && edge.target === END) return { disabled: 'End cannot be a parallel branch' };
  if (kind === 'parallel') {
    const conditions = graph.edges.filter(
      (e) => e.source === edge.source && e.kind === 'conditional' && !e.fallback && e.id !== edge.id,
    );
    if (conditions.length > 0 && !fo) return { disabled: `${edge.source} also routes by conditions` };
  }
  if (kind === 'sequential' && current === 'conditional') {
    const way = graph.edges.find(
      (e) => e.source === edge.source && e.id !== edge.id && (e.kind === 'sequential' || e.fallback),
    );
    if (way && way.target !== edge.target)
      return { note: `Replaces the default way on → ${nameOf(way.target)}` };
  }
  return {};
}

export function EdgeInspector({ doc, ui, id }: { doc: DocumentStore; ui: UiStore; id: string }) {
  const graph = useStore(doc, (s) => s.graph);
  const [error, setError] = useState<string | null>(null);
  const edge = graph?.edges.find((e) => e.id === id);
  if (!graph || !edge) {
    return (
      <div className="fp-empty">
        <p>
          {graph ? 'This edge is no longer in the document.' : 'The YAML has errors; fix them to edit edges.'}
        </p>
      </div>
    );
  }
  const run = (edit: GraphEdit, label: string, reselect?: (g: WorkflowGraph) => GraphEdge | undefined) => {
    try {
      doc.getState().edit((t) => applyGraphEdit(t, edit).text, { label });
      setError(null);
      const next = doc.getState().graph;
      const again = next && reselect ? reselect(next) : undefined;
      ui.getState().select({ nodes: [], edges: again ? [again.id] : [] });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  /** After an edit the edge's id may change (a rule became a fan-out entry): find it by its ends. */
  const same = (target: string) => (g: WorkflowGraph) =>
    g.edges.find((e) => e.source === edge.source && e.target === target);
  const kind = editableKind(edge);
  const fo = graph.fanOuts.find((f) => f.source === edge.source);
  const targets = graph.nodes.filter((n) => n.id !== START && n.id !== edge.source).map((n) => n.id);
  const fanInChoices = fo
    ? graph.nodes.filter((n) => n.spec && n.id !== fo.source && !fo.branches.includes(n.id)).map((n) => n.id)
    : [];
  const fixed = kind === 'entry' || kind === 'fan-in';

  return (
    <div className="fs-edge-inspector" data-testid="edge-inspector" data-edge-kind={kind}>
      <h2>
        {nameOf(edge.source)} → {nameOf(edge.target)}
      </h2>
      {fixed ? (
        <div className="fp-hint" data-testid="edge-inspector-fixed">
          {kind === 'entry'
            ? 'The entry edge: the run starts here. Draw an edge from Start to another node to move it.'
            : `Joins the fan-in ${edge.target} of ${graph.fanOuts.find((f) => f.fanIn === edge.target)?.source ?? 'a fan-out'}: the branch ends here.`}
        </div>
      ) : (
        <fieldset className="fp-section fs-edge-kinds">
          <legend>Kind</legend>
          {KINDS.map(({ kind: k, label, hint }) => {
            const { disabled, note } = kindNote(graph, edge, k);
            return (
              <label
                key={k}
                className={disabled ? 'fs-kind fs-disabled' : 'fs-kind'}
                title={disabled ?? hint}
              >
                <input
                  type="radio"
                  name={`edge-kind-${id}`}
                  value={k}
                  data-testid={`edge-kind-${k}`}
                  checked={kind === k}
                  disabled={disabled !== undefined}
                  onChange={() => {
                    if (k === 'conditional')
                      run(
                        { type: 'set-edge-kind', edge, kind: k, condition: 'state.ok' },
                        'Make the edge conditional',
                        same(edge.target),
                      );
                    else
                      run({ type: 'set-edge-kind', edge, kind: k }, `Make the edge ${k}`, same(edge.target));
                  }}
                />
                <span>
                  {label}
                  <small>{disabled ?? note ?? hint}</small>
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {kind === 'conditional' && (
        <div className="fp-section">
          <ConditionField
            key={`${edge.id}:${edge.condition ?? ''}`}
            initial={edge.condition ?? ''}
            testId="edge-inspector-condition"
            onApply={(condition) =>
              run(
                { type: 'set-edge-kind', edge, kind: 'conditional', condition },
                'Edit condition',
                same(edge.target),
              )
            }
          />
        </div>
      )}
      {!fixed && (
        <div className="fp-section fp-field">
          <label htmlFor={`edge-target-${id}`}>Target</label>
          <select
            id={`edge-target-${id}`}
            data-testid="edge-inspector-target"
            value={edge.target}
            onChange={(event) => {
              const target = event.target.value;
              run({ type: 'set-edge-target', edge, target }, 'Change the edge target', same(target));
            }}
          >
            {targets.map((t) => (
              <option key={t} value={t}>
                {nameOf(t)}
              </option>
            ))}
          </select>
        </div>
      )}
      {kind === 'parallel' && fo && (
        <div className="fp-section fp-field">
          <label htmlFor={`edge-fanin-${id}`}>Fan-in of {fo.source}</label>
          <select
            id={`edge-fanin-${id}`}
            data-testid="edge-inspector-fan-in"
            value={fo.fanIn ?? ''}
            onChange={(event) =>
              run(
                { type: 'set-fan-in', source: fo.source, fanIn: event.target.value },
                'Set the fan-in',
                same(edge.target),
              )
            }
          >
            {fo.fanIn === null && <option value="">— not set: the branches do not meet —</option>}
            {fanInChoices.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && (
        <div className="fp-error" role="alert" data-testid="edge-inspector-error">
          {error}
        </div>
      )}
      {kind !== 'entry' && (
        <div className="fp-section">
          <button
            type="button"
            data-testid="edge-inspector-delete"
            onClick={() => run({ type: 'disconnect', edge }, 'Delete edge')}
          >
            Delete edge
          </button>
        </div>
      )}
    </div>
  );
}
