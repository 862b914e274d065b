// How many parallel branches the host process runs at once. A branch leases a worker only when it
// first needs Lua, so branches that only call actions are bounded here instead (MAX_HOST_BRANCHES),
// across every run of the process. Waiters are served first come, first served.
import { MAX_HOST_BRANCHES } from '../limits.ts';

export class BranchSlots {
  private inFlight = 0;
  private readonly waiting: { grant: () => void; drop: () => void }[] = [];

  constructor(readonly capacity: number) {}

  get active(): number {
    return this.inFlight;
  }

  /**
   * Resolves with a release function once a slot is free; rejects when `signal` aborts first. The
   * release function is idempotent.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new Error('cancelled'));
    if (this.inFlight < this.capacity) {
      this.inFlight++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', entry.drop);
          resolve(this.releaser());
        },
        drop: () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new Error('cancelled'));
        },
      };
      signal?.addEventListener('abort', entry.drop, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so inFlight does not change.
      if (next) next.grant();
      else this.inFlight--;
    };
  }
}

/** The host process's branch slots, shared by every run and engine in it. */
export const hostBranchSlots = new BranchSlots(MAX_HOST_BRANCHES);
