// `npm pack` gives a package that installs in an empty folder and runs `npx fanout` there: compiled
// JavaScript only (no TypeScript, no tsx installed), workers included. The pack runs in a copy of the
// sources so the shared dist/ of this tree is left alone (its prepack builds with --clean).
// Installs offline from the npm cache when it holds everything, else from the registry.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** npm settings of an enclosing `npm test` must not leak into the nested npm calls. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) || key === 'npm_config_cache') env[key] = value;
  }
  return env;
}

const work = mkdtempSync(join(os.tmpdir(), 'fanout-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it(
    'installs in an empty folder and runs `npx fanout validate` and `npx fanout run`',
    { timeout: 240_000 },
    async () => {
      const src = join(work, 'src');
      mkdirSync(join(src, 'bin'), { recursive: true });
      mkdirSync(join(src, 'scripts'), { recursive: true });
      const notTests = (path: string) => !path.endsWith('.test.ts');
      for (const entry of ['package.json', 'README.md', 'bin/fanout.js', 'scripts/build-engine.mjs']) {
        cpSync(join(repoRoot, entry), join(src, entry));
      }
      for (const dir of ['engine', 'resources/examples']) {
        cpSync(join(repoRoot, dir), join(src, dir), { recursive: true, filter: notTests });
      }
      // prepack's esbuild comes from this tree's node_modules.
      symlinkSync(join(repoRoot, 'node_modules'), join(src, 'node_modules'), 'dir');
      const env = cleanEnv();

      const packed = await exec(npm, ['pack', '--pack-destination', work], { cwd: src, env });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
      expect(tarball, packed.stderr).toBeDefined();

      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
      const install = (mode: '--offline' | '--prefer-offline') =>
        exec(npm, ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball!)], {
          cwd: app,
          env,
        });
      await install('--offline').catch(async (error: { stderr?: string }) => {
        console.log(
          `[pack] offline install not possible (${/ENOTCACHED/.test(error.stderr ?? '') ? 'npm cache incomplete' : 'failed'}): installing from the registry`,
        );
        return install('--prefer-offline');
      });

      const installed = join(app, 'node_modules', 'fanout-studio');
      // What runs is the compiled engine: no TypeScript shipped, and tsx (a devDependency) not installed.
      expect(existsSync(join(installed, 'dist', 'cli.js'))).toBe(true);
      expect(existsSync(join(installed, 'dist', 'worker.cjs'))).toBe(true);
      expect(existsSync(join(installed, 'dist', 'glue.wasm'))).toBe(true);
      expect(existsSync(join(installed, 'engine', 'cli.ts'))).toBe(false);
      expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);

      const example = join(installed, 'resources', 'examples', 'parallel-isolation.yaml');
      const validated = await exec(npx, ['--no-install', 'fanout', 'validate', example], { cwd: app, env });
      expect(validated.stdout).toBe('0 errors, 0 warnings in 1 file\n');

      // A fan-out: the CLI and its four Lua workers all start from the package's dist/.
      const ran = await exec(npx, ['--no-install', 'fanout', 'run', example], { cwd: app, env });
      const state = JSON.parse(ran.stdout) as { succeeded: number; leaked: number };
      expect(state).toMatchObject({ succeeded: 4, leaked: 0 });
    },
  );
});
