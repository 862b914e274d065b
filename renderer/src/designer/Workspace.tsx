// The designer's layout: canvas (with its palette) in the middle, the inspector on the right, problems
// and the live YAML below. Every part edits the one DocumentStore, so undo/redo covers them all.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { DesignerCanvas } from './canvas/index.ts';
import type { DocumentStore } from './document-store.ts';
import { Inspector, ProblemsPanel, YamlPanel } from './panels/index.ts';
import type { UiStore } from './ui-store.ts';
import { RunPanel } from '../run/RunPanel.tsx';
import type { RunStore } from '../run/run-store.ts';
import './workspace.css';

export function Workspace({ doc, ui, runs }: { doc: DocumentStore; ui: UiStore; runs?: RunStore }) {
  const panels = useStore(ui, (s) => s.panels);
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
                <RunPanel store={runs} onJumpTo={(target) => ui.getState().requestFocus(target)} />
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
