import { describe, expect, it } from 'vitest';
import { createRunSessionStore } from './run-session.ts';
import type { KeyValueStorage } from './run-session.ts';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('run session store', () => {
  it('remembers inputs and breakpoints per file across a restart', () => {
    const storage = memoryStorage();
    const a = createRunSessionStore(storage);
    a.getState().setInput('flows/a.yaml', '{"n": 1}');
    a.getState().toggleBreakpoint('flows/a.yaml', 'prepare');
    a.getState().toggleBreakpoint('flows/b.yaml', 'merge');
    const b = createRunSessionStore(storage);
    expect(b.getState().inputs).toEqual({ 'flows/a.yaml': '{"n": 1}' });
    expect(b.getState().breakpoints).toEqual({ 'flows/a.yaml': ['prepare'], 'flows/b.yaml': ['merge'] });
  });

  it('remembers the "refuse unavailable actions" choice for every file across a restart', () => {
    const storage = memoryStorage();
    const a = createRunSessionStore(storage);
    expect(a.getState().checkActions).toBe(false);
    a.getState().setCheckActions(true);
    expect(createRunSessionStore(storage).getState().checkActions).toBe(true);
  });

  it('toggles a breakpoint off, follows a rename, and forgets an input on reset', () => {
    const s = createRunSessionStore(memoryStorage());
    s.getState().toggleBreakpoint('f', 'x');
    s.getState().toggleBreakpoint('f', 'y');
    s.getState().toggleBreakpoint('f', 'x');
    expect(s.getState().breakpoints['f']).toEqual(['y']);
    s.getState().renameNode('f', 'y', 'z');
    expect(s.getState().breakpoints['f']).toEqual(['z']);
    s.getState().setInput('f', '{}');
    s.getState().resetInput('f');
    expect(s.getState().inputs['f']).toBeUndefined();
  });

  it('starts empty from a corrupt entry and keeps at most 200 files', () => {
    const storage = memoryStorage();
    storage.setItem('fanout.run-session.v1', '{not json');
    const s = createRunSessionStore(storage);
    expect(s.getState().inputs).toEqual({});
    for (let i = 0; i < 250; i++) s.getState().setInput(`f${i}`, '{}');
    const keys = Object.keys(s.getState().inputs);
    expect(keys).toHaveLength(200);
    expect(keys[0]).toBe('f50');
    expect(keys.at(-1)).toBe('f249');
  });
});
