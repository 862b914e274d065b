// The toolbar's run group: Run, the input editor, Re-run, Cancel, the status of the open file's latest
// run with a live elapsed time, and the file's breakpoints. Actions go through the run controller.
import { useStore } from 'zustand';
import type { WorkflowModel } from '../../../engine/workflow/types.ts';
import { formatMs } from './format.ts';
import { InputEditor } from './InputEditor.tsx';
import { isActive, type RunController } from './run-controller.ts';
import type { RunSessionStore } from './run-session.ts';
import type { RunStore } from './run-store.ts';
import { useClock } from './use-clock.ts';
import { useShownRun } from './use-run-controller.ts';
import './run-tones.css';
import './run-controls.css';

export interface RunControlsProps {
  controller: RunController;
  session: RunSessionStore;
  runs: RunStore;
  model: WorkflowModel | null;
  opened: boolean;
}

const EMPTY: string[] = [];

const partialHint =
  'The run reached its end, but not every parallel branch succeeded: the fan-in ran over the rest (see Results)';

export function RunControls({ controller, session, runs, model, opened }: RunControlsProps) {
  const shown = useShownRun(controller, runs);
  const file = useStore(controller.store, (s) => s.fileKey);
  const inputOpen = useStore(controller.store, (s) => s.inputOpen);
  const note = useStore(controller.store, (s) => s.notes[s.fileKey]);
  const typedInput = useStore(session, (s) => s.inputs[file] !== undefined);
  const breakpoints = useStore(session, (s) => s.breakpoints[file] ?? EMPTY);
  const useRecorded = useStore(controller.store, (s) => s.useRecorded);
  const active = isActive(shown.status);
  const run = () => {
    controller.setInputOpen(false);
    void controller.run();
  };
  return (
    <span className="rc" role="group" aria-label="Run">
      <button
        type="button"
        data-testid="run-button"
        className="app-run"
        disabled={!opened || active}
        onClick={run}
        title="Run (Ctrl+Enter)"
      >
        Run
      </button>
      <span className="rc-anchor">
        <button
          type="button"
          data-testid="run-input-button"
          aria-expanded={inputOpen}
          className={typedInput ? 'rc-input-edited' : undefined}
          disabled={!opened}
          onClick={() => controller.setInputOpen(!inputOpen)}
          title={typedInput ? 'Run input (edited for this file)' : 'Run input (initial_state)'}
        >
          Input{typedInput ? ' •' : ''}
        </button>
        {inputOpen && opened && (
          <InputEditor
            session={session}
            file={file}
            model={model}
            onClose={() => controller.setInputOpen(false)}
            onRun={run}
          />
        )}
      </span>
      <button
        type="button"
        data-testid="rerun-button"
        disabled={!opened || active}
        onClick={() => void controller.rerun()}
        title="Run again with the same mode, node and input as the last run of this file"
      >
        Re-run
      </button>
      <button
        type="button"
        data-testid="use-recorded-toggle"
        className={useRecorded ? 'rc-recorded rc-recorded-on' : 'rc-recorded'}
        aria-pressed={useRecorded}
        onClick={() => controller.setUseRecorded(!useRecorded)}
        title={
          useRecorded
            ? 'Using recorded responses: Run, Re-run, Run from here and Run node alone answer model calls from an earlier run of this file (no network). Click to ask the models again.'
            : "Use recorded responses: answer model calls from an earlier run's recording instead of asking the models"
        }
      >
        <span className="rc-recorded-dot" aria-hidden="true" />
        Recorded
      </button>
      <button
        type="button"
        data-testid="cancel-button"
        disabled={!active || !shown.runId}
        onClick={() => void controller.cancel()}
        title="Cancel the run (also while paused)"
      >
        Cancel
      </button>
      <span
        className={`rc-pill rc-status-${shown.status}`}
        title={shown.error ?? note ?? (shown.status === 'partial' ? partialHint : undefined)}
      >
        <span data-testid="run-status">{shown.label}</span>
        <Elapsed status={shown.status} monoStart={shown.monoStart} durationMs={shown.durationMs} />
      </span>
      <span className="rc-events" title="Events received for this run">
        <span data-testid="run-events">{shown.events}</span> ev
      </span>
      {breakpoints.length > 0 && (
        <span
          className="rc-breakpoints"
          data-testid="breakpoint-count"
          title={`Breakpoints: ${breakpoints.join(', ')}`}
        >
          <span className="rc-bp-dot" aria-hidden="true" />
          {breakpoints.length}
          <button
            type="button"
            className="rc-bp-clear"
            data-testid="clear-breakpoints"
            aria-label="Clear breakpoints"
            title="Clear breakpoints"
            onClick={() => controller.clearBreakpoints()}
          >
            ×
          </button>
        </span>
      )}
    </span>
  );
}

function Elapsed({
  status,
  monoStart,
  durationMs,
}: {
  status: string;
  monoStart: number | undefined;
  durationMs: number | undefined;
}) {
  const live = (status === 'running' || status === 'paused') && monoStart !== undefined;
  const now = useClock(live, 100);
  const ms = live ? Math.max(0, now - monoStart) : durationMs;
  if (ms === undefined) return null;
  return (
    <span className="rc-elapsed" data-testid="run-elapsed">
      {formatMs(ms)}
    </span>
  );
}
