// The file list and the open document follow the disk. The host pushes a change of a folder the app
// listed (engine/host/folder-watch.ts: another program, a run's file.write); the window regaining
// focus or becoming visible and the end of a run ask too, for hosts or file systems without watches.
// Every ask is coalesced: one re-list in flight and at most one more after it, however many arrive.
import type { FileEntry, HostApi } from '../../../engine/host/types.ts';

/** True when two listings show the same entries (a re-list that found nothing new). */
export function sameListing(a: readonly FileEntry[], b: readonly FileEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return (
        x.path === y.path &&
        x.kind === y.kind &&
        x.size === y.size &&
        x.mtimeMs === y.mtimeMs &&
        x.notWorkflow === y.notWorkflow
      );
    })
  );
}

/**
 * Wraps `work` so that calls while it runs do not start it again: they are answered by ONE more run
 * after the current one (which sees everything that happened before it started).
 */
export function coalesce(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = work()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };
  return () => {
    if (again) return again;
    if (!running) return start();
    again = running.then(() => {
      again = null;
      return start();
    });
    return again;
  };
}

/**
 * Orders the listings of the shown folder: the user's navigation wins over a background re-list
 * (which would otherwise land after it and show the folder the user just left), and of two
 * navigations the later one wins. A re-list asked for while a navigation lists is skipped, but that
 * navigation may have read the folder just before the change: it says so (skippedMeanwhile).
 */
export function listingOrder() {
  let latest = 0;
  let navigating = 0;
  let skips = 0;
  return {
    /** A listing starts; null: skip this re-list (a navigation under way brings fresh entries). */
    start(background: boolean): { finish(): boolean; skippedMeanwhile(): boolean } | null {
      if (background && navigating > 0) {
        skips++;
        return null;
      }
      const mine = background ? latest : ++latest;
      if (!background) navigating++;
      let finished = false;
      let seen = skips;
      return {
        /** A navigation: true (once per skip) when a re-list was skipped since it started or last asked. */
        skippedMeanwhile() {
          if (background || seen === skips) return false;
          seen = skips;
          return true;
        },
        /** The listing answered: true when its entries should be shown. */
        finish() {
          if (!background && !finished) navigating--;
          finished = true;
          return mine === latest;
        },
      };
    },
  };
}

/** Extra reads of a folder whose changes keep being told while it is listed (a busy folder). */
export const MAX_RELISTS = 2;

/**
 * A navigation's listing: read again while re-lists were skipped during the read (at most
 * MAX_RELISTS times), so a change told mid-listing is not lost.
 */
export async function listFresh<T>(
  turn: { skippedMeanwhile(): boolean },
  list: () => Promise<T>,
): Promise<T> {
  let listed = await list();
  for (let again = 0; again < MAX_RELISTS && turn.skippedMeanwhile(); again++) listed = await list();
  return listed;
}

export interface FollowDiskDeps {
  host: Pick<HostApi, 'onFilesChanged' | 'onRunEvents'>;
  /** Where focus arrives (window). */
  win: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Where visibility changes arrive (document). */
  page: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  /** Reads the shown folder again (keeps what is shown on failure). */
  relist(): Promise<void>;
  /**
   * Compares the open document with its file (file-flows.ts checkDisk). `pushed`: the host told of a
   * change while the user may be typing, so nothing modal (focus is the moment to ask).
   */
  checkOpenFile(pushed: boolean): Promise<void>;
}

/** Subscribes everything that should re-read the disk; returns the unsubscribe. */
export function followDisk(deps: FollowDiskDeps): () => void {
  const relist = coalesce(deps.relist);
  const checkOnFocus = coalesce(() => deps.checkOpenFile(false));
  const checkOnPush = coalesce(() => deps.checkOpenFile(true));
  const onFocus = () => {
    if (deps.page.visibilityState !== 'visible') return;
    void relist();
    void checkOnFocus();
  };
  deps.win.addEventListener('focus', onFocus);
  deps.page.addEventListener('visibilitychange', onFocus);
  const offFiles =
    deps.host.onFilesChanged?.(() => {
      void relist();
      void checkOnPush();
    }) ?? (() => {});
  // A run may have written files (file.write): the list is read once its run ends.
  const offRuns = deps.host.onRunEvents((events) => {
    if (events.some((e) => e.type === 'run-finished')) void relist();
  });
  return () => {
    deps.win.removeEventListener('focus', onFocus);
    deps.page.removeEventListener('visibilitychange', onFocus);
    offFiles();
    offRuns();
  };
}
