// Pooled worker processes start without NODE_EXTRA_CA_CERTS (Node 20 parses that file at every
// process start; a worker never opens a TLS connection) and with the rest of the host's environment.
// Read back from the real processes' /proc/<pid>/environ (Linux).
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from './pool.ts';
import { workerEnv } from './worker-env.ts';

let pool: WorkerPool | undefined;
const saved = { ...process.env };
afterEach(async () => {
  await pool?.close();
  pool = undefined;
  for (const name of ['NODE_EXTRA_CA_CERTS', 'FANOUT_ENV_PROBE']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('worker environment', () => {
  it('drops NODE_EXTRA_CA_CERTS and keeps everything else', () => {
    const env = workerEnv({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem', HOME: '/h' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h' });
  });

  it('every pooled worker process starts with it, and runs Lua', async (ctx) => {
    if (!existsSync('/proc/self/environ')) {
      console.info('[worker-env] skipped: no /proc/<pid>/environ on this platform');
      ctx.skip();
    }
    process.env.NODE_EXTRA_CA_CERTS = '/nonexistent/extra-ca.pem';
    process.env.FANOUT_ENV_PROBE = 'kept';
    pool = new WorkerPool({ size: 2 });
    await pool.start();
    const pids = pool.stats().workers.map((w) => w.pid!);
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('FANOUT_ENV_PROBE=kept');
      expect(environ.some((entry) => entry.startsWith('NODE_EXTRA_CA_CERTS='))).toBe(false);
    }
    expect(await pool.checkSyntax('return 1', 'ok')).toEqual({ ok: true });
  });
});
