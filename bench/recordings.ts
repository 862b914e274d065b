// `npx tsx bench/recordings.ts [branches] [answerMs]`: what recording costs and what a replay saves, through
// the HostService both app hosts use (record mode is always on there). A fan-out of N llm.call branches
// against the local OpenAI-wire server (bench/llm-server.ts, its own process) answering after answerMs
// (default 100 branches, 200 ms): wall time of recorded runs (network) and of "re-run with recorded
// responses" (replay of the first run, the server still up but unused), best and median of 5 after a
// warm-up, the recording's size, and the load average.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/index.ts';
import { HostService, memoryRecentList } from '../engine/host/service.ts';
import { rootScope } from '../engine/host/scope.ts';
import type { RunEvent } from '../engine/run/types.ts';
import { fanOutYaml } from '../test/helpers.ts';

const branches = Number(process.argv[2] ?? 100);
const answerMs = Number(process.argv[3] ?? 200);

const serverProcess = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./llm-server.ts', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const [base] = (await once(createInterface({ input: serverProcess.stdout! }), 'line')) as [string];

const dir = await mkdtemp(join(tmpdir(), 'fanout-bench-recordings-'));
const engine = createEngine({ size: 4 });
await engine.start();
const host = new HostService({
  host: 'browser',
  engine,
  info: { appVersion: 'bench', platform: process.platform, workers: 4 },
  scope: rootScope(dir),
  recent: memoryRecentList(),
  scratchDir: dir,
});
const text = fanOutYaml({
  settings: `llm: {api_base: "${base}", model: delay-${answerMs}}`,
  branches: Object.fromEntries(
    Array.from({ length: branches }, (_, i) => [
      `b${i}`,
      { uses: 'llm.call', with: { prompt: `q${i}` }, output: 'a' },
    ]),
  ),
});

/** One run through the host; its wall time and where its answers came from. */
async function run(replayOf?: string): Promise<{ runId: string; ms: number; sources: Set<string> }> {
  const sources = new Set<string>();
  let status = '';
  const onEvent = (e: RunEvent) => {
    if (e.type === 'llm-call-finished') sources.add(e.source);
    if (e.type === 'run-finished') status = e.status;
  };
  const t0 = performance.now();
  const payload = replayOf ? { text, replay: { runId: replayOf } } : { text };
  const { runId, done } = await host.run(host.parse('run', payload), { onEvent });
  await done;
  const ms = performance.now() - t0;
  if (status !== 'succeeded') throw new Error(`run ${status}`);
  return { runId, ms, sources };
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    bestMs: Math.round(sorted[0]!),
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    runs: times.map(Math.round),
  };
};

await run(); // warm-up
const recorded: number[] = [];
let source = '';
for (let i = 0; i < 5; i++) {
  const r = await run();
  recorded.push(r.ms);
  source = r.runId;
}
const replayed: number[] = [];
for (let i = 0; i < 5; i++) {
  const r = await run(source);
  if ([...r.sources].join() !== 'replay') throw new Error(`a replay went to ${[...r.sources].join()}`);
  replayed.push(r.ms);
}
console.log(
  JSON.stringify({
    branches,
    answerMs,
    recorded: summary(recorded),
    replayed: summary(replayed),
    recordingExchanges: host.recordings.exchangeCount(source),
    recordingBytes: host.recordings.bytes(source),
    load1: Number(loadavg()[0]!.toFixed(1)),
  }),
);
await engine.close();
await rm(dir, { recursive: true, force: true });
serverProcess.stdin!.end();
await once(serverProcess, 'exit');
