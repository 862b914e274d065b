// The inspector of a multi-selection: "N selected" with the bulk actions (the registry's, so keys,
// menus and these buttons do the same thing) and the selected nodes, each opening its own inspector
// while the selection stays; and, above one node's inspector, which of the N it shows.
import { useStore } from 'zustand';
import { shallow } from 'zustand/shallow';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import { ActionButton } from '../../actions/ActionButton.tsx';
import type { UiStore } from '../ui-store.ts';
import './selection-summary.css';

const isTerminal = (name: string) => name === '__start__' || name === '__end__';

export function SelectionSummary({ ui }: { ui: UiStore }) {
  const nodes = useStoreWithEqualityFn(ui, (s) => s.selection.nodes.filter((n) => !isTerminal(n)), shallow);
  const edges = useStore(ui, (s) => s.selection.edges.length);
  const focus = (name: string) => ui.getState().select({ ...ui.getState().selection, active: name });
  return (
    <div className="fp-selection" data-testid="inspector-selection">
      <h2>
        {nodes.length} node{nodes.length === 1 ? '' : 's'} selected
        {edges > 0 ? <span className="fp-hint"> · {edges} edge(s)</span> : null}
      </h2>
      <div className="fp-bulk" role="group" aria-label="Bulk actions">
        <ActionButton id="edit:duplicate" testId="bulk-duplicate">
          Duplicate
        </ActionButton>
        <ActionButton id="edit:copy" testId="bulk-copy">
          Copy
        </ActionButton>
        <ActionButton id="graph:auto-layout" testId="bulk-layout">
          Auto-layout
        </ActionButton>
        <ActionButton id="edit:delete" testId="bulk-delete">
          Delete
        </ActionButton>
      </div>
      <p className="fp-hint">Click a node on the canvas, or below, to inspect it; the selection stays.</p>
      <ul className="fp-selection-list">
        {nodes.map((name) => (
          <li key={name}>
            <button type="button" data-testid={`selection-item-${name}`} onClick={() => focus(name)}>
              {name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "lua_2 · 1 of 3 selected" above a node's inspector, with a way back to the whole selection. */
export function MultiHint({ ui, name, count }: { ui: UiStore; name: string; count: number }) {
  const index = useStore(ui, (s) => s.selection.nodes.indexOf(name));
  return (
    <div className="fp-hint fp-multi" data-testid="inspector-multi">
      <span>
        <b>{name}</b> · {index + 1} of {count} selected
      </span>
      <button
        type="button"
        className="fp-link"
        data-testid="inspector-show-selection"
        onClick={() => {
          const { active: _shown, ...rest } = ui.getState().selection;
          ui.getState().select(rest);
        }}
      >
        Show all {count}
      </button>
    </div>
  );
}
