// The small on-canvas popover that asks when a drawn edge is ambiguous (never a window.prompt):
// close a hand-drawn fan-out at the target ("make X the fan-in?"), or — where the source cannot fan
// out — a conditional edge or replacing its way on. Escape or a click elsewhere closes it unchanged.
import { useEffect, useRef, useState } from 'react';
import { END } from '../../../../engine/workflow/types.ts';
import { ConditionField } from './ConditionField.tsx';
import type { Asked, EdgeChoice } from './structure-edits.ts';
import './structure.css';

export interface EdgeQuestion {
  source: string;
  target: string;
  /** What to ask; `conditional` when the edge was drawn with Shift. */
  ask: Asked | { ask: 'conditional' };
  /** Pane-relative pixel position. */
  at: { x: number; y: number };
}

const nameOf = (n: string) => (n === END ? 'End' : n);

export function EdgePopover({
  question,
  onChoose,
  onClose,
}: {
  question: EdgeQuestion;
  onChoose(choice: EdgeChoice): void;
  onClose(): void;
}) {
  const { source, target, ask } = question;
  const [conditional, setConditional] = useState(ask.ask === 'conditional');
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    root.current?.querySelector<HTMLElement>('button, input')?.focus();
    const away = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', away, true);
    return () => window.removeEventListener('pointerdown', away, true);
  }, [onClose]);

  let title: string;
  let detail: string | null = null;
  const buttons: { label: string; testId: string; choose(): void }[] = [];
  if (ask.ask === 'fan-in') {
    title = `Make ${nameOf(target)} the fan-in?`;
    detail = `Another branch of ${ask.fanOut}’s fan-out already reaches ${target}. As its fan-in it waits for every branch and gets their results (state.parallel_results); the open branches are connected to it.`;
    buttons.push({
      label: `Make ${target} the fan-in`,
      testId: 'edge-popover-fan-in',
      choose: () => onChoose({ kind: 'make-fan-in', fanOut: ask.fanOut }),
    });
    if (ask.wayOn === null || ask.wayOn === END)
      buttons.push({
        label: 'Just connect',
        testId: 'edge-popover-connect',
        choose: () => onChoose({ kind: 'connect' }),
      });
  } else if (ask.ask === 'route') {
    title = `${source} already goes on to ${nameOf(ask.wayOn)}`;
    detail = `${ask.why}. Add ${source} → ${nameOf(target)} as a conditional edge, or replace the way on.`;
    buttons.push({
      label: 'Conditional edge…',
      testId: 'edge-popover-conditional',
      choose: () => setConditional(true),
    });
    buttons.push({
      label: `Replace → ${nameOf(ask.wayOn)}`,
      testId: 'edge-popover-replace',
      choose: () => onChoose({ kind: 'connect' }),
    });
  } else {
    title = `Conditional edge ${source} → ${nameOf(target)}`;
  }

  return (
    <div
      ref={root}
      className="fs-popover"
      role="dialog"
      aria-label={title}
      data-testid="edge-popover"
      data-escape
      tabIndex={-1}
      style={{ left: question.at.x, top: question.at.y }}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="fs-popover-title">{title}</div>
      {detail && <p className="fs-popover-detail">{detail}</p>}
      {conditional ? (
        <ConditionField
          initial="state.ok"
          autoFocus
          testId="edge-popover-condition"
          onApply={(condition) => onChoose({ kind: 'conditional', condition })}
        />
      ) : (
        <div className="fs-popover-actions">
          {buttons.map((b) => (
            <button key={b.testId} type="button" data-testid={b.testId} onClick={b.choose}>
              {b.label}
            </button>
          ))}
          <button type="button" className="fs-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
