// The run panel: Timeline, Memory, Results, Log and History of the runs in a RunStore. The store
// applies events once per animation frame; this component subscribes with narrow selectors and only
// the visible tab renders.
import { useState } from 'react';
import { useStore } from 'zustand';
import { formatMs } from './format.ts';
import { History } from './History.tsx';
import { MemoryTab } from './MemoryChart.tsx';
import { PausedPanel } from './PausedPanel.tsx';
import { ResultsTab } from './Results.tsx';
import type { JumpTarget } from './Results.tsx';
import { RunLog } from './RunLog.tsx';
import type { RunRecord, RunStore } from './run-store.ts';
import { Timeline } from './Timeline.tsx';
import { useClock } from './use-clock.ts';
import { useRunControllerContext } from './use-run-controller.ts';
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

export function RunPanel({ store, onJumpTo, initialTab = 'timeline' }: RunPanelProps) {
  const [tab, setTab] = useState<RunTab>(initialTab);
  const run = useStore(store, (s) => (s.selectedRunId ? s.runs[s.selectedRunId] : undefined));
  const controller = useRunControllerContext();
  return (
    <section className="rp" data-testid="run-panel" aria-label="Run">
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
        {run && <RunSummary run={run} />}
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
          <HistoryTab store={store} />
        ) : !run ? (
          <p className="rp-empty">Run the workflow to see its timeline, memory and results here.</p>
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

function RunSummary({ run }: { run: RunRecord }) {
  return (
    <span className="rp-summary">
      <span className={`rp-pill rp-status-${run.paused ? 'paused' : run.status}`}>
        {run.paused ? 'paused' : run.status}
      </span>
      <span>{run.workflow}</span>
      {run.durationMs !== undefined && <span>{formatMs(run.durationMs)}</span>}
      <span>{run.events} events</span>
    </span>
  );
}

function HistoryTab({ store }: { store: RunStore }) {
  const runs = useStore(store, (s) => s.runs);
  const order = useStore(store, (s) => s.order);
  const selected = useStore(store, (s) => s.selectedRunId);
  const list = order
    .slice()
    .reverse()
    .map((id) => runs[id])
    .filter((r): r is RunRecord => r !== undefined);
  return <History runs={list} selected={selected} onSelect={(id) => store.getState().select(id)} />;
}
