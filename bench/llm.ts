// `npx tsx bench/llm.ts [branches] [answerMs] [workers]`: a fan-out of N llm.call branches against a local
// OpenAI-wire server (bench/llm-server.ts, its own process) answering each request after answerMs
// (default 100 branches, 200 ms, 4 workers). Branches that only call actions hold no worker
// (engine/run/vm-hosts.ts BranchVm creates a VM only when a branch needs Lua), so the fan-out takes
// about one answer time plus the host's per-branch cost, whatever the pool size. Prints the wall time
// of whole runs (warm engine; one warm-up run, then best and median of 5) and the load average.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/index.ts';
import { fanOutYaml } from '../test/helpers.ts';

const branches = Number(process.argv[2] ?? 100);
const answerMs = Number(process.argv[3] ?? 200);
const workers = Number(process.argv[4] ?? 4);

const serverProcess = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./llm-server.ts', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const [base] = (await once(createInterface({ input: serverProcess.stdout! }), 'line')) as [string];

const engine = createEngine({ size: workers });
await engine.start();
const yaml = fanOutYaml({
  settings: `llm: {api_base: "${base}", model: delay-${answerMs}}`,
  branches: Object.fromEntries(
    Array.from({ length: branches }, (_, i) => [
      `b${i}`,
      { uses: 'llm.call', with: { prompt: `q${i}` }, output: 'a' },
    ]),
  ),
});
const times: number[] = [];
for (let round = 0; round < 6; round++) {
  const t0 = performance.now();
  const result = await engine.run(yaml, { llm: { env: {} } }).result;
  if (round > 0) times.push(performance.now() - t0);
  if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${result.error}`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    branches,
    answerMs,
    wallMs: Math.round(sorted[0]!),
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    runs: times.map(Math.round),
    workers: engine.service.pool.size,
    load1: Number(loadavg()[0]!.toFixed(1)),
  }),
);
await engine.close();
serverProcess.stdin!.end();
await once(serverProcess, 'exit');
