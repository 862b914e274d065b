// The designer's layout: canvas (with its palette) in the middle, the inspector on the right, the run,
// problems and live YAML panels below. Every part edits the one DocumentStore, so undo/redo covers them
// all. Splitters come from react-resizable-panels: sizes and collapsed states are remembered per layout.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { Group, Panel, Separator, useDefaultLayout, usePanelRef } from 'react-resizable-panels';
import { useStore } from 'zustand';
import { BOTTOM_MIN_PX, visibleBottomPanels, type BottomId } from './bottom-panels.ts';
import { DesignerCanvas } from './canvas/index.ts';
import type { DocumentStore } from './document-store.ts';
import { layoutStorage } from './layout-storage.ts';
import { Inspector, ProblemsPanel, YamlPanel } from './panels/index.ts';
import type { PanelId, UiStore } from './ui-store.ts';
import { rememberRunModel, runErrorFocus } from './panels/run-section.ts';
import { useRunBridge } from '../run/run-context.ts';
import { RunPanel } from '../run/RunPanel.tsx';
import { BatchPanel } from '../batch/BatchPanel.tsx';
import type { HostApi } from '../../../engine/host/types.ts';
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

/** Height of the bottom tab bar: the bottom area collapses to exactly this. */
const TAB_BAR_PX = 34;
/** Width of the inspector's collapsed strip. */
const STRIP_PX = 34;

const BOTTOM_LABELS: Record<BottomId, string> = {
  run: 'Run',
  batch: 'Batch',
  problems: 'Problems',
  yaml: 'YAML',
};

/** Keeps a collapsible panel and its ui-store flag in step, in both directions. */
function useCollapseSync(
  ui: UiStore,
  ref: ReturnType<typeof usePanelRef>,
  isOpen: (panels: Record<PanelId, boolean>) => boolean,
  setOpen: (open: boolean) => void,
) {
  // On mount only, the remembered layout wins: a panel collapsed before the reload stays collapsed.
  useLayoutEffect(() => {
    const collapsed = ref.current?.isCollapsed();
    if (collapsed !== undefined && collapsed === isOpen(ui.getState().panels)) setOpen(!collapsed);
  }, []);
  // Later the store drives the panel (commands, a run that shows its panel).
  useEffect(
    () =>
      ui.subscribe((s, p) => {
        const open = isOpen(s.panels);
        if (open === isOpen(p.panels) || !ref.current) return;
        if (open && ref.current.isCollapsed()) ref.current.expand();
        if (!open && !ref.current.isCollapsed()) ref.current.collapse();
      }),
    [ui, ref, isOpen],
  );
}

// Memoised: its props are stores (stable for the window's life), so the App's re-renders on a run's
// start and end (status, canvas run) do not re-render every panel and form under it.
export const Workspace = memo(function Workspace({
  doc,
  ui,
  runs,
  host,
}: {
  doc: DocumentStore;
  ui: UiStore;
  runs?: RunStore;
  /** The host, for the Batch tab (shown when the host runs batches). */
  host?: HostApi;
}) {
  const panels = useStore(ui, (s) => s.panels);
  const bottomCollapsed = useStore(ui, (s) => !s.panels.bottom);
  const bridge = useRunBridge();
  const runStore = bridge?.runs ?? runs;
  const storage = layoutStorage();
  const batchApi = runs ? host?.batch : undefined;
  const open: BottomId[] = (['run', 'batch', 'problems', 'yaml'] as const).filter(
    (id) => panels[id] && (id !== 'run' || !!runs) && (id !== 'batch' || !!batchApi),
  );
  // Too narrow for every open panel side by side: the tabs switch between them (bottom-panels.ts).
  const [active, setActive] = useState<BottomId | null>(null);
  const tabsRef = useRef<HTMLDivElement>(null);
  const [bottomWidth, setBottomWidth] = useState(Infinity);
  useEffect(() => {
    const el = tabsRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => setBottomWidth(entry?.contentRect.width ?? Infinity));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const visible = visibleBottomPanels(open, active, bottomWidth);
  const tabbed = visible.length < open.length;
  const mainLayout = useDefaultLayout({ id: 'fanout.layout.main', storage });
  const centreLayout = useDefaultLayout({ id: 'fanout.layout.centre', storage });
  const bottomLayout = useDefaultLayout({
    id: 'fanout.layout.bottom',
    panelIds: visible.map((id) => `${id}-area`),
    storage,
  });
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
  const inspectorRef = usePanelRef();
  const bottomRef = usePanelRef();

  const setPanel = useCallback(
    (panel: PanelId, value: boolean) => ui.getState().setPanel(panel, value),
    [ui],
  );
  useCollapseSync(
    ui,
    inspectorRef,
    useCallback((p) => p.inspector, []),
    useCallback((value) => setPanel('inspector', value), [setPanel]),
  );
  useCollapseSync(
    ui,
    bottomRef,
    useCallback((p) => p.bottom, []),
    useCallback((value) => setPanel('bottom', value), [setPanel]),
  );
  // A panel turned on shows the bottom area; the last one turned off folds it to its tab bar.
  useEffect(
    () =>
      ui.subscribe((s, p) => {
        const ids = ['run', 'batch', 'problems', 'yaml'] as const;
        const turnedOn = ids.find((id) => s.panels[id] && !p.panels[id]);
        if (turnedOn) setActive(turnedOn);
        const shown = turnedOn !== undefined;
        const none = ids.every((id) => !s.panels[id]);
        if (shown && !s.panels.bottom) s.setPanel('bottom', true);
        else if (none && s.panels.bottom) s.setPanel('bottom', false);
      }),
    [ui],
  );

  /**
   * A tab click never hides a panel unseen: on a folded bottom area it unfolds it, and when the tabs
   * switch between panels it brings an open but hidden one forward. Otherwise it toggles the panel.
   */
  const onTab = (id: BottomId) => {
    const state = ui.getState();
    if (!state.panels.bottom && state.panels[id]) {
      setActive(id);
      state.setPanel('bottom', true);
    } else if (state.panels[id] && !visible.includes(id)) setActive(id);
    else state.togglePanel(id);
  };
  const onPanelResize = (panel: 'inspector' | 'bottom') => () => {
    const ref = panel === 'inspector' ? inspectorRef : bottomRef;
    const collapsed = ref.current?.isCollapsed();
    // A drag past the minimum collapses it: the store follows what the user did.
    if (collapsed !== undefined && ui.getState().panels[panel] === collapsed) setPanel(panel, !collapsed);
  };

  return (
    <Group className="workspace" orientation="horizontal" {...mainLayout}>
      <Panel id="centre-area" minSize="320px" className="workspace-centre-panel">
        <Group className="workspace-center" orientation="vertical" {...centreLayout}>
          <Panel id="canvas-area" minSize="160px" className="workspace-canvas">
            <DesignerCanvas doc={doc} ui={ui} />
          </Panel>
          <Separator className="workspace-separator" aria-label="Resize the bottom panels" />
          <Panel
            id="bottom-area"
            panelRef={bottomRef}
            collapsible
            collapsedSize={`${TAB_BAR_PX}px`}
            minSize="140px"
            defaultSize="34%"
            className="workspace-bottom"
            onResize={onPanelResize('bottom')}
          >
            <div className="workspace-tabs" role="toolbar" aria-label="Bottom panels" ref={tabsRef}>
              {(['problems', 'run', 'batch', 'yaml'] as const).map((id) =>
                (id === 'run' && !runs) || (id === 'batch' && !batchApi) ? null : (
                  <button
                    key={id}
                    type="button"
                    data-testid={`toggle-${id}`}
                    aria-pressed={panels[id] && (!tabbed || visible.includes(id))}
                    data-open={panels[id] || undefined}
                    title={`${visible.includes(id) && !bottomCollapsed ? 'Hide' : 'Show'} the ${BOTTOM_LABELS[id]} panel`}
                    onClick={() => onTab(id)}
                  >
                    {BOTTOM_LABELS[id]}
                  </button>
                ),
              )}
              <span className="workspace-tabs-spacer" />
              <button
                type="button"
                className="workspace-fold"
                data-testid="bottom-collapse"
                aria-expanded={!bottomCollapsed}
                aria-label={bottomCollapsed ? 'Restore the bottom panels' : 'Collapse the bottom panels'}
                title={bottomCollapsed ? 'Restore the bottom panels' : 'Collapse the bottom panels'}
                onClick={() => setPanel('bottom', bottomCollapsed)}
              >
                {bottomCollapsed ? '▴' : '▾'}
              </button>
            </div>
            {!bottomCollapsed && visible.length > 0 && (
              <Group className="workspace-bottom-panels" orientation="horizontal" {...bottomLayout}>
                {visible.map((id, index) => (
                  <BottomPanel key={id} id={id} first={index === 0}>
                    {id === 'run' && runs ? (
                      <RunPanel store={runs} onJumpTo={(target) => jumpToRunError(doc, ui, target)} />
                    ) : id === 'batch' && batchApi ? (
                      <BatchPanel api={batchApi} doc={doc} ui={ui} />
                    ) : id === 'problems' ? (
                      <ProblemsPanel doc={doc} ui={ui} />
                    ) : (
                      <YamlPanel doc={doc} ui={ui} />
                    )}
                  </BottomPanel>
                ))}
              </Group>
            )}
          </Panel>
        </Group>
      </Panel>
      <Separator className="workspace-separator" aria-label="Resize the inspector" />
      <Panel
        id="inspector-area"
        panelRef={inspectorRef}
        collapsible
        collapsedSize={`${STRIP_PX}px`}
        minSize="280px"
        maxSize="60%"
        defaultSize="384px"
        groupResizeBehavior="preserve-pixel-size"
        className="workspace-inspector"
        onResize={onPanelResize('inspector')}
      >
        {panels.inspector ? (
          <>
            <button
              type="button"
              className="workspace-fold workspace-inspector-fold"
              data-testid="inspector-collapse"
              aria-expanded
              aria-label="Collapse the inspector"
              title="Collapse the inspector"
              onClick={() => setPanel('inspector', false)}
            >
              ▸
            </button>
            <Inspector doc={doc} ui={ui} />
          </>
        ) : (
          <button
            type="button"
            className="workspace-strip"
            data-testid="inspector-restore"
            aria-expanded={false}
            aria-label="Restore the inspector"
            title="Restore the inspector"
            onClick={() => setPanel('inspector', true)}
          >
            <span aria-hidden>◂</span>
            <span className="workspace-strip-label">Inspector</span>
          </button>
        )}
      </Panel>
    </Group>
  );
});

const DEFAULT_SIZE: Record<BottomId, string> = { run: '50%', batch: '50%', problems: '25%', yaml: '25%' };

function BottomPanel({ id, first, children }: { id: BottomId; first: boolean; children: ReactNode }) {
  return (
    <>
      {!first && (
        <Separator className="workspace-separator" aria-label={`Resize the ${BOTTOM_LABELS[id]} panel`} />
      )}
      <Panel
        id={`${id}-area`}
        minSize={`${BOTTOM_MIN_PX[id]}px`}
        defaultSize={DEFAULT_SIZE[id]}
        className={`workspace-bottom-panel workspace-${id}`}
      >
        {children}
      </Panel>
    </>
  );
}
