import { describe, expect, it } from 'vitest';
import { ACTION_CATALOGUE } from './catalogue.ts';
import { createDefaultRegistry } from './index.ts';

describe('ACTION_CATALOGUE', () => {
  it('is the default registry (names, descriptions, parameters), without the actions.* aliases', () => {
    const registry = createDefaultRegistry();
    const expected = registry
      .names()
      .filter((n) => !n.startsWith('actions.'))
      .sort()
      .map((n) => registry.info(n));
    expect(ACTION_CATALOGUE).toEqual(expected);
    for (const entry of ACTION_CATALOGUE) expect(entry.description, entry.name).toBeTruthy();
  });
});
