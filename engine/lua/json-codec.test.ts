// The Lua JSON codec at its edges, through real VMs: every character both ways (values and keys),
// number keys, the nesting limit in each direction for objects and arrays, and what the codec costs
// every fresh VM (issue #15: 10 fresh VMs within 250 KB of Lua heap).
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from '../limits.ts';
import { DEFAULT_MEMORY_BYTES, openVm } from './vm.ts';
import { useTestVm } from '../../test/lua-vm.ts';

const lua = useTestVm('codec');
const { exec, value } = lua;

/** `depth` containers, one inside the other, around the number 1. */
function nested(depth: number, kind: 'object' | 'array'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const ASCII = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');

describe('strings', () => {
  it('every ASCII character crosses both ways, in values and in keys', () => {
    const keys = ['"', '\\', '/', '\b\f\n\r\t', '\u0000\u001f\u007f', 'é😀', ASCII];
    const state = { all: ASCII, keyed: Object.fromEntries(keys.map((k, i) => [k, i])) };
    // Built in Lua too, so the encoder's escapes are checked on text the decoder never saw.
    const out = value(
      'local t = {} for i = 0, 127 do t[#t + 1] = string.char(i) end ' +
        'state.built = table.concat(t) state.keys = {} ' +
        'for k in pairs(state.keyed) do state.keys[#state.keys + 1] = k end table.sort(state.keys) ' +
        'return state',
      state,
    ) as Record<string, unknown>;
    expect(out.all).toBe(ASCII);
    expect(out.built).toBe(ASCII);
    expect(out.keyed).toEqual(state.keyed);
    expect(out.keys).toEqual([...keys].sort());
  });

  it('escapes inside keys and values decode to the same text a key without them would', () => {
    expect(
      value('return {state["a\\"b"], state["x\\ny"], state.plain}', { 'a"b': 1, 'x\ny': 2, plain: 'p"\n' }),
    ).toEqual([1, 2, 'p"\n']);
  });
});

describe('number keys', () => {
  it('integer and float keys of a non-array table become their text (floats: shortest exact form)', () => {
    expect(value('return {[-2] = "a", [0.1] = "b", [1/3] = "c", [2^53] = "d", x = "e"}')).toEqual({
      '-2': 'a',
      '0.1': 'b',
      '0.33333333333333331': 'c',
      '9007199254740992': 'd',
      x: 'e',
    });
  });

  it('an infinite key is refused like an infinite value', () => {
    const outcome = exec('return {[math.huge] = 1}');
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        kind: 'conversion',
        message: 'Cannot convert NaN or infinite number (Invalid float value) to JSON',
      },
    });
  });
});

describe('nesting limit', () => {
  it.each(['object', 'array'] as const)(
    'a state %s nested %d levels arrives, one more is refused',
    (kind) => {
      expect(value('return state ~= nil', nested(MAX_VALUE_DEPTH, kind))).toBe(true);
      const outcome = exec('return true', nested(MAX_VALUE_DEPTH + 1, kind));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok)
        expect(outcome.error.message).toContain(`nested deeper than ${MAX_VALUE_DEPTH} levels`);
    },
  );

  it.each([
    ['object', '{a = v}'],
    ['array', '{v}'],
  ])('a result %s nested to the limit is returned, one more level is a limit error', (kind, wrap) => {
    const build = (n: number) => `local v = 1 for i = 1, ${n} do v = ${wrap} end return v`;
    expect(value(build(MAX_VALUE_DEPTH))).toEqual(nested(MAX_VALUE_DEPTH, kind as 'object' | 'array'));
    expect(exec(build(MAX_VALUE_DEPTH + 1))).toMatchObject({
      ok: false,
      error: {
        kind: 'limit',
        message: `result of node 'codec' is nested deeper than ${MAX_VALUE_DEPTH} levels`,
      },
    });
  });
});

describe('cost per VM', () => {
  it('10 fresh VMs hold at most 250 KB of Lua heap (issue #15; 265 KB before the codec was slimmed)', async () => {
    const vms = await Promise.all(
      Array.from({ length: 10 }, () => openVm(lua.factory, { memoryBytes: DEFAULT_MEMORY_BYTES })),
    );
    try {
      const total = vms.reduce((sum, v) => sum + v.memory().heapBytes, 0);
      console.info(`[codec] 10 fresh VMs: ${total} bytes of Lua heap`);
      expect(total).toBeLessThanOrEqual(250_000);
    } finally {
      for (const v of vms) v.close();
    }
  });
});
