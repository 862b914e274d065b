// Vitest global set-up: builds the engine into dist/ before any test file runs, so the tests that
// spawn `bin/fanout.js` exercise the compiled CLI and its compiled workers (what the package ships),
// always from the current sources (~1 s). A build that fails (e.g. a source mid-edit) is reported and
// the run goes on: bin/fanout.js then sees a stale dist/ and runs the sources through tsx.
import { buildEngine } from '../scripts/build-engine.mjs';

export default async function setup(): Promise<void> {
  try {
    const { ms } = await buildEngine({ quiet: true });
    console.log(`[global set-up] engine built into dist/ in ${ms} ms`);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.warn(`[global set-up] engine build failed, CLI tests run the TypeScript sources: ${reason}`);
  }
}
