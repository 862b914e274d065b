// A worker must not outlive its host. The IPC 'disconnect' event covers a parent that dies while the
// worker's event loop is free; this check covers the rest. poll() is cheap enough to call from the Lua
// instruction hook and from inside sleep() (the exec's onTick), so a worker deep in
// `while true do end` or parked in a long sleep notices within about one interval.
import { readFileSync } from 'node:fs';
import { PARENT_CHECK_INTERVAL_MS } from '../limits.ts';

export class ParentWatch {
  private lastCheckAt = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly parentPid: number,
    private readonly onParentGone: () => void,
    private readonly intervalMs: number = PARENT_CHECK_INTERVAL_MS,
  ) {}

  /** Checks the parent at most once per interval; calls onParentGone when it is gone. */
  poll(): void {
    const now = performance.now();
    if (now - this.lastCheckAt < this.intervalMs) return;
    this.lastCheckAt = now;
    if (!parentAlive(this.parentPid)) this.onParentGone();
  }

  /** Also polls from a timer, for an idle worker whose 'disconnect' never arrives. */
  start(): void {
    this.timer ??= setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

let procfs = true;

/**
 * Whether `parentPid` is still this process's parent. On Linux the kernel re-parents an orphan at
 * once, so a changed ppid in /proc/self/stat is certain (and immune to pid reuse and zombie parents);
 * elsewhere, whether the pid still exists (`process.ppid` is read once at start-up, so it cannot tell).
 */
export function parentAlive(parentPid: number): boolean {
  if (procfs) {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and ')', so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number.isInteger(ppid)) return ppid === parentPid;
    } catch {
      procfs = false;
    }
  }
  try {
    process.kill(parentPid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (a sandbox); only ESRCH means gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
