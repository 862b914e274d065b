// Edits of one rule in a node's block `goto:` list (`- if: … / to: …`): replace, insert, delete, in
// place, so the other rules keep their comments and layout. Flow lists (`goto: [{…}]`) and the
// last rule's removal rewrite the whole `goto` key instead (setNodeFieldSplices), which the caller
// chooses. Rules are counted as the model counts them: the list's mapping items.
import { isMap, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import { renderFlow, renderScalar } from '../serialize.ts';
import type { PlainGotoRule } from '../serialize.ts';
import { colOf, lineEndIncl, lineStart } from './lines.ts';
import { deref, nodeName, pairValue } from './locate.ts';
import type { EditDoc } from './locate.ts';
import { seqZone } from './primitives.ts';
import { EditError, NeedsReparse } from './splice.ts';
import type { Splice } from './splice.ts';

interface BlockRules {
  rules: YAMLMap[];
  zone: [number, number];
}

/** The block goto rules of top-level node `node` (the model's node list is the top level). */
function blockRules(p: EditDoc, node: string): BlockRules {
  // Rule offsets come from this parse: pending batch changes would make them stale.
  if (p.batch && p.batch.pending > 0) throw new NeedsReparse();
  const nodes = p.root ? pairValue(p, p.root, 'nodes') : null;
  const map = isSeq(nodes)
    ? nodes.items.map((item) => deref(p, item)).find((m) => isMap(m) && nodeName(p, m) === node)
    : undefined;
  if (!isMap(map)) throw new EditError(`No node named '${node}'`);
  const goto = pairValue(p, map, 'goto');
  if (!isSeq(goto) || goto.flow) throw new EditError(`'${node}' has no block list of goto rules`);
  const rules = goto.items.map((item) => deref(p, item)).filter((r): r is YAMLMap => isMap(r));
  return { rules, zone: seqZone(p, goto) };
}

function ruleAt(b: BlockRules, index: number): YAMLMap {
  const rule = b.rules[index];
  if (!rule) throw new EditError(`No goto rule at index ${index}`);
  return rule;
}

/** Offset range of a rule's own text (trailing blank and comment lines excluded) and its dash. */
function ruleRange(text: string, rule: YAMLMap): { start: number; end: number; dash: number } {
  const start = rule.range![0];
  let end = rule.range![1];
  for (;;) {
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    const ls = lineStart(text, end);
    if (ls > start && text.slice(ls, end).trim().startsWith('#')) end = ls;
    else break;
  }
  let dash = start - 1;
  while (dash >= 0 && text[dash] !== '-') dash--;
  return { start, end, dash };
}

/** A rule edit reads the whole list; later edits see its result (the batch re-parses). */
function ruleSplice(b: BlockRules, splice: Splice): Splice[] {
  splice.zones = [[splice.start, splice.end], b.zone];
  splice.barrier = true;
  return [splice];
}

/** A builder that writes `plain` at rule `index` of top-level node `node`. */
type RuleWrite = (p: EditDoc, node: string, index: number, plain: PlainGotoRule) => Splice[];

/** Rule `index` of `node` becomes `plain`, in the rule's own style (flow `{…}` or block keys). */
export const replaceGotoRuleSplices: RuleWrite = (p, node, index, plain) => {
  const b = blockRules(p, node);
  const rule = ruleAt(b, index);
  const r = ruleRange(p.text, rule);
  let text: string;
  if (p.text[r.start] === '{') text = renderFlow(plain);
  else {
    const lines = [];
    if (plain.if !== undefined) lines.push(`if: ${renderScalar(plain.if)}`);
    lines.push(`to: ${renderScalar(plain.to)}`);
    text = lines.join(`\n${' '.repeat(colOf(p.text, r.start))}`);
  }
  return ruleSplice(b, { start: r.start, end: r.end, text });
};

/** Inserts `plain` as a block rule before rule `index` (after the last when index = rule count). */
export const insertGotoRuleSplices: RuleWrite = (p, node, index, plain) => {
  const b = blockRules(p, node);
  if (b.rules.length === 0) throw new EditError(`'${node}' has no goto rules to insert next to`);
  const text = p.text;
  const ref = b.rules[Math.min(index, b.rules.length - 1)]!;
  const r = ruleRange(text, ref);
  const dashCol = colOf(text, r.dash);
  const keyCol = colOf(text, r.start);
  const first = plain.if !== undefined ? `if: ${renderScalar(plain.if)}` : `to: ${renderScalar(plain.to)}`;
  const lines = [`${' '.repeat(dashCol)}-${' '.repeat(keyCol - dashCol - 1)}${first}`];
  if (plain.if !== undefined) lines.push(`${' '.repeat(keyCol)}to: ${renderScalar(plain.to)}`);
  const at = index >= b.rules.length ? lineEndIncl(text, r.end) : lineStart(text, r.dash);
  const needsNl = at === text.length && !text.endsWith('\n');
  return ruleSplice(b, { start: at, end: at, text: `${needsNl ? '\n' : ''}${lines.join('\n')}\n` });
};

/** Deletes block rule `index` with its lines (the caller removes a last rule with its `goto`). */
export function deleteGotoRuleSplices(p: EditDoc, node: string, index: number): Splice[] {
  const b = blockRules(p, node);
  const r = ruleRange(p.text, ruleAt(b, index));
  return ruleSplice(b, { start: lineStart(p.text, r.dash), end: lineEndIncl(p.text, r.end), text: '' });
}
