// A yes/no question in the app (never window.confirm): Escape and the safe button say no.
import { useEffect, useId, useRef } from 'react';
import type { Question } from './file-flows.ts';
import './files.css';

export function QuestionDialog({ question }: { question: Question }) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    cancelRef.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="fd-overlay" onMouseDown={(e) => e.target === e.currentTarget && question.answer(false)}>
      <div
        className="fd-dialog fd-conflict"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-detail`}
        data-testid="question-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            question.answer(false);
          }
          event.stopPropagation();
        }}
      >
        <header className="fd-head">
          <strong id={`${id}-title`}>{question.title}</strong>
        </header>
        <p id={`${id}-detail`} className="fd-conflict-detail">
          {question.detail}
        </p>
        <footer className="fd-foot fd-conflict-foot">
          <span />
          <span className="fd-buttons">
            <button
              type="button"
              ref={cancelRef}
              data-testid="question-cancel"
              onClick={() => question.answer(false)}
            >
              Cancel
            </button>
            <button
              type="button"
              className="fd-danger-button"
              data-testid="question-confirm"
              onClick={() => question.answer(true)}
            >
              {question.confirmLabel}
            </button>
          </span>
        </footer>
      </div>
    </div>
  );
}
