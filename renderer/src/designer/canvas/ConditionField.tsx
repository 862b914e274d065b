// A condition input checked as it is typed against engine/expr (the evaluator the run uses): the
// message names the column. Enter applies a valid condition; Escape is left to the container.
import { useId, useState, type KeyboardEvent } from 'react';
import { checkExpression } from '../../../../engine/expr/index.ts';

export function conditionError(text: string): string | null {
  if (text.trim() === '') return 'A condition cannot be empty';
  const checked = checkExpression(text);
  return checked.ok ? null : `${checked.message} (column ${checked.col})`;
}

export function ConditionField({
  initial,
  onApply,
  autoFocus,
  label = 'Condition',
  testId,
}: {
  initial: string;
  onApply(condition: string): void;
  autoFocus?: boolean;
  label?: string;
  testId?: string;
}) {
  const [draft, setDraft] = useState(initial);
  const id = useId();
  const error = conditionError(draft);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    event.stopPropagation(); // typing must not trigger canvas shortcuts
    if (event.key === 'Enter' && error === null) onApply(draft.trim());
    if (event.key === 'Escape') event.currentTarget.closest<HTMLElement>('[data-escape]')?.focus();
  };
  return (
    <div className="fs-condition-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="nodrag"
        data-testid={testId}
        autoFocus={autoFocus}
        spellCheck={false}
        value={draft}
        aria-invalid={error !== null}
        aria-describedby={`${id}-msg`}
        placeholder="state.score > 0.5"
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div
        id={`${id}-msg`}
        className={error ? 'fs-condition-msg fs-invalid' : 'fs-condition-msg'}
        role="status"
      >
        {error ?? 'Jinja/Tera condition over state — Enter to apply'}
      </div>
      <button type="button" disabled={error !== null} onClick={() => onApply(draft.trim())}>
        Apply condition
      </button>
    </div>
  );
}
