// The BUILT main bundle (out/main/index.js), loaded under plain Node with a recording fake of the
// 'electron' module (fixtures/fake-electron.mjs): checks the wiring main/index.ts does — secure window,
// preload/renderer/worker paths that exist, every channel registered, CSP header, permissions denied —
// and runs an example through the run handler with real workers (built worker.js behind a parentPort
// shim), expecting batched, ordered events on the window.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_ENV, WORKER_EXEC_ARGV } from '../../engine/run/worker-flags.ts';
import { invokeChannels } from '../shared/channels.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'out', 'main', 'index.js');
const userData = mkdtempSync(join(tmpdir(), 'fanout-main-'));
let report: Record<string, unknown> & {
  run: { started: { ok: boolean }; batches: number; events: number; seqInOrder: boolean; finished: string };
};

beforeAll(() => {
  if (!existsSync(bundle)) {
    console.warn('out/main/index.js missing: running `electron-vite build` first');
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
  const out = execFileSync(
    process.execPath,
    [join(root, 'electron/main/fixtures/load-main-bundle.mjs'), bundle],
    {
      cwd: root,
      env: { ...process.env, FAKE_APP_PATH: root, FAKE_USER_DATA: userData },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  report = JSON.parse(out.trim().split('\n').at(-1)!);
}, 90_000);
afterAll(() => rmSync(userData, { recursive: true, force: true }));

describe('built main bundle', () => {
  it('opens one secure window on the built renderer with the built preload', () => {
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: join(root, 'out', 'preload', 'index.cjs'),
    });
    expect(report.preloadExists).toBe(true);
    expect(report.loaded).toEqual({ file: join(root, 'out', 'renderer', 'index.html') });
    expect(report.loadedExists).toBe(true);
    expect(report.menu).toEqual(['&File', '&Edit', '&Run', '&View', '&Help']);
    expect(report.appEvents).toEqual([]);
  });

  it('registers every channel, refuses foreign senders, sets the CSP and denies permissions', () => {
    expect((report.channels as string[]).sort()).toEqual(Object.keys(invokeChannels).sort());
    expect(report.listed).toMatchObject({ ok: true });
    expect((report.listed as { value: { name: string }[] }).value.map((f) => f.name)).toContain(
      'parallel-isolation.yaml',
    );
    expect(report.forged).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(report.headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(report.permission).toBe(false);
  });

  it('keeps provider keys in userData sealed by safeStorage, refusing where there is no keychain', () => {
    expect(report.keys).toMatchObject({
      ok: true,
      value: { storage: { kind: 'keychain', path: join(userData, 'provider-keys.json') } },
    });
    expect((report.keys as { value: { unavailable: string } }).value.unavailable).toMatch(/no OS keychain/);
    expect(report.setKey).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(JSON.stringify(report.setKey)).not.toContain('sk-bundle-1234');
    expect(report.keyFileWritten).toBe(false);
  });

  it('forks utility workers on out/main/worker.js and streams a run back in ordered batches', () => {
    const forks = report.forks as { modulePath: string; args: string[]; options: unknown }[];
    expect(forks.length).toBeGreaterThan(0);
    for (const fork of forks) {
      // The same V8 flags and environment as the engine's own workers (engine/run/worker-flags.ts),
      // without NODE_EXTRA_CA_CERTS (engine/run/worker-env.ts: workers open no TLS connection).
      const { env, ...options } = fork.options as { env: Record<string, string | undefined> };
      expect({ ...fork, options }).toEqual({
        modulePath: join(root, 'out', 'main', 'worker.js'),
        args: [],
        options: { serviceName: 'fanout-worker', stdio: 'pipe', execArgv: [...WORKER_EXEC_ARGV] },
      });
      expect(env).toMatchObject(WORKER_ENV);
      expect(env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
      expect(env.PATH).toBe(process.env.PATH);
    }
    expect(report.workerExists).toBe(true);
    expect(report.run.started.ok).toBe(true);
    expect(report.run.finished).toBe('succeeded');
    expect(report.run.seqInOrder).toBe(true);
    expect(report.run.batches).toBeGreaterThan(0);
    expect(report.run.batches).toBeLessThanOrEqual(report.run.events);
  });
});
