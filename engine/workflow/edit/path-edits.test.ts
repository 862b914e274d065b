import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  appendNodeSeqItem,
  moveNodeSeqItem,
  removeNodeSeqItem,
  setNodePath,
  setTopLevelPath,
  swapNodeSeqItems,
} from './path-edits.ts';
import { EditError } from './splice.ts';

const DOC = [
  'name: ask',
  '# settings comment',
  'settings:',
  '  llm:',
  '    model: gpt-4o-mini # the default',
  '    custom_key: keep',
  '  timeout_ms: 5000',
  'nodes:',
  '  - name: ask',
  '    uses: llm.call',
  '    with:',
  '      # which provider',
  '      provider: mock',
  '      unknown_param: 1 # kept',
  '      messages:',
  '        - role: system # the persona',
  '          content: Be brief.',
  '        - { role: user, content: "{{ state.q }}" }',
  '    output: answer',
  '',
].join('\n');

/** Lines of `after` that differ from `before` (same line count expected). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((l, i) => l !== a[i]);
}

describe('setNodePath', () => {
  it('replaces one nested value and nothing else (comments and unknown keys kept)', () => {
    const out = setNodePath(DOC, 'ask', ['with', 'provider'], 'openai');
    expect(changedLines(DOC, out)).toEqual(['      provider: openai']);
  });

  it('keeps the inline comment of a replaced scalar', () => {
    const out = setTopLevelPath(DOC, ['settings', 'llm', 'model'], 'gpt-4o');
    expect(changedLines(DOC, out)).toEqual(['    model: gpt-4o # the default']);
  });

  it('inserts a new key into an existing mapping as one line', () => {
    const out = setNodePath(DOC, 'ask', ['with', 'temperature'], 0.2);
    expect(out.split('\n').length).toBe(DOC.split('\n').length + 1);
    expect(parse(out).nodes[0].with.temperature).toBe(0.2);
    expect(out).toContain('# which provider');
    expect(out).toContain('unknown_param: 1 # kept');
  });

  it('edits a key inside a sequence item, block or flow', () => {
    const block = setNodePath(DOC, 'ask', ['with', 'messages', 0, 'content'], 'Be very brief.');
    expect(changedLines(DOC, block)).toEqual(['          content: Be very brief.']);
    const flow = setNodePath(DOC, 'ask', ['with', 'messages', 1, 'role'], 'assistant');
    expect(parse(flow).nodes[0].with.messages[1]).toEqual({ role: 'assistant', content: '{{ state.q }}' });
    expect(flow).toContain('- role: system # the persona');
  });

  it('creates missing mappings along the path', () => {
    const text = 'name: t\nnodes:\n  - name: a\n    uses: llm.call\n    output: x\n';
    const out = setNodePath(text, 'a', ['with', 'response_format', 'type'], 'json_object');
    expect(parse(out).nodes[0]).toEqual({
      name: 'a',
      uses: 'llm.call',
      with: { response_format: { type: 'json_object' } },
      output: 'x',
    });
  });

  it('deletes a key, and the mapping it leaves empty', () => {
    const out = setNodePath(DOC, 'ask', ['with', 'unknown_param'], undefined);
    expect(out).not.toContain('unknown_param');
    expect(out).toContain('# which provider');
    const text =
      'name: t\nnodes:\n  - name: a\n    uses: llm.call\n    with:\n      model: m\n    output: x\n';
    expect(setNodePath(text, 'a', ['with', 'model'], undefined)).toBe(
      'name: t\nnodes:\n  - name: a\n    uses: llm.call\n    output: x\n',
    );
    // Deleting what is not there changes nothing.
    expect(setNodePath(DOC, 'ask', ['with', 'nothing', 'here'], undefined)).toBe(DOC);
  });

  it('never writes a mapping over a template or a list the author wrote', () => {
    const text = 'name: t\nnodes:\n  - name: a\n    uses: llm.call\n    with: "{{ state.params }}"\n';
    expect(() => setNodePath(text, 'a', ['with', 'model'], 'm')).toThrow(/with is not a mapping/);
    const empty = 'name: t\nnodes:\n  - name: a\n    uses: llm.call\n    with:\n    output: x\n';
    expect(parse(setNodePath(empty, 'a', ['with', 'model'], 'm')).nodes[0].with).toEqual({ model: 'm' });
  });

  it('refuses a missing sequence item with a clear error', () => {
    expect(() => setNodePath(DOC, 'ask', ['with', 'messages', 5, 'content'], 'x')).toThrow(EditError);
    expect(() => setNodePath(DOC, 'ask', ['with', 'messages', 5, 'content'], 'x')).toThrow(
      /messages\[5\] does not exist/,
    );
  });
});

describe('setTopLevelPath', () => {
  it('creates settings.llm in a file without settings', () => {
    const text = 'name: t\nnodes:\n  - name: a\n    run: return {}\n';
    const out = setTopLevelPath(text, ['settings', 'llm', 'provider'], 'mock');
    expect(parse(out).settings).toEqual({ llm: { provider: 'mock' } });
    expect(out.indexOf('settings:')).toBeLessThan(out.indexOf('nodes:'));
  });

  it('adds a rate limiter beside the others and deletes the last key with its section', () => {
    const out = setTopLevelPath(DOC, ['settings', 'rate_limiters', 'openai'], { rpm: 60 });
    expect(parse(out).settings.rate_limiters).toEqual({ openai: { rpm: 60 } });
    expect(out).toContain('custom_key: keep');
    const text = 'name: t\nsettings:\n  llm:\n    model: m\nnodes:\n  - name: a\n    run: return {}\n';
    expect(setTopLevelPath(text, ['settings', 'llm', 'model'], undefined)).toBe(
      'name: t\nnodes:\n  - name: a\n    run: return {}\n',
    );
  });
});

describe('sequence items under a node (messages)', () => {
  const M = ['with', 'messages'];
  const messages = (text: string) => parse(text).nodes[0].with.messages;

  it('swaps two items as text: each keeps its comment and its flow or block form', () => {
    const out = swapNodeSeqItems(DOC, 'ask', M, 0);
    expect(messages(out)).toEqual([
      { role: 'user', content: '{{ state.q }}' },
      { role: 'system', content: 'Be brief.' },
    ]);
    expect(out).toContain('        - { role: user, content: "{{ state.q }}" }\n');
    expect(out).toContain('        - role: system # the persona\n          content: Be brief.\n');
    // Swapping back gives the file back byte for byte.
    expect(swapNodeSeqItems(out, 'ask', M, 0)).toBe(DOC);
    expect(() => swapNodeSeqItems(DOC, 'ask', M, 1)).toThrow(EditError);
  });

  it('moves an item across several by adjacent swaps', () => {
    const three = appendNodeSeqItem(DOC, 'ask', M, { role: 'assistant', content: 'ok' });
    const moved = moveNodeSeqItem(three, 'ask', M, 2, 0);
    expect(messages(moved).map((m: { role: string }) => m.role)).toEqual(['assistant', 'system', 'user']);
    expect(moveNodeSeqItem(moved, 'ask', M, 0, 2)).toBe(three);
  });

  it('appends one flow line and removes an item without touching the others', () => {
    const out = appendNodeSeqItem(DOC, 'ask', M, { role: 'user', content: '' });
    const before = DOC.split('\n');
    const after = out.split('\n');
    expect(after.length).toBe(before.length + 1);
    expect(after.filter((l) => !before.includes(l))).toEqual(['        - {role: user, content: ""}']);
    expect(removeNodeSeqItem(out, 'ask', M, 2)).toBe(DOC);
    const first = removeNodeSeqItem(DOC, 'ask', M, 0);
    expect(messages(first)).toEqual([{ role: 'user', content: '{{ state.q }}' }]);
    expect(first).toContain('# which provider');
    // The last item takes the key with it; a missing list is created by an append.
    const none = removeNodeSeqItem(first, 'ask', M, 0);
    expect(parse(none).nodes[0].with.messages).toBeUndefined();
    expect(messages(appendNodeSeqItem(none, 'ask', M, { role: 'system', content: 'x' }))).toEqual([
      { role: 'system', content: 'x' },
    ]);
  });
});
