// Picks the host the UI talks to: the Electron preload API when present, else the browser host of
// `fanout serve` (./browser.ts). The browser module is looked up with a glob so the shell still builds
// and explains itself while that module does not exist.
import type { HostApi } from '../../../engine/host/types.ts';
import { createElectronHost } from './electron.ts';

interface BrowserHostModule {
  browserHostFromLocation(): HostApi | null;
}

const browserModules = import.meta.glob<BrowserHostModule>('./browser.ts', { eager: true });

export type HostChoice = { ok: true; host: HostApi } | { ok: false; reason: string };

export function pickHost(): HostChoice {
  if (window.fanout) return { ok: true, host: createElectronHost(window.fanout) };
  const browser = browserModules['./browser.ts'];
  if (!browser) {
    return {
      ok: false,
      reason:
        'No host available: not running inside the desktop app, and this build has no browser host ' +
        '(renderer/src/host/browser.ts). Start the app with `npm start`.',
    };
  }
  const host = browser.browserHostFromLocation();
  return host
    ? { ok: true, host }
    : {
        ok: false,
        reason:
          'No host available: open the URL printed by `fanout serve` (it carries the access token), ' +
          'or start the desktop app.',
      };
}
