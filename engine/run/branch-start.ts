// The start of one parallel branch (static fan-out or dynamic_parallel item), shared by both: wait for
// a host branch slot, then either create the VM at once (the first node is Lua, so the bar starts with
// a VM-creation mark as before) or start with no VM and report one if the branch creates it later.
import { hostBranchSlots } from './branch-slots.ts';
import type { EventStamper } from './events.ts';
import { round } from './events.ts';
import type { BranchVm } from './vm-hosts.ts';

export interface BranchStartFailure {
  message: string;
  errorType: string;
  timeout: boolean;
}

export interface BranchStart {
  /** Gives the host branch slot back (idempotent; a no-op when none was taken). */
  release: () => void;
  failure?: BranchStartFailure;
}

export async function startBranch(options: {
  events: EventStamper;
  fanOut: string;
  branch: string;
  vm: BranchVm;
  signal: AbortSignal;
  /** The branch's first node is Lua: it needs its VM at once. */
  luaFirst: boolean;
}): Promise<BranchStart> {
  const { events, fanOut, branch, vm, signal } = options;
  let release: () => void;
  try {
    release = await hostBranchSlots.acquire(signal);
  } catch {
    return {
      release: () => {},
      failure: { message: 'cancelled', errorType: 'Cancelled', timeout: false },
    };
  }
  if (options.luaFirst) {
    const opened = await vm.open();
    if (!opened.ok) return { release, failure: opened.failure };
    events.emit({
      type: 'branch-started',
      fanOut,
      branch,
      worker: opened.worker,
      vmCreateMs: round(opened.ms),
    });
    return { release };
  }
  events.emit({ type: 'branch-started', fanOut, branch, vmCreateMs: 0 });
  vm.onCreated = (worker, ms) =>
    events.emit({ type: 'branch-vm-created', fanOut, branch, worker, vmCreateMs: round(ms) });
  return { release };
}
