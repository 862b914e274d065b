// Problems from validation and the portability lint: errors first, each row focuses its node/line.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { Problem } from '../../../../engine/workflow/types.ts';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import { engineTag, focusTarget, groupProblems } from './problems.ts';
import './panels.css';

export function ProblemsPanel({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const problems = useStore(doc, (s) => s.problems);
  const groups = useMemo(() => groupProblems(problems), [problems]);
  const rows = [...groups.errors, ...groups.warnings];
  return (
    <section className="fp-panel fp-problems" data-testid="problems-panel" aria-label="Problems">
      <header className="fp-panel-head">
        <h2>Problems</h2>
        <span className="fp-count" data-severity="error" data-testid="problems-errors" title="Errors">
          {groups.errors.length} {groups.errors.length === 1 ? 'error' : 'errors'}
        </span>
        <span className="fp-count" data-severity="warning" data-testid="problems-warnings" title="Warnings">
          {groups.warnings.length} {groups.warnings.length === 1 ? 'warning' : 'warnings'}
        </span>
      </header>
      {rows.length === 0 ? (
        <div className="fp-hint fp-none">No problems.</div>
      ) : (
        <ul className="fp-problem-list">
          {rows.map((p, i) => (
            <ProblemRow
              key={i}
              problem={p}
              onFocus={() => ui.getState().requestFocus(focusTarget(p, doc.getState().graph))}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function ProblemRow({ problem: p, onFocus }: { problem: Problem; onFocus: () => void }) {
  const engine = engineTag(p);
  return (
    <li>
      <button
        type="button"
        className="fp-problem"
        data-severity={p.severity}
        data-testid="problem-row"
        onClick={onFocus}
        title={p.message}
      >
        <span className="fp-sev" aria-label={p.severity}>
          {p.severity === 'error' ? '⨯' : '!'}
        </span>
        <span className="fp-pos">
          {p.line}:{p.col}
        </span>
        <span className="fp-code">{p.code}</span>
        <span className="fp-msg">{p.message}</span>
        {p.node !== undefined ? <span className="fp-chip">{p.node}</span> : null}
        {engine !== undefined ? <span className="fp-chip fp-engine">{engine}</span> : null}
      </button>
    </li>
  );
}
