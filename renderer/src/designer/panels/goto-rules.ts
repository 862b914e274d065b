// Editing a node's `goto:` as an ordered list of rules. Pure list operations produce a new rule list;
// `gotoValue` turns it into the YAML value that setNodeField writes (a plain target when the list is a
// single unconditional rule, nothing when it is empty), so the file stays as simple as its meaning.
import { checkExpression } from '../../../../engine/expr/index.ts';
import { setNodeField } from '../../../../engine/workflow/edit.ts';
import type { NodeSpec } from '../../../../engine/workflow/types.ts';

/** One rule as the editor holds it. No `if` (or an empty one) makes it the fallback rule. */
export interface RuleDraft {
  if?: string;
  to: string;
}

export function isFallback(rule: RuleDraft): boolean {
  return rule.if === undefined || rule.if.trim() === '';
}

/** The rules of a node's current `goto` (a plain target is one fallback rule). */
export function rulesOf(goto: NodeSpec['goto']): RuleDraft[] {
  if (goto === undefined) return [];
  if (typeof goto === 'string') return [{ to: goto }];
  return goto.map((r) => (r.if === undefined ? { to: r.to } : { if: r.if, to: r.to }));
}

/** The YAML value for `goto:`; undefined deletes the key. */
export function gotoValue(rules: readonly RuleDraft[]): string | Record<string, string>[] | undefined {
  if (rules.length === 0) return undefined;
  if (rules.length === 1 && isFallback(rules[0]!)) return rules[0]!.to;
  return rules.map((r): Record<string, string> =>
    isFallback(r) ? { to: r.to } : { if: r.if!.trim(), to: r.to },
  );
}

/** Adds a rule. Conditional rules go before an existing fallback (a fallback only makes sense last). */
export function addRule(rules: readonly RuleDraft[], rule: RuleDraft): RuleDraft[] {
  const fallbackAt = rules.findIndex(isFallback);
  if (isFallback(rule)) {
    if (fallbackAt >= 0) throw new Error('There is already a fallback rule');
    return [...rules, rule];
  }
  if (fallbackAt < 0) return [...rules, rule];
  return [...rules.slice(0, fallbackAt), rule, ...rules.slice(fallbackAt)];
}

export function removeRule(rules: readonly RuleDraft[], index: number): RuleDraft[] {
  checkIndex(rules, index);
  return rules.filter((_, i) => i !== index);
}

/** Moves rule `index` by `delta` places (-1 up, +1 down); clamped at the ends. */
export function moveRule(rules: readonly RuleDraft[], index: number, delta: number): RuleDraft[] {
  checkIndex(rules, index);
  const to = Math.max(0, Math.min(rules.length - 1, index + delta));
  const out = [...rules];
  const [moved] = out.splice(index, 1);
  out.splice(to, 0, moved!);
  return out;
}

export function updateRule(
  rules: readonly RuleDraft[],
  index: number,
  patch: Partial<RuleDraft>,
): RuleDraft[] {
  checkIndex(rules, index);
  return rules.map((r, i) => {
    if (i !== index) return r;
    const next: RuleDraft = { ...r, ...patch };
    if (next.if !== undefined && next.if.trim() === '') delete next.if;
    return next;
  });
}

function checkIndex(rules: readonly RuleDraft[], index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= rules.length) {
    throw new Error(`No goto rule at index ${index}`);
  }
}

/**
 * Problems of each rule (null when fine): condition syntax (checkExpression), unknown target, and a
 * fallback that is not last (rules after it could never be chosen).
 */
export function ruleErrors(rules: readonly RuleDraft[], targets: ReadonlySet<string>): (string | null)[] {
  return rules.map((rule, i) => {
    if (!isFallback(rule)) {
      const checked = checkExpression(rule.if!);
      if (!checked.ok) return `Condition: ${checked.message} (column ${checked.col})`;
    } else if (i < rules.length - 1) {
      return 'The fallback rule must be last: the rules after it can never be chosen';
    }
    if (rule.to === '') return 'Choose a target node';
    if (!targets.has(rule.to)) return `Unknown target '${rule.to}'`;
    return null;
  });
}

/** Writes the rules into the node's `goto:` (through edit.ts, so only that key's text changes). */
export function applyGotoRules(text: string, node: string, rules: readonly RuleDraft[]): string {
  return setNodeField(text, node, 'goto', gotoValue(rules));
}
