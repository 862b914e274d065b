// `npm start` on a machine without the Electron binary runs Electron's real installer
// (node_modules/electron/install.js) once, with a time limit, and reports a failure in one line.
// The installer is pointed at a local mirror (ELECTRON_MIRROR) that refuses or stalls, with an empty
// download cache, so these tests never download anything and behave the same online and offline.
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary, installElectronBinary } from '../scripts/electron-binary.mjs';
import { repoRoot } from './helpers.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local "mirror": answers 404, or accepts the request and never answers. */
async function mirror(behaviour: '404' | 'stall'): Promise<string> {
  const server = createServer((_req, res) => {
    if (behaviour === '404') res.writeHead(404).end('not here');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function installerEnv(mirrorUrl: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ELECTRON_MIRROR: mirrorUrl,
    electron_config_cache: await mkdtemp(join(tmpdir(), 'fanout-electron-cache-')),
    ELECTRON_GET_NO_PROGRESS: '1',
  };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return env;
}

const installed = electronBinary(repoRoot).path !== null;
console.log(
  installed
    ? 'electron-install: the Electron binary is installed here: skipping the download-failure tests (they need it missing)'
    : 'electron-install: no Electron binary here: skipping the already-installed test',
);

describe('Electron binary for npm start', () => {
  it.runIf(!installed)('a failed download is one line naming the cause, and no binary appears', async () => {
    const result = await installElectronBinary(repoRoot, { env: await installerEnv(await mirror('404')) });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/404/);
    expect(result.reason).not.toContain('\n');
    expect(electronBinary(repoRoot).path).toBeNull();
  });

  it.runIf(!installed)('a stalled download is killed at the time limit', async () => {
    const env = await installerEnv(await mirror('stall'));
    const started = performance.now();
    const result = await installElectronBinary(repoRoot, { env, timeoutMs: 1500 });
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, reason: 'the download took longer than 1.5 s' });
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(15_000);
  });

  it.runIf(installed)('with the binary present the installer is a no-op that reports success', async () => {
    const result = await installElectronBinary(repoRoot, { env: await installerEnv(await mirror('404')) });
    expect(result).toEqual({ ok: true, reason: null });
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD is reported, not silently obeyed', async () => {
    const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
    const result = await installElectronBinary(repoRoot, { env });
    expect(result).toEqual({ ok: false, reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' });
  });
});
