// Which pages may call IPC: only the main frame of the app's own page (the built renderer over
// file://, or the electron-vite dev server in development). Anything else is refused.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TrustedPages {
  /** Absolute path of the built renderer's index.html. */
  rendererIndex: string;
  /** Origin-bearing URL of the dev server (ELECTRON_RENDERER_URL), when running `electron-vite dev`. */
  devServerUrl?: string | undefined;
}

/** The parts of WebFrameMain the check reads (tests pass plain objects). */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export function isTrustedUrl(url: string, pages: TrustedPages): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'file:') {
    try {
      // Query and hash are ignored (fileURLToPath drops them); the path must be the page itself.
      return resolve(fileURLToPath(parsed)) === resolve(pages.rendererIndex);
    } catch {
      return false;
    }
  }
  if (pages.devServerUrl && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    try {
      return parsed.origin === new URL(pages.devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

export function isTrustedSender(frame: FrameLike | null | undefined, pages: TrustedPages): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false; // sub-frames never talk to main
  return isTrustedUrl(frame.url, pages);
}

/** Links the app may hand to the system browser. */
export function isExternalHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
