// The run log: Lua print output and engine errors with level, time and node/branch, filterable.
// Virtualised (fixed row height, only the rows in view are rendered) so 5,000 lines arriving live cost
// the same per frame as 50; it follows the tail while scrolled to the bottom. Error lines that name a
// node are links: they show the node (and the Lua line) in the editor.
import { memo, useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { formatMs } from './format.ts';
import type { JumpTarget } from './Results.tsx';
import type { LogLine, RunRecord } from './run-store.ts';

const ROW_H = 18;
const OVERSCAN = 10;

const jumpTarget = (l: LogLine): JumpTarget =>
  l.line !== undefined ? { node: l.node!, line: l.line } : { node: l.node! };

const where = (l: LogLine) =>
  l.branch ? `${l.branch}${l.node && l.node !== l.branch ? ` › ${l.node}` : ''}` : (l.node ?? '');

export interface RunLogProps {
  run: RunRecord;
  /** Error lines that name a node call this with the node and its Lua line. */
  onJumpTo?: ((target: JumpTarget) => void) | undefined;
}

/** Memoised: the panel re-renders on host messages that do not change this run's log. */
export const RunLog = memo(function RunLog({ run, onJumpTo }: RunLogProps) {
  const [filter, setFilter] = useState('');
  const query = useDeferredValue(filter.trim().toLowerCase());
  const matches = useMemo(
    () =>
      query
        ? run.logs.filter(
            (l) =>
              l.message.toLowerCase().includes(query) ||
              where(l).toLowerCase().includes(query) ||
              l.level === query,
          )
        : run.logs,
    [run.logs, query],
  );
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [view, setView] = useState({ top: 0, height: 400 });

  // Keep the newest line in view while following the tail.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (follow.current) el.scrollTop = el.scrollHeight;
    setView((v) =>
      v.top === el.scrollTop && v.height === el.clientHeight
        ? v
        : { top: el.scrollTop, height: el.clientHeight },
    );
  }, [matches.length]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_H;
    setView({ top: el.scrollTop, height: el.clientHeight });
  };

  const first = Math.max(0, Math.floor(view.top / ROW_H) - OVERSCAN);
  const last = Math.min(matches.length, Math.ceil((view.top + view.height) / ROW_H) + OVERSCAN);
  const shown = matches.slice(first, last);
  return (
    <div className="rp-log-tab">
      <div className="rp-log-bar">
        <input
          type="search"
          placeholder="Filter (text, node, or level)"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter the log"
        />
        <small>
          {matches.length} of {run.logs.length} lines
          {run.logsDropped > 0 && `, ${run.logsDropped} older lines dropped`}
        </small>
      </div>
      <div className="rp-log" data-testid="run-log" role="log" ref={box} onScroll={onScroll}>
        {matches.length === 0 ? (
          <p className="rp-empty">{run.logs.length === 0 ? 'Nothing logged yet.' : 'No line matches.'}</p>
        ) : (
          <div className="rp-log-space" style={{ height: matches.length * ROW_H }}>
            {shown.map((l, i) => {
              const jump = l.level === 'error' && l.node && onJumpTo ? jumpTarget(l) : undefined;
              return (
                <div
                  key={l.seq}
                  className={`rp-log-line rp-log-${l.level}${jump ? ' rp-log-jump' : ''}`}
                  style={{ top: (first + i) * ROW_H, height: ROW_H }}
                  title={jump ? `${l.message}\nClick to show ${l.node} in the editor` : l.message}
                  data-testid={jump ? 'run-log-jump' : undefined}
                  {...(jump
                    ? {
                        role: 'button',
                        tabIndex: 0,
                        onClick: () => onJumpTo!(jump),
                        onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => {
                          if (e.key === 'Enter' || e.key === ' ') {
                            e.preventDefault();
                            onJumpTo!(jump);
                          }
                        },
                      }
                    : {})}
                >
                  <span className="rp-log-t">{formatMs(l.t)}</span>
                  <span className="rp-log-level">{l.level}</span>
                  <span className="rp-log-where">{where(l)}</span>
                  <span className="rp-log-msg">{l.message}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
});
