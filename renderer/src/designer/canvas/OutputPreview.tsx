// A node's output after a run: a small "output" tab under the node's bottom-left (the run badge hangs
// at the bottom-right) that unfolds a panel with the keys the node's update changed, each cut to one
// line, and a link to the whole result. Only the unfolded panel computes the diff (one node at a time);
// the tab itself reads one boolean per node from the node run feed, as the run badge does. The
// panel is a portal over the canvas (not inside the zoomed viewport): readable at any zoom, above the
// minimap and palette, kept inside the canvas (above the node when there is no room below).
import { useStore as useFlowStore } from '@xyflow/react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useStore } from 'zustand';
import { shallow } from 'zustand/shallow';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import { deferredRunsOf } from '../../run/deferred-runs.ts';
import { useRunBridge, type RunBridge } from '../../run/run-context.ts';
import { requestResults } from '../../run/results-request.ts';
import { useCanvasStores } from './context.ts';
import { nodeOutputPreview, type OutputPreview as Preview } from './output-preview.ts';
import { useNodeHasOutput } from './RunBadge.tsx';
import './output-preview.css';

const PANEL_WIDTH = 300;
const PANEL_MAX_HEIGHT = 220;

export function OutputPreview({ id }: { id: string }) {
  const bridge = useRunBridge();
  return bridge ? <OutputTab bridge={bridge} id={id} /> : null;
}

function OutputTab({ bridge, id }: { bridge: RunBridge; id: string }) {
  const available = useNodeHasOutput(bridge, id);
  const [open, setOpen] = useState(false);
  const tabRef = useRef<HTMLButtonElement>(null);
  if (!available) return null;
  return (
    <>
      <button
        ref={tabRef}
        type="button"
        className="fs-output-tab nodrag nopan"
        data-testid={`node-output-toggle-${id}`}
        aria-expanded={open}
        aria-label={`${open ? 'Hide' : 'Show'} the output of ${id}`}
        title={`${open ? 'Hide' : 'Show'} what ${id} returned in the last run`}
        onPointerDown={(event) => event.stopPropagation()}
        onClick={(event) => {
          event.stopPropagation();
          setOpen(!open);
        }}
      >
        {open ? '▴' : '▾'} output
      </button>
      {open && (
        <OutputPanel
          bridge={bridge}
          id={id}
          onClose={() => {
            setOpen(false);
            tabRef.current?.focus();
          }}
        />
      )}
    </>
  );
}

function OutputPanel({ bridge, id, onClose }: { bridge: RunBridge; id: string; onClose: () => void }) {
  // Read here, not by every node's tab: a new run would re-render all of them at once.
  const runId = useStore(bridge.view, (s) => s.canvasRunId);
  const { ui } = useCanvasStores();
  const preview = useStoreWithEqualityFn(
    deferredRunsOf(bridge.runs),
    (s) => nodeOutputPreview(runId ? s.runs[runId] : undefined, id),
    samePreview,
  );
  const ref = useRef<HTMLDivElement>(null);
  const host = useFlowStore((s) => s.domNode);
  const anchor = useFlowStore((s) => {
    const node = s.nodeLookup.get(id);
    if (!node) return null;
    const [tx, ty, zoom] = s.transform;
    const { x, y } = node.internals.positionAbsolute;
    return {
      left: x * zoom + tx,
      top: y * zoom + ty,
      bottom: (y + (node.measured.height ?? 0)) * zoom + ty,
      width: s.width,
      height: s.height,
    };
  }, shallow);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && ref.current?.contains(document.activeElement)) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  // The panel's real height decides whether it fits below the node (measured after each render).
  const [height, setHeight] = useState(96);
  useLayoutEffect(() => {
    const h = ref.current?.offsetHeight;
    if (h !== undefined && h !== height) setHeight(h);
  });
  if (!preview || !host || !anchor) return null;
  // Below the node (clear of its output tab), or above it when the canvas has no room below.
  const below = anchor.bottom + 22;
  const place =
    below + height <= anchor.height - 8
      ? { top: below }
      : { bottom: Math.max(8, anchor.height - anchor.top + 8) };
  const left = Math.max(8, Math.min(anchor.left, anchor.width - PANEL_WIDTH - 8));
  return createPortal(
    <div
      ref={ref}
      className="fs-output-panel nodrag nopan nowheel"
      style={{ left, width: PANEL_WIDTH, maxHeight: PANEL_MAX_HEIGHT, ...place }}
      data-testid={`node-output-${id}`}
      role="region"
      aria-label={`Output of ${id}`}
      // A portal's events still bubble to the node in React's tree: keep them from selecting it.
      onPointerDown={(event) => event.stopPropagation()}
      onClick={(event) => event.stopPropagation()}
      onDoubleClick={(event) => event.stopPropagation()}
    >
      {preview.error !== undefined ? (
        <div className="fs-output-error" title={preview.error}>
          ✗ {preview.error}
        </div>
      ) : preview.entries.length === 0 ? (
        <div className="fs-output-none">No state keys changed</div>
      ) : (
        <dl>
          {preview.entries.map((e) => (
            <div key={e.key} className={`fs-output-row fs-output-${e.kind}`}>
              <dt title={e.kind}>
                {e.kind === 'removed' ? '−' : e.kind === 'added' ? '+' : '~'} {e.key}
              </dt>
              <dd title={e.text}>{e.text}</dd>
            </div>
          ))}
        </dl>
      )}
      <div className="fs-output-foot">
        <span>
          {preview.more > 0 ? `+${preview.more} more · ` : ''}
          {preview.stateKeys} key{preview.stateKeys === 1 ? '' : 's'} in state
        </span>
        <button
          type="button"
          className="fs-output-open"
          data-testid={`node-output-open-${id}`}
          onClick={() => {
            ui.getState().showPanel('run');
            ui.getState().setPanel('bottom', true);
            requestResults(id);
          }}
        >
          Open in results
        </button>
      </div>
    </div>,
    host,
  );
}

function samePreview(a: Preview | null, b: Preview | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    shallow({ ...a, entries: null }, { ...b, entries: null }) &&
    a.entries.length === b.entries.length &&
    a.entries.every((e, i) => shallow(e, b.entries[i]))
  );
}
