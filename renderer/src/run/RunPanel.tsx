// The run panel: Timeline, Memory, Results, Log and History of the open document's runs (inside the App,
// the run controller says which document is open; without one, every run of the store). The store
// applies events once per animation frame; this component subscribes with narrow selectors and only
// the visible tab renders.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { shallow } from 'zustand/shallow';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import { formatMs } from './format.ts';
import { History } from './History.tsx';
import { MemoryTab } from './MemoryChart.tsx';
import { PausedPanel } from './PausedPanel.tsx';
import { resultsRequests } from './results-request.ts';
import { ResultsTab } from './Results.tsx';
import type { JumpTarget } from './Results.tsx';
import { RunLog } from './RunLog.tsx';
import { runNumber, type ControllerState } from './run-controller.ts';
import { docRunIds, runOutcome, shownRunId } from './run-store.ts';
import type { DocKey, RunRecord, RunStore } from './run-store.ts';
import { Timeline } from './Timeline.tsx';
import { useClock } from './use-clock.ts';
import { useRunControllerContext } from './use-run-controller.ts';
import './run-tones.css';
import './run-panel.css';

export type { JumpTarget };
export type RunTab = 'timeline' | 'memory' | 'results' | 'log' | 'history';

const TABS: { id: RunTab; label: string }[] = [
  { id: 'timeline', label: 'Timeline' },
  { id: 'memory', label: 'Memory' },
  { id: 'results', label: 'Results' },
  { id: 'log', label: 'Log' },
  { id: 'history', label: 'History' },
];

export interface RunPanelProps {
  store: RunStore;
  /** Errors link here: show `node` (and the Lua `line` of its script) in the editor. */
  onJumpTo?: (target: JumpTarget) => void;
  initialTab?: RunTab;
}

/** Documents are keyed by the controller; null means "no document: the whole store". */
function useDocKey(): DocKey | null {
  const controller = useRunControllerContext();
  const key = useStore(controller?.store ?? NO_DOCUMENT, (s) => s.fileKey);
  return controller ? key : null;
}

// A stand-in store so the hook above is called unconditionally.
const NO_DOCUMENT = createStore(() => ({ fileKey: '' }));

export function RunPanel({ store, onJumpTo, initialTab = 'timeline' }: RunPanelProps) {
  const [tab, setTab] = useState<RunTab>(initialTab);
  // "Open in results" on a node's output preview (canvas) switches to the Results tab.
  useEffect(
    () =>
      resultsRequests.subscribe((s, p) => {
        if (s.seq !== p.seq) setTab('results');
      }),
    [],
  );
  const doc = useDocKey();
  const run = useStore(store, (s) => {
    const id = doc === null ? s.selectedRunId : shownRunId(s, doc);
    return id ? s.runs[id] : undefined;
  });
  const controller = useRunControllerContext();
  return (
    <section className="rp" data-testid="run-panel" data-run-id={run?.runId ?? ''} aria-label="Run">
      <div className="rp-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            data-testid={`run-tab-${t.id}`}
            className={tab === t.id ? 'rp-tab rp-tab-active' : 'rp-tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === 'log' && run && run.logs.length > 0 && <small> {run.logs.length}</small>}
          </button>
        ))}
        {run && <RunSummary run={run} store={store} doc={doc} />}
      </div>
      {run?.paused && controller && (
        // A run at a breakpoint waits for the user: shown above every tab.
        <PausedPanel
          key={`${run.runId}@${run.paused.t}`}
          runId={run.runId}
          paused={run.paused}
          controller={controller}
          {...(onJumpTo ? { onJumpTo: (node: string) => onJumpTo({ node }) } : {})}
        />
      )}
      <div className="rp-body" role="tabpanel">
        {tab === 'history' ? (
          <HistoryTab store={store} doc={doc} shown={run?.runId ?? null} />
        ) : !run ? (
          <p className="rp-empty" data-testid="run-panel-empty">
            {doc === null
              ? 'Run the workflow to see its timeline, memory and results here.'
              : 'No runs of this document yet: run it to see its timeline, memory and results here.'}
          </p>
        ) : (
          <RunView run={run} tab={tab} onJumpTo={onJumpTo} />
        )}
      </div>
    </section>
  );
}

function RunView({
  run,
  tab,
  onJumpTo,
}: {
  run: RunRecord;
  tab: RunTab;
  onJumpTo: ((target: JumpTarget) => void) | undefined;
}) {
  const live = run.status === 'running';
  const now = useClock(live && (tab === 'timeline' || tab === 'memory'));
  // Event times are the host's; monoOrigin maps them onto this page's clock so running bars grow.
  const liveT =
    live && run.monoOrigin !== undefined
      ? Math.max(run.lastT, now - run.monoOrigin)
      : (run.durationMs ?? run.lastT);
  if (tab === 'timeline') return <Timeline run={run} liveT={liveT} />;
  if (tab === 'memory') return <MemoryTab run={run} liveT={liveT} />;
  if (tab === 'results') return <ResultsTab run={run} {...(onJumpTo ? { onJumpTo } : {})} />;
  return <RunLog run={run} onJumpTo={onJumpTo} />;
}

type Replays = Pick<ControllerState, 'replays' | 'replayAfter'>;
// A stand-in store when there is no controller (no replays known).
const NO_REPLAYS: StoreApi<Replays> = createStore<Replays>(() => ({ replays: {}, replayAfter: {} }));

/** runId → the run it replayed, from the run controller (which asked for the replay). */
function useReplays(): Record<string, string> {
  const controller = useRunControllerContext();
  return useStore((controller?.store ?? NO_REPLAYS) as StoreApi<Replays>, (s) => s.replays);
}

/** runId → the breakpoint after which a run continued with recorded responses. */
function useReplayAfter(): Record<string, string> {
  const controller = useRunControllerContext();
  return useStore((controller?.store ?? NO_REPLAYS) as StoreApi<Replays>, (s) => s.replayAfter);
}

function RunSummary({ run, store, doc }: { run: RunRecord; store: RunStore; doc: DocKey | null }) {
  const outcome = runOutcome(run);
  const source = useReplays()[run.runId];
  const after = useReplayAfter()[run.runId];
  const sourceNumber = useStore(store, (s) =>
    source ? (doc === null ? s.order.indexOf(source) + 1 : runNumber(s, doc, source)) : 0,
  );
  return (
    <span className="rp-summary">
      <span
        className={`rp-pill rp-status-${outcome.tone}`}
        data-testid="run-panel-status"
        title={outcome.label}
      >
        {outcome.label}
      </span>
      {source && (
        <span
          className="lc-replayed"
          data-testid="run-replayed-from"
          title="Every model call of this run was answered from that run's recorded responses (no network)"
        >
          replayed from run #{sourceNumber || '?'}
          {after !== undefined && ` after ${after || 'the breakpoint'}`}
        </span>
      )}
      {/* No workflow name: the panel shows the open document's runs only. */}
      {run.durationMs !== undefined && <span className="rp-summary-extra">{formatMs(run.durationMs)}</span>}
      <span className="rp-summary-extra">{run.events} events</span>
    </span>
  );
}

function HistoryTab({ store, doc, shown }: { store: RunStore; doc: DocKey | null; shown: string | null }) {
  const runs = useStore(store, (s) => s.runs);
  // The document's runs only; a new array per owner change, the same one otherwise (shallow).
  const ids = useStoreWithEqualityFn(store, (s) => (doc === null ? s.order : docRunIds(s, doc)), shallow);
  const replays = useReplays();
  const replayAfter = useReplayAfter();
  const numbers = new Map(ids.map((id, i) => [id, i + 1]));
  const list = ids
    .slice()
    .reverse()
    .map((id) => runs[id])
    .filter((r): r is RunRecord => r !== undefined);
  return (
    <History
      runs={list}
      selected={shown}
      onSelect={(id) => store.getState().select(id)}
      numbers={numbers}
      replays={replays}
      replayAfter={replayAfter}
    />
  );
}
