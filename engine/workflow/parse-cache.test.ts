import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseForEdit, setNodePosition } from './edit.ts';
import { loadWorkflow } from './load.ts';
import { cachedParse } from './parse-cache.ts';

const TEXT = `name: t
nodes:
  - name: a
    run: |
      return {}
    metadata: {fanout: {x: 0, y: 0}}
  - name: b
    run: return {}
`;

describe('parse cache shared by load and edit', () => {
  it('lets an edit of the text just loaded reuse its parse, with the same result as a fresh parse', () => {
    loadWorkflow(TEXT);
    const cached = cachedParse(TEXT);
    expect(cached).not.toBeNull();
    expect(parseForEdit(TEXT).doc).toBe(cached);
    const viaCache = setNodePosition(TEXT, 'a', { x: 32, y: 48 });
    // Same edit on a parse the cache has never seen (a copy of the text with a trailing comment).
    const fresh = setNodePosition(`${TEXT}# end\n`, 'a', { x: 32, y: 48 });
    expect(`${viaCache}# end\n`).toBe(fresh);
    // The shared Document was only read: it still prints the text it was parsed from.
    expect(String(cached)).toBe(String(parseDocument(TEXT)));
  });

  it('never serves a parse for another text or a text with errors', () => {
    loadWorkflow(TEXT);
    expect(cachedParse(`${TEXT} `)).toBeNull();
    const broken = 'name: [unclosed\n';
    loadWorkflow(broken);
    expect(cachedParse(broken)).toBeNull();
  });
});
