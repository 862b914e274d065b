// The designer canvas: the document's graph on React Flow. Every gesture becomes one text edit through
// the document store (so undo covers it); React Flow only holds transient state (drag, measurements).
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStoreApi,
  useStore as useFlowStore,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  applyEdgeChanges,
  applyNodeChanges,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent as ReactMouseEvent,
} from 'react';
import { useStore } from 'zustand';
import type { WorkflowGraph } from '../../../../engine/workflow/types.ts';
import { useActions } from '../../actions/actions-context.ts';
import { ActionButton } from '../../actions/ActionButton.tsx';
import { CanvasContextMenu, type OpenMenu } from '../../actions/CanvasContextMenu.tsx';
import { pasteAt, selectionYaml } from '../../actions/edit/clipboard.ts';
import type { CanvasOps } from '../../actions/types.ts';
import type { DocumentStore } from '../document-store.ts';
import { withActive, withSelectedNodes, type UiStore } from '../ui-store.ts';
import { addedNodes, dropPaletteItem, moveNodes } from './canvas-edits.ts';
import {
  CanvasContext,
  createCanvasLocalStore,
  registerViewCentre,
  viewCentre,
  runEdit,
  type CanvasStores,
} from './context.ts';
import { detailClasses, useFarOut, useSketch } from './detail-level.ts';
import { GRID } from './geometry.ts';
import { canvasStateMessage } from './canvas-state.ts';
import { bestClearRect, fitInto, focusViewport, type Rect } from './clear-area.ts';
import { applySelectChanges } from './selection.ts';
import { layoutGraph, layoutGraphSync, quickLayout } from './layout.ts';
import { nodeTypes } from './nodes.tsx';
import { NotesLayer } from './notes/NotesLayer.tsx';
import { EdgePopover, type EdgeQuestion } from './EdgePopover.tsx';
import { NodePicker, type PickerRequest } from './NodePicker.tsx';
import { applyEdgeChoice, drawEdge, insertFromPicker } from './structure-edits.ts';
import { isPaletteKind, Palette, PALETTE_MIME } from './Palette.tsx';
import { unknownActionNames } from './unknown-actions.ts';
import {
  mergeIntoCurrent,
  reuseUnchanged,
  storedPositions,
  toFlow,
  type FlowEdge,
  type FlowNode,
  type PositionMap,
} from './to-flow.ts';
import './canvas.css';

export function DesignerCanvas({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const local = useMemo(() => createCanvasLocalStore(), []);
  const stores = useMemo<CanvasStores>(() => ({ doc, ui, local }), [doc, ui, local]);
  // Nothing to draw (a file that is not a workflow, or does not parse, opened as it is): a one-line
  // state instead of the canvas, whose React Flow state would still hold the previous file's graph.
  const drawable = useStore(doc, (s) => (s.graph ?? s.lastGoodGraph) !== null);
  useEffect(() => {
    const learn = (s: ReturnType<DocumentStore['getState']>) =>
      local.getState().learnUnknownActions(unknownActionNames(s.problems, s.load.model));
    learn(doc.getState());
    return doc.subscribe((s, p) => {
      if (s.problems !== p.problems) learn(s);
    });
  }, [doc, local]);
  return (
    <CanvasContext.Provider value={stores}>
      {drawable ? (
        <ReactFlowProvider>
          <CanvasView stores={stores} />
        </ReactFlowProvider>
      ) : (
        <CanvasState doc={doc} ui={ui} />
      )}
    </CanvasContext.Provider>
  );
}

function CanvasState({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const problems = useStore(doc, (s) => s.load.problems);
  const theme = useStore(ui, (s) => s.theme);
  const { kind, text } = canvasStateMessage(problems);
  return (
    <div
      className="fs-canvas fs-canvas-state"
      data-theme={theme}
      data-testid="canvas-state"
      data-state={kind}
    >
      <p role="status">
        <span aria-hidden="true">{kind === 'not-a-workflow' ? '∅' : '⚠'}</span> {text}
      </p>
    </div>
  );
}

/** Minimap colours: fan-out sources and joins in their fan-out colour, other nodes by kind. */
function minimapColor(node: FlowNode): string {
  const d = node.data;
  if (d.fanOut !== undefined) return `var(--fanout-${d.fanOutColor})`;
  if (d.dynamic) return `var(--fanout-${d.dynamic.color})`;
  if (d.join) return `var(--fanout-${d.joinColor})`;
  if (d.kind === 'start' || d.kind === 'end') return 'var(--terminal-bg)';
  return d.marked ? 'var(--node-muted)' : 'var(--node-border)';
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

/**
 * The dot grid, hidden when zoomed far out: its pattern tile shrinks with the zoom, and at 0.05 a
 * sub-pixel tile makes every repaint (each drag step) take most of a second in software rendering.
 */
function GridBackground() {
  const visible = useFlowStore((s) => s.transform[2] >= 0.35);
  return visible ? <Background variant={BackgroundVariant.Dots} gap={GRID} size={1} /> : null;
}

/** Smaller than React Flow's 200×150: it covers less of the canvas and fit-view leaves it room. */
const MINIMAP_SIZE = { width: 168, height: 108 };
/** Above this many nodes the minimap is left out: it redraws every node on each drag step. */
const MINIMAP_MAX_NODES = 300;
/** The most room the edge popover or the node picker takes (structure.css), to keep them in view. */
const POPOVER_ROOM = { width: 352, height: 330 };

function CanvasView({ stores }: { stores: CanvasStores }) {
  const { doc, ui, local } = stores;
  const rf = useReactFlow<FlowNode, FlowEdge>();
  const rootRef = useRef<HTMLDivElement>(null);
  const graph = useStore(doc, (s) => s.graph ?? s.lastGoodGraph);
  const theme = useStore(ui, (s) => s.theme);
  const showPalette = useStore(ui, (s) => s.panels.palette);
  const showMinimap = useStore(ui, (s) => s.panels.minimap);
  const notice = useStore(local, (s) => s.notice);
  /** Far out: edge labels and run badges hidden; further out, nodes drawn as sketches (detail-level.ts). */
  const farOut = useFarOut();
  const sketch = useSketch();
  /** The zoom level, rounded, on the root element (View › zoom actions are checked against it). */
  const zoom = useFlowStore((s) => Math.round(s.transform[2] * 100) / 100);

  // Graph and its layout travel together, so nodes never render at a stale or missing position. Big
  // graphs and fully placed ones are laid out synchronously (no ELK): the canvas shows them in the
  // same pass that receives the graph; the rest wait for ELK.
  const syncLayout = useMemo(() => (graph ? layoutGraphSync(graph) : null), [graph]);
  const [asyncLaidOut, setAsyncLaidOut] = useState<{ graph: WorkflowGraph; layout: PositionMap } | null>(
    null,
  );
  useEffect(() => {
    if (!graph || syncLayout) return;
    let cancelled = false;
    layoutGraph(graph).then(
      (layout) => !cancelled && setAsyncLaidOut({ graph, layout }),
      (error: unknown) => {
        // ELK failing must not leave the canvas blank: fall back to the linear-time layout.
        local.getState().setNotice(`Auto-layout failed (${String(error)}); using a simple layout`);
        if (!cancelled) setAsyncLaidOut({ graph, layout: quickLayout(graph) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [graph, syncLayout, local]);
  const laidOut = useMemo(
    () => (graph && syncLayout ? { graph, layout: syncLayout } : asyncLaidOut),
    [graph, syncLayout, asyncLaidOut],
  );

  // Fit the view when a document is opened (history empty, new text) and on the first layout.
  const fitPending = useRef(true);
  useEffect(
    () =>
      doc.subscribe((s, p) => {
        if (s.path !== p.path || (s.text !== p.text && s.past.length === 0 && s.future.length === 0)) {
          fitPending.current = true;
        }
      }),
    [doc],
  );
  const flowStore = useStoreApi<FlowNode, FlowEdge>();
  /** Boxes (pane pixels) of what floats over the graph: palette, minimap, controls, toolbar, notices. */
  const overlayRects = useCallback((): Rect[] => {
    const pane = rootRef.current?.querySelector('.react-flow')?.getBoundingClientRect();
    if (!pane) return [];
    return [...rootRef.current!.querySelectorAll('.react-flow__panel:not(.fs-empty-hint)')].map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left - pane.left, y: r.top - pane.top, width: r.width, height: r.height };
    });
  }, []);
  /**
   * Fits the view to `fit` before they are rendered (their sizes are known up front), so a big
   * document renders once, at the fitted view, with only the nodes in it — inside the largest part of
   * the pane no overlay covers (clear-area.ts). Retries on the next frame while the pane has no size.
   */
  const fitTo = useCallback(
    (fit: FlowNode[], duration?: number, retry = true): void => {
      const { width, height, minZoom } = flowStore.getState();
      if (width > 0 && height > 0 && fit.length > 0) {
        let x0 = Infinity;
        let y0 = Infinity;
        let x1 = -Infinity;
        let y1 = -Infinity;
        for (const n of fit) {
          x0 = Math.min(x0, n.position.x);
          y0 = Math.min(y0, n.position.y);
          x1 = Math.max(x1, n.position.x + (n.width ?? 0));
          y1 = Math.max(y1, n.position.y + (n.height ?? 0));
        }
        const bounds = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
        const area = bestClearRect({ width, height }, overlayRects(), bounds);
        const padding = Math.min(40, area.width * 0.06, area.height * 0.06);
        void rf.setViewport(fitInto(bounds, area, { minZoom, maxZoom: 1.2, padding }), { duration });
      } else if (retry) {
        requestAnimationFrame(() => fitTo(fit, duration, false));
      } else {
        void rf.fitView({ padding: 0.15, maxZoom: 1.2 });
      }
    },
    [flowStore, rf, overlayRects],
  );

  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const [edges, setEdges] = useState<FlowEdge[]>([]);
  const base = useRef<{ nodes: FlowNode[]; edges: FlowEdge[] }>({ nodes: [], edges: [] });
  useEffect(() => {
    if (!laidOut) return;
    const next = toFlow(laidOut.graph, storedPositions(laidOut.graph), laidOut.layout);
    const prev = base.current;
    const nextNodes = reuseUnchanged(prev.nodes, next.nodes);
    const nextEdges = reuseUnchanged(prev.edges, next.edges);
    base.current = { nodes: nextNodes, edges: nextEdges };
    const sel = ui.getState().selection;
    setNodes((cur) => mergeIntoCurrent(cur, prev.nodes, nextNodes, new Set(sel.nodes)));
    setEdges((cur) => mergeIntoCurrent(cur, prev.edges, nextEdges, new Set(sel.edges)));
    if (fitPending.current && nextNodes.length > 0) {
      fitPending.current = false;
      fitTo(nextNodes);
    }
  }, [laidOut, ui, fitTo]);

  // Selection lives in the ui store only: React Flow's select changes go there (onNodesChange), and
  // the store's selection (clicks, problems panel, inspector, pasted nodes) is applied to React Flow.
  useEffect(
    () =>
      ui.subscribe((s, p) => {
        if (s.selection === p.selection) return;
        const selNodes = new Set(s.selection.nodes);
        const selEdges = new Set(s.selection.edges);
        setNodes((cur) =>
          cur.some((n) => !!n.selected !== selNodes.has(n.id))
            ? cur.map((n) =>
                !!n.selected !== selNodes.has(n.id) ? { ...n, selected: selNodes.has(n.id) } : n,
              )
            : cur,
        );
        setEdges((cur) =>
          cur.some((e) => !!e.selected !== selEdges.has(e.id))
            ? cur.map((e) =>
                !!e.selected !== selEdges.has(e.id) ? { ...e, selected: selEdges.has(e.id) } : e,
              )
            : cur,
        );
      }),
    [ui],
  );

  // Focus requests (problems, run errors): centre the node where no overlay covers it.
  useEffect(
    () =>
      ui.subscribe((s, p) => {
        if (!s.focus || s.focus === p.focus || !s.focus.node) return;
        const node = rf.getNode(s.focus.node);
        if (!node) return;
        const { width, height, minZoom } = flowStore.getState();
        const box = { ...node.position, width: node.width ?? 0, height: node.height ?? 0 };
        const view = focusViewport(box, { width, height }, overlayRects(), {
          zoom: Math.max(rf.getZoom(), 1),
          minZoom,
          padding: 16,
        });
        void rf.setViewport(view, { duration: 300 });
      }),
    [ui, rf, flowStore, overlayRects],
  );

  useEffect(
    () =>
      registerViewCentre(doc, () => {
        const el = rootRef.current?.querySelector('.react-flow');
        const r = el?.getBoundingClientRect();
        if (!r) return { x: 0, y: 0 };
        return rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
      }),
    [doc, rf],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      // Removals go through onBeforeDelete (a document edit), selection through the ui store; the rest
      // (drag positions, measurements) is transient React Flow state.
      const selection = applySelectChanges(ui.getState().selection.nodes, changes);
      if (selection) ui.getState().select(withSelectedNodes(ui.getState().selection, selection));
      const rest = changes.filter((c) => c.type !== 'remove' && c.type !== 'select');
      if (rest.length > 0) setNodes((cur) => applyNodeChanges(rest, cur));
    },
    [ui],
  );
  // The inspector follows the clicked node of a multi-selection; a click on the pane drops the notes
  // and on the selection's own box (its empty space) shows the selection as a whole.
  const onNodeClick = useCallback(
    (_event: ReactMouseEvent, node: FlowNode) => {
      const sel = ui.getState().selection;
      if (sel.nodes.length > 1 && sel.active !== node.id) ui.getState().select(withActive(sel, node.id));
    },
    [ui],
  );
  const onPaneClick = useCallback(() => {
    const sel = ui.getState().selection;
    if (sel.notes?.length || sel.active !== undefined)
      ui.getState().select({ ...withActive(sel, undefined), notes: [] });
  }, [ui]);
  const onRootClick = useCallback(
    (event: ReactMouseEvent) => {
      const sel = ui.getState().selection;
      const onSelectionBox = (event.target as Element).closest?.('.react-flow__nodesselection-rect');
      if (onSelectionBox && sel.active !== undefined) ui.getState().select(withActive(sel, undefined));
    },
    [ui],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const selection = applySelectChanges(ui.getState().selection.edges, changes);
      if (selection) ui.getState().select({ ...ui.getState().selection, edges: selection });
      const rest = changes.filter((c) => c.type !== 'remove' && c.type !== 'select');
      if (rest.length > 0) setEdges((cur) => applyEdgeChanges(rest, cur));
    },
    [ui],
  );

  const resetPositions = useCallback(() => {
    const byId = new Map(base.current.nodes.map((n) => [n.id, n.position]));
    setNodes((cur) => cur.map((n) => ({ ...n, position: byId.get(n.id) ?? n.position })));
  }, []);

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const positions: PositionMap = {};
      for (const n of dragged) positions[n.id] = n.position;
      const names = Object.keys(positions).sort().join(',');
      // Layout-only: React Flow already shows the nodes where they were dropped, so a big document
      // derives its model and graph after the drop's frame instead of in it.
      const moved = runEdit(stores, (t) => moveNodes(t, positions), 'Move nodes', `move:${names}`, true);
      if (!moved) resetPositions();
    },
    [stores, resetPositions],
  );

  const lastPointer = useRef({ x: 0, y: 0 });
  const shiftDown = useRef(false);
  // Structure gestures (structure-edits.ts): a drawn edge is applied when its meaning is clear (a
  // second edge makes a fan-out), else asked in the edge popover; dropped on the pane, it opens the
  // node picker there. Shift (held before or during the drag) asks for a conditional edge.
  const [question, setQuestion] = useState<EdgeQuestion | null>(null);
  const [picker, setPicker] = useState<PickerRequest | null>(null);
  const connectShift = useRef(false);
  const paneAt = useCallback((client: { x: number; y: number }) => {
    const r = rootRef.current?.getBoundingClientRect();
    if (!r) return client;
    // Kept inside the canvas so the popover is never cut off at an edge.
    return {
      x: Math.max(8, Math.min(client.x - r.left + 8, r.width - POPOVER_ROOM.width)),
      y: Math.max(8, Math.min(client.y - r.top + 8, r.height - POPOVER_ROOM.height)),
    };
  }, []);
  const onConnectStart = useCallback((event: MouseEvent | TouchEvent) => {
    connectShift.current = 'shiftKey' in event && event.shiftKey;
  }, []);
  const onConnect = useCallback(
    (c: Connection) => {
      const at = paneAt(lastPointer.current);
      if (connectShift.current || shiftDown.current) {
        setQuestion({ source: c.source, target: c.target, ask: { ask: 'conditional' }, at });
        return;
      }
      let out: ReturnType<typeof drawEdge>;
      try {
        out = drawEdge(doc.getState().text, c.source, c.target);
      } catch (error) {
        local.getState().setNotice(error instanceof Error ? error.message : String(error));
        return;
      }
      if ('nothing' in out) local.getState().setNotice(out.nothing);
      else if ('ask' in out) setQuestion({ source: c.source, target: c.target, ask: out.ask, at });
      else {
        const next = out.text;
        runEdit(stores, () => next, 'Connect');
      }
    },
    [stores, paneAt, doc, local],
  );
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || state.toNode || !state.fromNode || state.fromHandle?.type !== 'source') return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!point) return;
      const client = { x: point.clientX, y: point.clientY };
      setPicker({ source: state.fromNode.id, at: paneAt(client), flow: rf.screenToFlowPosition(client) });
    },
    [paneAt, rf],
  );
  const chooseEdge = useCallback(
    (q: EdgeQuestion, choice: Parameters<typeof applyEdgeChoice>[3]) => {
      setQuestion(null);
      runEdit(stores, (t) => applyEdgeChoice(t, q.source, q.target, choice), 'Connect');
      rootRef.current?.focus();
    },
    [stores],
  );
  const closeQuestion = useCallback(() => {
    setQuestion(null);
    rootRef.current?.focus();
  }, []);
  const closePicker = useCallback(() => {
    setPicker(null);
    rootRef.current?.focus();
  }, []);

  const selectAdded = useCallback(
    (before: string) => ui.getState().select({ nodes: addedNodes(before, doc.getState().text), edges: [] }),
    [doc, ui],
  );

  // Keys, toolbar buttons and context menus perform registry actions (renderer/src/actions); the
  // canvas registers what they need from it.
  const actions = useActions();
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  useEffect(() => {
    if (!actions) return;
    const ops: CanvasOps = {
      zoomIn: () => void rf.zoomIn({ duration: 150 }),
      zoomOut: () => void rf.zoomOut({ duration: 150 }),
      zoomTo: (level) => void rf.zoomTo(level, { duration: 150 }),
      // Fit into the part of the pane the palette, minimap and toolbar leave free (clear-area.ts).
      fit: () => fitTo(rf.getNodes(), 200),
      centre: () => viewCentre(doc),
      pointer: () => rf.screenToFlowPosition(lastPointer.current),
      startRename: (node) => local.getState().setRenaming(node),
      notice: (message) => local.getState().setNotice(message),
      focus: () => rootRef.current?.focus(),
      fitAfterLayout: () => {
        fitPending.current = true;
      },
    };
    return actions.registerCanvas(ops);
  }, [actions, rf, local, doc, fitTo]);

  /** Opens the context menu of what was right-clicked (a node outside the selection becomes it). */
  const openMenu = useCallback(
    (event: { clientX: number; clientY: number; preventDefault(): void }, hit: OpenMenu['hit']) => {
      if (!actions) return;
      event.preventDefault();
      const sel = ui.getState().selection;
      if (hit.kind === 'node' && !sel.nodes.includes(hit.id))
        ui.getState().select({ nodes: [hit.id], edges: [] });
      if (hit.kind === 'edge' && !sel.edges.includes(hit.id))
        ui.getState().select({ nodes: [], edges: [hit.id] });
      const at = { x: event.clientX, y: event.clientY };
      setMenu({ hit, client: at, flow: rf.screenToFlowPosition(at) });
    },
    [actions, ui, rf],
  );
  const onNodeContextMenu = useCallback(
    (event: ReactMouseEvent, node: FlowNode) => {
      const multi =
        ui.getState().selection.nodes.length > 1 && ui.getState().selection.nodes.includes(node.id);
      // The Start / End pills are not YAML nodes: they get the canvas's menu.
      const terminal = node.id === '__start__' || node.id === '__end__';
      openMenu(
        event,
        multi ? { kind: 'selection' } : terminal ? { kind: 'canvas' } : { kind: 'node', id: node.id },
      );
    },
    [openMenu, ui],
  );
  const onEdgeContextMenu = useCallback(
    (event: ReactMouseEvent, edge: FlowEdge) => openMenu(event, { kind: 'edge', id: edge.id }),
    [openMenu],
  );
  const onSelectionContextMenu = useCallback(
    (event: ReactMouseEvent) => openMenu(event, { kind: 'selection' }),
    [openMenu],
  );
  const onPaneContextMenu = useCallback(
    (event: ReactMouseEvent | MouseEvent) => openMenu(event, { kind: 'canvas' }),
    [openMenu],
  );
  /** Shift+F10 or the Menu key: the menu of the selection, at its first node (or the view's centre). */
  const openMenuFromKeyboard = useCallback(() => {
    const sel = ui.getState().selection;
    const first = sel.nodes[0]
      ? rootRef.current?.querySelector(`.react-flow__node[data-id="${CSS.escape(sel.nodes[0])}"]`)
      : null;
    const box = (first ?? rootRef.current?.querySelector('.react-flow'))?.getBoundingClientRect();
    if (!box) return;
    const point = first
      ? { clientX: box.left + box.width / 2, clientY: box.bottom - 4 }
      : { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
    const hit: OpenMenu['hit'] =
      sel.nodes.length > 1 || (sel.nodes.length > 0 && sel.edges.length > 0)
        ? { kind: 'selection' }
        : sel.nodes[0]
          ? { kind: 'node', id: sel.nodes[0] }
          : sel.edges[0]
            ? { kind: 'edge', id: sel.edges[0] }
            : { kind: 'canvas' };
    openMenu({ ...point, preventDefault: () => {} }, hit);
  }, [openMenu, ui]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (event.key === 'Shift') shiftDown.current = true;
      if (isTyping(event.target)) return;
      if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
        event.preventDefault();
        openMenuFromKeyboard();
      }
    },
    [openMenuFromKeyboard],
  );

  // Copy/cut/paste as YAML text through the system clipboard's own events (works between windows and
  // apps, no permission prompt); the registry's Copy/Cut/Paste actions share the same helpers.
  useEffect(() => {
    const root = rootRef.current;
    if (!root || !actions) return;
    const onCopy = (event: ClipboardEvent) => {
      if (isTyping(event.target)) return;
      const yaml = selectionYaml(actions.context());
      if (yaml === null) return;
      event.clipboardData?.setData('text/plain', yaml);
      event.preventDefault();
    };
    const onCut = (event: ClipboardEvent) => {
      if (isTyping(event.target)) return;
      const yaml = selectionYaml(actions.context());
      if (yaml === null) return;
      event.clipboardData?.setData('text/plain', yaml);
      event.preventDefault();
      actions.perform('edit:delete');
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isTyping(event.target)) return;
      const yaml = event.clipboardData?.getData('text/plain');
      if (!yaml) return;
      event.preventDefault();
      pasteAt(actions.context(), yaml, rf.screenToFlowPosition(lastPointer.current));
    };
    root.addEventListener('copy', onCopy);
    root.addEventListener('cut', onCut);
    root.addEventListener('paste', onPaste);
    return () => {
      root.removeEventListener('copy', onCopy);
      root.removeEventListener('cut', onCut);
      root.removeEventListener('paste', onPaste);
    };
  }, [actions, rf]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(PALETTE_MIME);
      if (!isPaletteKind(kind)) return;
      event.preventDefault();
      const at = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const before = doc.getState().text;
      if (runEdit(stores, (t) => dropPaletteItem(t, kind, at), `Add ${kind}`)) selectAdded(before);
      rootRef.current?.focus();
    },
    [doc, rf, stores, selectAdded],
  );

  return (
    <div
      ref={rootRef}
      className={detailClasses(farOut, sketch)}
      data-testid="designer-canvas"
      data-theme={theme}
      data-zoom={zoom}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onKeyUp={(event) => {
        if (event.key === 'Shift') shiftDown.current = false;
      }}
      onPointerMove={(event) => (lastPointer.current = { x: event.clientX, y: event.clientY })}
      onDragOver={onDragOver}
      onClick={onRootClick}
      onDrop={onDrop}
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onNodeClick={onNodeClick}
        onPaneClick={onPaneClick}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        onNodeContextMenu={onNodeContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onSelectionContextMenu={onSelectionContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        deleteKeyCode={null /* the registry's Delete action (edit:delete) */}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        snapToGrid
        snapGrid={[GRID, GRID]}
        colorMode={theme}
        minZoom={0.05}
        maxZoom={2.5}
        onlyRenderVisibleElements={nodes.length > 300}
        zoomOnDoubleClick={false}
        proOptions={{ hideAttribution: true }}
      >
        <GridBackground />
        <NotesLayer />
        <Controls showInteractive={false} />
        {showMinimap && nodes.length <= MINIMAP_MAX_NODES && (
          <MiniMap
            pannable
            zoomable
            nodeColor={minimapColor}
            nodeStrokeWidth={2}
            style={MINIMAP_SIZE}
            ariaLabel="Minimap"
          />
        )}
        {showPalette && (
          <Panel position="top-left">
            <Palette doc={doc} ui={ui} />
          </Panel>
        )}
        <Panel position="top-right" className="fs-toolbar">
          <ActionButton id="graph:auto-layout" testId="canvas-auto-layout">
            Auto-layout
          </ActionButton>
          <ActionButton id="graph:add-parallel" testId="canvas-add-parallel">
            Add parallel branches
          </ActionButton>
          <ActionButton id="edit:copy" testId="canvas-copy" tooltip="Copy the selected nodes as YAML">
            Copy
          </ActionButton>
          <ActionButton id="edit:paste" testId="canvas-paste" tooltip="Paste nodes (YAML)">
            Paste
          </ActionButton>
        </Panel>
        {graph && !graph.nodes.some((n) => n.spec) && <EmptyCanvasHint />}
        {notice && (
          <Panel position="bottom-center" className="fs-notice" data-testid="canvas-notice">
            <span role="alert">{notice}</span>
            <button type="button" aria-label="Dismiss" onClick={() => local.getState().setNotice(null)}>
              ×
            </button>
          </Panel>
        )}
      </ReactFlow>
      {question && (
        <EdgePopover question={question} onChoose={(c) => chooseEdge(question, c)} onClose={closeQuestion} />
      )}
      {picker && (
        <NodePicker
          request={picker}
          onClose={closePicker}
          onPick={(item) => {
            const req = picker;
            setPicker(null);
            const before = doc.getState().text;
            if (runEdit(stores, (t) => insertFromPicker(t, req.source, item, req.flow), `Add ${item.label}`))
              selectAdded(before);
            rootRef.current?.focus();
          }}
        />
      )}
      {menu && actions && (
        <CanvasContextMenu
          menu={menu}
          actions={actions}
          onClose={() => {
            setMenu(null);
            rootRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}

/** The first-drag hint of an empty canvas; it lets drops and clicks through to the pane. */
function EmptyCanvasHint() {
  return (
    <Panel position="top-center" className="fs-empty-hint" data-testid="empty-canvas-hint">
      <strong>Start here</strong>
      <span>
        Drag a <b>Lua node</b> from the palette onto the canvas, or press <kbd>/</kbd> to search the palette
        and <kbd>Enter</kbd> to add the first match.
      </span>
    </Panel>
  );
}
