// How `fanout` starts: bin/fanout.js picks the compiled engine when it is current and the TypeScript
// sources otherwise (real processes on a scratch copy of the entry); the compiled `run` needs nothing
// from node_modules (no tsx, no queue libraries); a serve start that fails leaves no worker behind.
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../engine/serve/server.ts';
import { fanOutYaml, repoRoot, workerPids } from './helpers.ts';

const exec = promisify(execFile);
const scratch = mkdtempSync(join(os.tmpdir(), 'fanout-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A package-shaped folder: the real bin/fanout.js, a dist/ whose cli.js says "compiled", and (for a
 * checkout) an engine/cli.ts that says "sources" — so the output names the engine that ran.
 */
function layout(name: string, options: { checkout: boolean }): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'bin', 'fanout.js'), readFileSync(join(repoRoot, 'bin', 'fanout.js')));
  const main = (what: string) =>
    `export async function main() { process.stdout.write('${what}\\n'); return 0; }\n`;
  writeFileSync(join(root, 'dist', 'cli.js'), main('compiled'));
  if (options.checkout) {
    mkdirSync(join(root, 'engine'));
    writeFileSync(join(root, 'engine', 'cli.ts'), main('sources'));
    // tsx for the fallback, as a checkout has it.
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  }
  const builtFrom = Date.now();
  writeFileSync(join(root, 'dist', 'inputs.json'), JSON.stringify({ builtFrom, inputs: ['engine/cli.ts'] }));
  // Sources older than the build.
  if (options.checkout)
    utimesSync(join(root, 'engine', 'cli.ts'), new Date(builtFrom - 60_000), new Date(builtFrom - 60_000));
  return root;
}

async function whichRuns(root: string): Promise<string> {
  const { stdout } = await exec(process.execPath, [join(root, 'bin', 'fanout.js')], { cwd: root });
  return stdout.trim();
}

describe('bin/fanout.js picks the engine', () => {
  it('runs dist/ in an installed package (no sources next to it)', async () => {
    expect(await whichRuns(layout('package', { checkout: false }))).toBe('compiled');
  });

  it('runs dist/ in a checkout whose sources are older than the build', async () => {
    expect(await whichRuns(layout('fresh', { checkout: true }))).toBe('compiled');
  });

  it('runs the sources through tsx when one of them changed after the build', async () => {
    const root = layout('stale', { checkout: true });
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'engine', 'cli.ts'), later, later);
    expect(await whichRuns(root)).toBe('sources');
  });

  it('runs the sources through tsx when dist/ is incomplete (no inputs.json yet)', async () => {
    const root = layout('incomplete', { checkout: true });
    rmSync(join(root, 'dist', 'inputs.json'));
    expect(await whichRuns(root)).toBe('sources');
  });
});

describe('the compiled CLI', () => {
  it('validates and runs a fan-out from dist/ and bin/ alone: no node_modules, so no tsx and no bullmq', async () => {
    // dist/ is built by the global set-up (test/build-engine.global.ts) from the current sources.
    const root = join(scratch, 'bare');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    cpSync(join(repoRoot, 'bin', 'fanout.js'), join(root, 'bin', 'fanout.js'));
    cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true });
    const file = join(root, 'fan-out.yaml');
    writeFileSync(file, fanOutYaml({ branches: { a: 'return { a = 1 }', b: 'return { b = 2 }' } }));
    const fanout = (...args: string[]) =>
      exec(process.execPath, [join(root, 'bin', 'fanout.js'), ...args], { cwd: root });
    expect((await fanout('validate', file)).stdout).toMatch(/^0 errors/);
    const { stdout } = await fanout('run', file);
    const state = JSON.parse(stdout) as { parallel_results: { success: boolean }[] };
    expect(state.parallel_results.map((r) => r.success)).toEqual([true, true]);
  });
});

describe('serve start-up', () => {
  it.skipIf(process.platform !== 'linux')(
    'a start that fails (port taken) rejects and leaves no worker process running',
    async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as AddressInfo).port;
      try {
        const before = workerPids(process.pid);
        await expect(startServer({ root: scratch, port, workers: 2 })).rejects.toThrow(/EADDRINUSE/);
        expect(workerPids(process.pid).filter((pid) => !before.includes(pid))).toEqual([]);
      } finally {
        blocker.close();
      }
    },
  );
});
