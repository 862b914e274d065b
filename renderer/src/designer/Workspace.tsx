// The designer's layout: canvas (with its palette) in the middle, the inspector on the right, problems
// and the live YAML below. Every part edits the one DocumentStore, so undo/redo covers them all.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { DesignerCanvas } from './canvas/index.ts';
import type { DocumentStore } from './document-store.ts';
import { Inspector, ProblemsPanel, YamlPanel } from './panels/index.ts';
import type { UiStore } from './ui-store.ts';
import { rememberRunModel, runErrorFocus } from './panels/run-section.ts';
import { useRunBridge } from '../run/run-context.ts';
import { RunPanel } from '../run/RunPanel.tsx';
import type { JumpTarget } from '../run/RunPanel.tsx';
import type { RunStore } from '../run/run-store.ts';
import './workspace.css';

/**
 * Shows a run error in the editor: selects the node, opens the inspector and puts the cursor on the
 * Lua line (engine lines count within the node's code; focus requests carry file lines).
 */
export function jumpToRunError(doc: DocumentStore, ui: UiStore, target: JumpTarget): void {
  const { text, load } = doc.getState();
  ui.getState().showPanel('inspector');
  ui.getState().requestFocus(runErrorFocus(text, load.model, target.node, target.line));
}

export function Workspace({ doc, ui, runs }: { doc: DocumentStore; ui: UiStore; runs?: RunStore }) {
  const panels = useStore(ui, (s) => s.panels);
  const bridge = useRunBridge();
  const runStore = bridge?.runs ?? runs;
  // Remember the code each run started with, so a run-error marker goes away once that code changes.
  useEffect(() => {
    if (!runStore) return;
    const note = (order: readonly string[]) => {
      for (const id of order) rememberRunModel(id, doc.getState().load.model);
    };
    // Runs from before this mount keep no record: their markers show until the next run.
    return runStore.subscribe((state, previous) => {
      if (state.order !== previous.order) note(state.order.slice(previous.order.length));
    });
  }, [runStore, doc]);
  // Keep the selection pointing at things that exist: undoing a rename or deleting in the YAML panel
  // must not leave the inspector on a node that is gone.
  useEffect(
    () =>
      doc.subscribe((state, previous) => {
        if (!state.graph || state.graph === previous.graph) return;
        ui.getState().retain(
          new Set(state.graph.nodes.map((n) => n.id)),
          new Set(state.graph.edges.map((e) => e.id)),
        );
      }),
    [doc, ui],
  );
  return (
    <div className="workspace">
      <div className="workspace-center">
        <div className="workspace-canvas">
          <DesignerCanvas doc={doc} ui={ui} />
        </div>
        <div className="workspace-bottom">
          <div className="workspace-tabs">
            <button
              type="button"
              aria-pressed={panels.problems}
              onClick={() => ui.getState().togglePanel('problems')}
            >
              Problems
            </button>
            {runs && (
              <button
                type="button"
                data-testid="toggle-run"
                aria-pressed={panels.run}
                onClick={() => ui.getState().togglePanel('run')}
              >
                Run
              </button>
            )}
            <button
              type="button"
              data-testid="toggle-yaml"
              aria-pressed={panels.yaml}
              onClick={() => ui.getState().togglePanel('yaml')}
            >
              YAML
            </button>
          </div>
          <div className={`workspace-bottom-panels${panels.run && runs ? ' with-run' : ''}`}>
            {panels.run && runs && (
              <div className="workspace-run">
                <RunPanel store={runs} onJumpTo={(target) => jumpToRunError(doc, ui, target)} />
              </div>
            )}
            {panels.problems && <ProblemsPanel doc={doc} ui={ui} />}
            {panels.yaml && <YamlPanel doc={doc} ui={ui} />}
          </div>
        </div>
      </div>
      {panels.inspector && (
        <aside className="workspace-inspector">
          <Inspector doc={doc} ui={ui} />
        </aside>
      )}
    </div>
  );
}
