// A small in-app question for a whole number (no window.prompt): Enter accepts, Escape cancels, the
// value is checked against its range as it is typed.
import { useEffect, useId, useRef, useState } from 'react';
import './commands.css';

export interface NumberQuestion {
  title: string;
  label: string;
  initial: number;
  min: number;
  max: number;
}

export function numberError(text: string, min: number, max: number): string | null {
  if (!/^\s*\d+\s*$/.test(text)) return 'Enter a whole number';
  const n = Number.parseInt(text, 10);
  if (n < min || n > max) return `Between ${min} and ${max}`;
  return null;
}

export function NumberDialog({
  question,
  onAnswer,
}: {
  question: NumberQuestion;
  onAnswer: (value: number | null) => void;
}) {
  const [text, setText] = useState(String(question.initial));
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => inputRef.current?.select(), []);
  const error = numberError(text, question.min, question.max);
  const accept = () => {
    if (!error) onAnswer(Number.parseInt(text, 10));
  };
  return (
    <div
      className="cmd-overlay"
      onMouseDown={(event) => event.target === event.currentTarget && onAnswer(null)}
    >
      <form
        className="cmd-dialog cmd-number"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="number-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          accept();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onAnswer(null);
          }
          event.stopPropagation();
        }}
      >
        <header className="cmd-dialog-head">
          <strong id={`${id}-title`}>{question.title}</strong>
        </header>
        <div className="cmd-number-body">
          <label htmlFor={`${id}-input`}>{question.label}</label>
          <input
            id={`${id}-input`}
            ref={inputRef}
            type="number"
            inputMode="numeric"
            min={question.min}
            max={question.max}
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-error`}
            data-testid="number-dialog-input"
            onChange={(event) => setText(event.target.value)}
          />
          <small id={`${id}-error`} className="cmd-number-error" role="status">
            {error ?? ' '}
          </small>
        </div>
        <footer className="cmd-dialog-foot">
          <button type="button" onClick={() => onAnswer(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!!error} data-testid="number-dialog-ok">
            OK
          </button>
        </footer>
      </form>
    </div>
  );
}
