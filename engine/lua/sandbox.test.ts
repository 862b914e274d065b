// Every escape route out of the sandbox is tried for real and must fail (or be harmless).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExecOutcome } from './types.ts';
import { createLuaFactory, openVm, type LuaFactory, type LuaVm } from './vm.ts';

let factory: LuaFactory;
let vm: LuaVm;

beforeAll(async () => {
  factory = await createLuaFactory();
});

beforeEach(async () => {
  vm = await openVm(factory, { memoryBytes: 16 * 1024 * 1024 });
});

afterEach(() => {
  vm.close();
});

afterAll(() => {
  expect(factory.stats().openVms).toBe(0);
});

function run(code: string): ExecOutcome {
  return vm.exec(code, {}, { chunkName: 'escape', timeoutMs: 2000 });
}

function value(code: string): unknown {
  const outcome = run(code);
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.value;
}

function failure(code: string): string {
  const outcome = run(code);
  if (outcome.ok) throw new Error(`expected failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error.message;
}

describe('removed globals', () => {
  it.each(['io', 'require', 'package', 'debug', 'dofile', 'loadfile', 'js', 'python', 'loadstring'])(
    '%s is nil',
    (name) => {
      expect(value(`return type(${name})`)).toBe('nil');
      expect(value(`return rawget(_G, '${name}') == nil`)).toBe(true);
    },
  );

  it('string.dump is gone, also through the string metatable', () => {
    expect(value('return type(string.dump)')).toBe('nil');
    expect(value('return type(("").dump)')).toBe('nil');
    expect(failure('return ("x"):dump()')).toMatch(/attempt to call a nil value \(method 'dump'\)/);
  });

  it('os keeps only clock, time, date, difftime', () => {
    const keys = value('local k = {} for name in pairs(os) do k[#k + 1] = name end table.sort(k) return k');
    expect(keys).toEqual(['clock', 'date', 'difftime', 'time']);
    for (const name of ['execute', 'exit', 'getenv', 'remove', 'rename', 'tmpname', 'setlocale']) {
      expect(failure(`return os.${name}('x')`)).toMatch(/attempt to call a nil value/);
    }
    expect(
      value('return type(os.time()) == "number" and type(os.clock()) == "number" and type(os.date("%Y"))'),
    ).toBe('string');
  });

  it('the standard, harmless libraries stay', () => {
    expect(
      value(
        'return {type(string), type(math), type(table), type(pairs), type(ipairs), type(coroutine), type(utf8), type(pcall)}',
      ),
    ).toEqual(['table', 'table', 'table', 'function', 'function', 'table', 'table', 'function']);
  });
});

describe('load', () => {
  it('loads text chunks', () => {
    expect(value('return load("return 1 + 1")()')).toBe(2);
    expect(value('local env = {x = 5} return load("return x", "c", "t", env)()')).toBe(5);
  });

  it('refuses binary chunks even when asked for mode b or bt', () => {
    // A precompiled-chunk header (ESC 'Lua' 0x54); string.dump is gone, so forge one by hand.
    const binary = 'string.char(27, 76, 117, 97, 84, 0) .. string.rep("\\0", 64)';
    for (const mode of ['"b"', '"bt"', 'nil']) {
      const result = value(`local f, err = load(${binary}, "bin", ${mode}) return {f == nil, err}`) as [
        boolean,
        string,
      ];
      expect(result[0]).toBe(true);
      expect(result[1]).toMatch(/attempt to load a binary chunk \(mode is 't'\)/);
    }
  });

  it('loaded chunks see the same sandboxed globals', () => {
    expect(value('return load("return type(io), type(debug), type(require)")()')).toBe('nil');
    expect(value('return {load("return type(io), type(os.execute)")()}')).toEqual(['nil', 'nil']);
  });
});

describe('metatables', () => {
  it('getmetatable("") exposes nothing and cannot be modified', () => {
    expect(value('return getmetatable("")')).toBe(false);
    expect(failure('getmetatable("").__index = {}')).toMatch(/attempt to index a boolean value/);
    expect(failure('setmetatable("", {})')).toMatch(/bad argument #1 to 'setmetatable' \(table expected/);
    expect(value('return ("abc"):upper()')).toBe('ABC');
  });

  it('setmetatable(_G, ...) is harmless: it cannot resurrect removed capabilities', () => {
    const result = value(`
      setmetatable(_G, { __index = function(_, k) return 'fake-' .. k end })
      return { io_type = type(io), dbg = debug, exec = type(os.execute) }
    `);
    expect(result).toEqual({ io_type: 'string', dbg: 'fake-debug', exec: 'nil' });
    // The runner holds its helpers as upvalues, so a hostile _G does not break the host either.
    expect(value('setmetatable(_G, { __index = error, __newindex = error }) return {1, 2}')).toEqual([1, 2]);
  });

  it('a hostile metatable on the returned table does not run during conversion', () => {
    const result = run(`
      return setmetatable({ a = 1 }, {
        __index = function() error('index ran') end,
        __pairs = function() error('pairs ran') end,
        __len = function() error('len ran') end,
      })
    `);
    expect(result).toMatchObject({ ok: true, value: { a: 1 } });
  });
});

describe('collectgarbage', () => {
  it('"count" works; collect/step are no-ops; other options are refused', () => {
    expect(value('return math.type(collectgarbage("count"))')).toBe('float');
    expect(value('return {collectgarbage(), collectgarbage("collect"), collectgarbage("step")}')).toEqual([
      0, 0, 0,
    ]);
    expect(value('return collectgarbage("isrunning")')).toBe(true);
    for (const option of ['stop', 'restart', 'incremental', 'generational', 'setpause']) {
      expect(failure(`collectgarbage("${option}")`)).toContain(`collectgarbage('${option}') is not allowed`);
    }
  });
});

describe('host internals are unreachable', () => {
  it('there is no global that leads to the JSON codec, emit or the runner', () => {
    const names = value(`
      local found = {}
      for k, v in pairs(_G) do found[#found + 1] = k end
      table.sort(found)
      return found
    `) as string[];
    const allowed = new Set([
      '_G',
      '_VERSION',
      'assert',
      'collectgarbage',
      'coroutine',
      'error',
      'getmetatable',
      'ipairs',
      'load',
      'math',
      'next',
      'os',
      'pairs',
      'pcall',
      'print',
      'rawequal',
      'rawget',
      'rawlen',
      'rawset',
      'select',
      'setmetatable',
      'sleep',
      'string',
      'table',
      'tonumber',
      'tostring',
      'type',
      'utf8',
      'warn',
      'xpcall',
    ]);
    expect(names.filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('wrapped functions do not leak upvalues (no debug library to read them)', () => {
    expect(value('return type(debug) == "nil" and type(string.dump) == "nil"')).toBe(true);
    // The only way to reach an upvalue is debug.getupvalue; load cannot reach a caller's locals either.
    expect(value('return load("return emit")()')).toBeNull();
  });

  it('warn is harmless (no warning sink installed)', () => {
    expect(run('warn("@on") warn("hello") return 1')).toMatchObject({ ok: true, value: 1 });
  });
});
