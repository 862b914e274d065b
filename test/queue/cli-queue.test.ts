// `fanout run --redis` and `fanout worker` as a user runs them, against a password-protected real
// redis-server: the branches run on the worker, and the password is printed nowhere.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutYaml, repoRoot } from '../helpers.ts';
import { redisServerAvailable, startRedis } from './redis-server.ts';
import type { RedisServer } from './redis-server.ts';
import { startQueueWorker } from './queue-workers.ts';
import type { QueueWorkerProcess } from './queue-workers.ts';

const exec = promisify(execFile);
const available = redisServerAvailable();
if (!available) console.warn('queue CLI tests skipped: redis-server is not installed');

const PASSWORD = 'pw-Zq81!secret';

async function fanout(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await exec('node', [join(repoRoot, 'bin/fanout.js'), ...args], {
      env: { ...process.env, FANOUT_REDIS_URL: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!available)('fanout run --redis / fanout worker', () => {
  let redis: RedisServer;
  let worker: QueueWorkerProcess;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    expect(redis.url).toContain(encodeURIComponent(PASSWORD));
    worker = startQueueWorker({ redisUrl: redis.url, id: 'cli-w1', workers: 2 });
    await worker.waitFor(/ready/);
    dir = mkdtempSync(join(tmpdir(), 'fanout-queue-cli-'));
    file = join(dir, 'fan.yaml');
    writeFileSync(file, fanOutYaml({ branches: { a: 'return { a = 1 }', b: 'return { b = 2 }' } }));
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the branches on the worker; neither side prints the password', async () => {
    const out = await fanout(['run', file, '--redis', redis.url, '--events']);
    expect(out.code).toBe(0);
    const state = JSON.parse(out.stdout) as { parallel_results: { branch: string; success: boolean }[] };
    expect(state.parallel_results.map((r) => [r.branch, r.success])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(out.stderr).toMatch(/"remoteWorker":"cli-w1"/);
    expect(worker.log()).toMatch(/done branch 'a'/);
    for (const text of [out.stdout, out.stderr, worker.log()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  }, 60_000);

  it('fanout batch --redis: each row runs as a job on the worker', async () => {
    const flow = join(dir, 'double.yaml');
    writeFileSync(
      flow,
      'name: double\nnodes:\n  - name: d\n    language: lua\n    run: |\n      return { y = state.x * 2 }\nedges:\n  - {from: __start__, to: d}\n  - {from: d, to: __end__}\n',
    );
    const rows = join(dir, 'rows.jsonl');
    writeFileSync(rows, [1, 2, 3, 4, 5].map((x) => JSON.stringify({ x })).join('\n') + '\n');
    const out = await fanout(['batch', flow, '--inputs', rows, '--redis', redis.url]);
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; state: { y: number }; worker: string });
    expect(lines.map((l) => l.state.y).sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    expect(new Set(lines.map((l) => l.worker))).toEqual(new Set(['cli-w1']));
    expect(out.stdout + out.stderr).not.toContain(PASSWORD);
  }, 60_000);

  it('a wrong password is an error that does not quote it', async () => {
    const wrong = `redis://:${encodeURIComponent('Wrong-pw-777')}@127.0.0.1:${redis.port}`;
    const [out, w] = await Promise.all([
      fanout(['run', file, '--redis', wrong]),
      fanout(['worker', '--redis', wrong, '--id', 'bad']),
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/cannot reach Redis: WRONGPASS/);
    expect(out.stderr).not.toContain('Wrong-pw-777');
    expect(w.code).toBe(1);
    expect(w.stderr).not.toContain('Wrong-pw-777');
  }, 60_000);

  it('strategy: remote takes the URL from FANOUT_REDIS_URL; a URL in the file is an error at its line', async () => {
    const remoteFile = join(dir, 'remote.yaml');
    writeFileSync(
      remoteFile,
      fanOutYaml({ branches: { a: 'return { a = 1 }' }, settings: 'parallel:\n  strategy: remote' }),
    );
    const leaky = join(dir, 'leaky.yaml');
    const yaml = fanOutYaml({
      branches: { a: 'return { a = 1 }' },
      settings: `parallel:\n  strategy: remote\n  remote: "${redis.url}"`,
    });
    writeFileSync(leaky, yaml);
    const line = yaml.split('\n').findIndex((l) => l.includes('remote: "redis')) + 1;
    const [missing, viaEnv, refused, validated] = await Promise.all([
      fanout(['run', remoteFile]),
      fanout(['run', remoteFile, '--events'], { FANOUT_REDIS_URL: redis.url }),
      fanout(['run', leaky], { FANOUT_REDIS_URL: redis.url }),
      fanout(['validate', leaky]),
    ]);
    expect(validated.code).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(new RegExp(`:${line}:\\d+: error REDIS_URL_IN_FILE`));
    expect(validated.stdout + validated.stderr).not.toContain(PASSWORD);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/REMOTE_WITHOUT_REDIS/);
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stderr).toMatch(/"remoteWorker":"cli-w1"/);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${leaky}:${line}:`);
    expect(refused.stderr).toMatch(/REDIS_URL_IN_FILE/);
    expect(refused.stderr).not.toContain(PASSWORD);
  }, 90_000);
});
