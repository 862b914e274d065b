// A fast-check arbitrary of Lua expressions that build values of every shape a node may return: plain
// leaves, tables and lists, chains around and far past the depth bound, and leaves JSON cannot hold.
// Shared by the engine fuzz (hardening-engine) and the transport fuzz (host-contract).
import fc from 'fast-check';

/**
 * A Lua expression, how deep the value it builds is (tables count one level each), and whether it
 * holds something JSON cannot (NaN, infinity, a function, a non-UTF-8 string).
 */
export interface LuaValue {
  code: string;
  depth: number;
  bad: boolean;
}

const BAD_LEAVES = new Set(['0/0', 'math.huge', 'print', '"\\255"']);

export const luaValue: fc.Arbitrary<LuaValue> = fc.letrec<{ value: LuaValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .constantFrom('nil', 'true', '42', '-1.5', '"text"', '0/0', 'math.huge', 'print', '"\\255"')
      .map((code) => ({ code, depth: 0, bad: BAD_LEAVES.has(code) })),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({
      code: `{${items.map((i) => i.code).join(', ')}}`,
      depth: 1 + Math.max(0, ...items.map((i) => i.depth)),
      bad: items.some((i) => i.bad),
    })),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie('value'), { maxKeys: 4 }).map((entries) => ({
      code: `{${Object.entries(entries)
        .map(([k, v]) => `${k} = ${v.code}`)
        .join(', ')}}`,
      depth: 1 + Math.max(0, ...Object.values(entries).map((v) => v.depth)),
      bad: Object.values(entries).some((v) => v.bad),
    })),
    // A chain around the depth bound and far past it (the issue's crash was at ~2,500).
    fc.integer({ min: 150, max: 4000 }).map((n) => ({
      code: `(function() local t = {} for i = 1, ${n} do t = {t} end return t end)()`,
      depth: n + 1,
      bad: false,
    })),
  ),
})).value;
