// Test scaffolding shared by the VM-level test files: one factory and one VM per file, opened before
// its tests and closed after, and `exec`/`value` helpers that run a chunk in it (or in another VM).
import { afterAll, beforeAll } from 'vitest';
import type { ExecOutcome } from '../engine/lua/types.ts';
import {
  DEFAULT_MEMORY_BYTES,
  createLuaFactory,
  openVm,
  type LuaFactory,
  type LuaVm,
} from '../engine/lua/vm.ts';

export interface TestVm {
  readonly factory: LuaFactory;
  readonly vm: LuaVm;
  exec(code: string, state?: unknown, target?: LuaVm): ExecOutcome;
  /** The chunk's result; throws with the error's kind and message when it failed. */
  value(code: string, state?: unknown, target?: LuaVm): unknown;
}

export function useTestVm(chunkName: string): TestVm {
  let factory: LuaFactory | undefined;
  let vm: LuaVm | undefined;
  beforeAll(async () => {
    factory = await createLuaFactory();
    vm = await openVm(factory, { memoryBytes: DEFAULT_MEMORY_BYTES });
  });
  afterAll(() => vm?.close());
  const opened = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('useTestVm: used before beforeAll ran');
    return what;
  };
  const exec = (code: string, state: unknown = {}, target?: LuaVm): ExecOutcome =>
    (target ?? opened(vm)).exec(code, state, { chunkName, timeoutMs: 5000 });
  return {
    get factory() {
      return opened(factory);
    },
    get vm() {
      return opened(vm);
    },
    exec,
    value(code, state, target) {
      const outcome = exec(code, state, target);
      if (!outcome.ok)
        throw new Error(`expected success, got ${outcome.error.kind}: ${outcome.error.message}`);
      return outcome.value;
    },
  };
}
