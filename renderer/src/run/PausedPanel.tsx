// A run waiting at a breakpoint: which node, the state it would run with (editable JSON), Continue,
// Continue with the edited state, Cancel, and a jump to the node. PausedBar is the one-line version
// shown over the canvas so a pause is seen even with the run panel closed.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { PausedAt } from './run-store.ts';
import { parseRunInput, type RunController } from './run-controller.ts';

const pretty = (state: unknown) => JSON.stringify(state, null, 2);

export interface PausedPanelProps {
  runId: string;
  paused: PausedAt;
  controller: RunController;
  onJumpTo?: (node: string) => void;
}

/** Keyed by the pause (runId + time) by its parent, so a new pause starts from the engine's state. */
export function PausedPanel({ runId, paused, controller, onJumpTo }: PausedPanelProps) {
  const original = pretty(paused.state);
  const [text, setText] = useState(original);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const edited = text !== original;
  const check = parseRunInput(text);
  // "Use recorded responses" is on and this run still asks the models: Continue switches it to replay.
  const willReplay = useStore(controller.store, (s) => s.useRecorded && !s.replays[runId]);
  const resume = async (withEdits: boolean) => {
    if (withEdits && !check.ok) return;
    setBusy(true);
    const result = await controller.resume(runId, withEdits && check.ok ? check.value : undefined);
    setBusy(false);
    if (!result.ok) setMessage(result.message ?? 'Could not continue');
  };
  return (
    <div className="rc-paused" data-testid="paused-panel" role="region" aria-label="Paused run">
      <div className="rc-paused-side">
        <p className="rc-paused-title" data-testid="paused-title">
          <span className="rc-paused-icon" aria-hidden="true" />
          Paused {paused.when} <strong>{paused.node}</strong>
        </p>
        <p className="rc-paused-hint">
          {paused.when === 'before'
            ? `The state ${paused.node} will run with. Edit it to change what happens next.`
            : `The state after ${paused.node}'s update was merged.`}
        </p>
        <div className="rc-paused-actions">
          <button
            type="button"
            className="rc-primary"
            data-testid="paused-continue"
            disabled={busy}
            onClick={() => void resume(false)}
            title={edited ? 'Continue with the original state (your edits are ignored)' : 'Continue the run'}
          >
            Continue
          </button>
          <button
            type="button"
            data-testid="paused-continue-edited"
            disabled={busy || !edited || !check.ok}
            onClick={() => void resume(true)}
            title="Continue with the state as edited here"
          >
            Continue with edited state
          </button>
          <button
            type="button"
            data-testid="paused-cancel"
            disabled={busy}
            onClick={() => void controller.cancel(runId)}
          >
            Cancel run
          </button>
          {onJumpTo && (
            <button type="button" data-testid="paused-jump" onClick={() => onJumpTo(paused.node)}>
              Show {paused.node}
            </button>
          )}
          {edited && (
            <button type="button" onClick={() => setText(original)} title="Back to the engine's state">
              Revert edits
            </button>
          )}
        </div>
        {willReplay && (
          <p className="rc-paused-hint" data-testid="paused-replay-note">
            Recorded is on: after Continue, model calls answer from this file&apos;s latest recorded run
            instead of the models.
          </p>
        )}
        {message && (
          <p className="rc-check rc-check-bad" role="alert">
            {message}
          </p>
        )}
      </div>
      <div className="rc-paused-state">
        <textarea
          className="rc-json"
          data-testid="paused-state"
          aria-label={`State ${paused.when} ${paused.node}`}
          aria-invalid={!check.ok}
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        {!check.ok && (
          <p className="rc-check rc-check-bad" data-testid="paused-state-message">
            {check.message.replace(/^Input/, 'State')}
          </p>
        )}
      </div>
    </div>
  );
}

export interface PausedBarProps {
  runId: string;
  paused: PausedAt;
  controller: RunController;
  /** Opens the run panel, where the state can be edited. */
  onShowState: () => void;
  onJumpTo: (node: string) => void;
}

export function PausedBar({ runId, paused, controller, onShowState, onJumpTo }: PausedBarProps) {
  return (
    <div className="rc-paused-bar" data-testid="paused-bar" role="status">
      <span className="rc-paused-icon" aria-hidden="true" />
      <span className="rc-paused-what">
        Paused {paused.when}{' '}
        <button type="button" className="rc-link" onClick={() => onJumpTo(paused.node)} title="Show the node">
          {paused.node}
        </button>
      </span>
      <button type="button" className="rc-primary" onClick={() => void controller.resume(runId)}>
        Continue
      </button>
      <button type="button" onClick={onShowState}>
        Inspect / edit state
      </button>
      <button type="button" onClick={() => void controller.cancel(runId)}>
        Cancel
      </button>
    </div>
  );
}
