// Starts `fanout serve` (startServer) on a temporary root holding copies of the examples, serving the
// built renderer from out/renderer (FANOUT_E2E_OUT=DIR: DIR/renderer, for a build made with
// `electron-vite build --outDir DIR`). Tests read the URL from FANOUT_E2E_URL; the teardown stops it.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../engine/serve/server.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'fanout-e2e-'));
  await cp(join(repo, 'resources/examples'), root, { recursive: true });
  const server = await startServer({
    root,
    staticDir: join(process.env.FANOUT_E2E_OUT ?? join(repo, 'out'), 'renderer'),
    workers: 4,
  });
  process.env.FANOUT_E2E_URL = server.url;
  process.env.FANOUT_E2E_ROOT = root;
  return async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  };
}
