// Ordered goto rules: condition + target per rule, add / remove / reorder, one fallback (last).
import { useState } from 'react';
import type { DocumentStore } from '../document-store.ts';
import type { NodeSpec } from '../../../../engine/workflow/types.ts';
import { tryEdit } from './Fields.tsx';
import {
  addRule,
  applyGotoRules,
  isFallback,
  moveRule,
  removeRule,
  ruleErrors,
  rulesOf,
  updateRule,
} from './goto-rules.ts';
import type { RuleDraft } from './goto-rules.ts';

export function GotoEditor({
  doc,
  spec,
  targets,
}: {
  doc: DocumentStore;
  spec: NodeSpec;
  targets: string[];
}) {
  const current = rulesOf(spec.goto);
  const currentKey = JSON.stringify(current);
  // Conditions are typed locally and written on blur; the rest is written at once.
  const [draft, setDraft] = useState(current);
  const [seen, setSeen] = useState(currentKey);
  const [error, setError] = useState<string | null>(null);
  if (currentKey !== seen) {
    setSeen(currentKey);
    setDraft(current);
  }
  const errors = ruleErrors(draft, new Set(targets));

  const write = (rules: RuleDraft[]) => {
    setDraft(rules);
    if (JSON.stringify(rules) === currentKey) return;
    setError(
      tryEdit(() =>
        doc.getState().edit((t) => applyGotoRules(t, spec.name, rules), {
          label: `Edit goto of ${spec.name}`,
          coalesceKey: `goto:${spec.name}`,
        }),
      ),
    );
  };
  // A condition that does not parse stays a draft with its error shown; the file keeps the old one.
  const commitCondition = (i: number) => {
    if (errors[i]?.startsWith('Condition:')) return;
    write(updateRule(draft, i, { if: draft[i]!.if ?? '' }));
  };
  const hasFallback = draft.some(isFallback);
  const firstOther = targets.find((t) => t !== spec.name) ?? targets[0] ?? '';

  return (
    <fieldset className="fp-goto" data-testid="goto-editor">
      <legend>Goto rules</legend>
      {draft.length === 0 ? (
        <div className="fp-hint">No goto: the node follows its edges (or the next node in the list).</div>
      ) : null}
      <ol>
        {draft.map((rule, i) => (
          <li key={i} className="fp-rule" data-fallback={isFallback(rule) || undefined}>
            <div className="fp-rule-main">
              {isFallback(rule) ? (
                <span className="fp-rule-else">otherwise</span>
              ) : (
                <input
                  className="fp-mono"
                  aria-label={`Condition of rule ${i + 1}`}
                  value={rule.if ?? ''}
                  onChange={(e) =>
                    setDraft(draft.map((r, j) => (j === i ? { ...r, if: e.target.value } : r)))
                  }
                  onBlur={() => commitCondition(i)}
                  onKeyDown={(e) => e.key === 'Enter' && commitCondition(i)}
                  placeholder="state.count > 3"
                />
              )}
              <span className="fp-arrow">→</span>
              <select
                aria-label={`Target of rule ${i + 1}`}
                value={rule.to}
                onChange={(e) => write(updateRule(draft, i, { to: e.target.value }))}
              >
                {targets.includes(rule.to) ? null : <option value={rule.to}>{rule.to || '(choose)'}</option>}
                {targets.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="fp-icon"
                title="Move up"
                aria-label={`Move rule ${i + 1} up`}
                disabled={i === 0}
                onClick={() => write(moveRule(draft, i, -1))}
              >
                ↑
              </button>
              <button
                type="button"
                className="fp-icon"
                title="Move down"
                aria-label={`Move rule ${i + 1} down`}
                disabled={i === draft.length - 1}
                onClick={() => write(moveRule(draft, i, 1))}
              >
                ↓
              </button>
              <button
                type="button"
                className="fp-icon"
                title="Remove rule"
                aria-label={`Remove rule ${i + 1}`}
                onClick={() => write(removeRule(draft, i))}
              >
                ×
              </button>
            </div>
            {errors[i] ? <div className="fp-error">{errors[i]}</div> : null}
          </li>
        ))}
      </ol>
      <div className="fp-buttons">
        <button
          type="button"
          className="fp-add"
          onClick={() => write(addRule(draft, { if: 'true', to: firstOther }))}
        >
          + Rule
        </button>
        <button
          type="button"
          className="fp-add"
          disabled={hasFallback}
          onClick={() => write(addRule(draft, { to: firstOther }))}
        >
          + Fallback
        </button>
      </div>
      {error !== null ? <div className="fp-error">{error}</div> : null}
    </fieldset>
  );
}
