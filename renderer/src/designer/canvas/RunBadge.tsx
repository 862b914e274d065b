// Run overlays of a canvas node: a status ring + badge for the node's latest execution in the canvas
// run (amber on a fan-in that ran over failed branches), and the breakpoint dot. The badge hangs below
// the node's box, so it never covers the node's own pills (fan-out, join, chips). Each reads its own
// node's entry of the node run feed (node-run-feed.ts), which publishes changed nodes a slice per
// frame, so a catch-up re-renders only the nodes whose status changed, never 200 in one task; the
// elapsed time of running nodes ticks in a tiny child fed by one shared 10 Hz clock.
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { formatCost, formatMs, formatTokens } from '../../run/format.ts';
import { useRunBridge } from '../../run/run-context.ts';
import type { RunBridge } from '../../run/run-context.ts';
import type { RowStatus } from '../../run/run-store.ts';
import { useCanvasStores } from './context.ts';
import { useSketch } from './detail-level.ts';
import { nodeRunFeedOf, type NodeRunEntry } from './node-run-feed.ts';
import { branchNodes, elapsedMs, liveRunTime, STATUS_LABEL } from './run-status.ts';
import type { NodeRunView } from './run-status.ts';
import '../../run/run-tones.css';
import './run-badge.css';

// ---- one shared clock for every ticking timer (one rAF loop, React batches the updates) ----------

const TICK_MS = 100;
const tickListeners = new Set<(now: number) => void>();
let tickFrame = 0;
let lastTick = 0;

function tickLoop(time: number) {
  if (time - lastTick >= TICK_MS) {
    lastTick = time;
    const now = performance.now();
    for (const listener of tickListeners) listener(now);
  }
  tickFrame = tickListeners.size > 0 ? requestAnimationFrame(tickLoop) : 0;
}

/** performance.now(), refreshed 10 times a second while `active`; no timer runs when nothing is active. */
export function useTick(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    tickListeners.add(setNow);
    if (tickFrame === 0) tickFrame = requestAnimationFrame(tickLoop);
    return () => {
      tickListeners.delete(setNow);
    };
  }, [active]);
  return now;
}

/** Elapsed time of a running execution, re-rendering by itself on the shared clock. */
export function LiveElapsed({ view }: { view: Pick<NodeRunView, 'start' | 'monoOrigin' | 'lastT'> }) {
  const now = useTick(true);
  const liveT = liveRunTime({ monoOrigin: view.monoOrigin, lastT: view.lastT ?? 0 }, now);
  return <>{formatMs(elapsedMs({ start: view.start, end: undefined, status: 'running' }, liveT))}</>;
}

export const STATUS_ICON: Record<RowStatus, string> = {
  queued: '◌',
  running: '●',
  succeeded: '✓',
  failed: '✗',
  'timed-out': '⏱',
  cancelled: '⊘',
};

/** The canvas run's entry of one node, as the node run feed last published it. */
export function useNodeRunEntry(bridge: RunBridge, node: string): NodeRunEntry {
  const feed = nodeRunFeedOf(bridge);
  // Stable per node: a new subscribe function would make React re-subscribe on every render.
  const subscribe = useCallback((listener: () => void) => feed.subscribe(node, listener), [feed, node]);
  const get = useCallback(() => feed.get(node), [feed, node]);
  return useSyncExternalStore(subscribe, get);
}

/** The canvas run's snapshot of one node (null without a run, or an execution of it). */
export function useNodeRunView(bridge: RunBridge, node: string): NodeRunView | null {
  return useNodeRunEntry(bridge, node).view;
}

/** Whether the node has an output to show: a boolean snapshot, so status changes do not re-render. */
export function useNodeHasOutput(bridge: RunBridge, node: string): boolean {
  const feed = nodeRunFeedOf(bridge);
  const subscribe = useCallback((listener: () => void) => feed.subscribe(node, listener), [feed, node]);
  const get = useCallback(() => feed.get(node).output, [feed, node]);
  return useSyncExternalStore(subscribe, get);
}

export function RunBadge({ id }: { id: string }) {
  const bridge = useRunBridge();
  return bridge ? <NodeRunOverlay bridge={bridge} id={id} /> : null;
}

function NodeRunOverlay({ bridge, id }: { bridge: RunBridge; id: string }) {
  const view = useNodeRunView(bridge, id);
  // Only nodes that ran follow the zoom (one React Flow store subscription each), not every node.
  return view ? <RunOverlay view={view} id={id} /> : null;
}

function RunOverlay({ view, id }: { view: NodeRunView; id: string }) {
  // A sketch node's badge is not drawn (canvas.css): it keeps its status attributes and title, but no
  // contents, so 200 branches starting at once mount no ticking timers nobody can read.
  const sketch = useSketch();
  const { status, paused, shortfall } = view;
  // A fan-in that ran over failed branches succeeded itself, but the run did not go as drawn.
  const partial = shortfall !== undefined && status === 'succeeded';
  const ringClass = paused ? 'paused' : partial ? 'partial' : (status ?? 'queued');
  const done = status !== undefined && status !== 'running' && status !== 'queued';
  const duration = done ? elapsedMs(view, 0) : undefined;
  const branchDiffers = view.branchStatus !== undefined && view.branchStatus !== status;
  const title = [
    paused ? `Paused ${paused} ${id}` : null,
    status
      ? `${id}: ${STATUS_LABEL[status]}${duration !== undefined ? ` in ${formatMs(duration)}` : ''}`
      : null,
    view.executions > 1 ? `ran ${view.executions} times (latest shown)` : null,
    view.branchStatus ? `branch: ${STATUS_LABEL[view.branchStatus]}` : null,
    shortfall ? `ran over its branches' results: ${shortfall}` : null,
    view.llmTokens !== undefined
      ? `model calls: ${formatTokens(view.llmTokens)} tokens · ${formatCost(view.llmCostUsd)}`
      : null,
    view.error ? `${view.error}${view.line !== undefined ? ` (line ${view.line})` : ''}` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <>
      <div className={`fs-run-ring fs-run-${ringClass}`} aria-hidden="true" />
      <div
        className={`fs-run-badge fs-run-${ringClass}`}
        data-testid={`node-run-${id}`}
        data-status={status ?? ''}
        data-paused={paused ?? ''}
        data-tone={ringClass}
        title={title}
      >
        {sketch ? null : paused ? (
          <span className="fs-run-paused-label">⏸ paused {paused}</span>
        ) : status ? (
          <>
            <span className="fs-run-icon">{partial ? '⚠' : STATUS_ICON[status]}</span>
            <span className="fs-run-time" data-testid={`node-run-time-${id}`}>
              {status === 'running' ? (
                <LiveElapsed view={view} />
              ) : duration !== undefined ? (
                formatMs(duration)
              ) : (
                STATUS_LABEL[status]
              )}
            </span>
          </>
        ) : null}
        {!sketch && view.executions > 1 && <span className="fs-run-count">×{view.executions}</span>}
        {!sketch && view.llmTokens !== undefined && done && (
          // Cost only: the badge is one short tab (tokens are in its title and on the timeline).
          <span className="fs-run-llm" data-testid={`node-run-llm-${id}`} data-tokens={view.llmTokens}>
            {formatCost(view.llmCostUsd)}
          </span>
        )}
        {!sketch && partial && (
          <span className="fs-run-shortfall" data-testid={`node-run-shortfall-${id}`}>
            {shortfall}
          </span>
        )}
        {!sketch && branchDiffers && (
          <span className={`fs-run-branch fs-run-${view.branchStatus}`}>
            ⇉ {STATUS_LABEL[view.branchStatus!]}
          </span>
        )}
      </div>
      {view.llmPreview !== undefined && (
        // The answer as it streams: one rolling line over the node's chip row (inside its box, so it
        // never covers a neighbour), newest text at the right.
        <div
          className="fs-run-stream"
          data-testid={`node-stream-${id}`}
          aria-live="off"
          title={view.llmPreview}
        >
          <span className="fs-run-stream-text">{view.llmPreview}</span>
          <span className="fs-run-stream-caret" aria-hidden="true" />
        </div>
      )}
    </>
  );
}

const BRANCH_REASON =
  'No breakpoints inside parallel branches: TEA runs branches without interruption (interrupt_before works on the main line only)';

export function BreakpointDot({ id }: { id: string }) {
  const bridge = useRunBridge();
  return bridge ? <BreakpointToggle bridge={bridge} id={id} /> : null;
}

function BreakpointToggle({ bridge, id }: { bridge: RunBridge; id: string }) {
  const { doc } = useCanvasStores();
  const isBranch = useStore(doc, (s) => branchNodes(s.graph ?? s.lastGoodGraph).has(id));
  const fileKey = useStore(bridge.view, (s) => s.fileKey);
  const on = useStore(bridge.session, (s) => s.breakpoints[fileKey]?.includes(id) ?? false);
  if (isBranch) {
    return <span className="fs-bp-zone fs-bp-blocked nodrag" title={BRANCH_REASON} aria-hidden="true" />;
  }
  return (
    <button
      type="button"
      className={`fs-bp-zone nodrag nopan${on ? ' fs-bp-on' : ''}`}
      data-testid={`node-breakpoint-${id}`}
      aria-pressed={on}
      aria-label={on ? `Remove breakpoint before ${id}` : `Pause before ${id}`}
      title={on ? `Breakpoint: the run pauses before ${id} (click to remove)` : `Pause before ${id}`}
      onMouseDown={(event) => event.stopPropagation()}
      onClick={(event) => {
        event.stopPropagation();
        bridge.actions.toggleBreakpoint(id);
      }}
    >
      <span className="fs-bp-dot" />
    </button>
  );
}
