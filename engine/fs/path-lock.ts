// An in-process async mutex per file: a save's check (is the file still what the client opened?) and
// its write happen under the lock, so of N concurrent saves expecting the same version exactly one
// wins and the others see the conflict. Keyed by real path, so two names of one file share a lock.

const tails = new Map<string, Promise<void>>();

/** Runs `fn` once every earlier holder of `key` has finished; holders run in call order. */
export async function withPathLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    // The last holder leaves no entry behind.
    if (tails.get(key) === tail) tails.delete(key);
  }
}
