// `npx tsx bench/llm.ts [branches] [answerMs] [workers]`: a fan-out of N llm.call branches against a local
// OpenAI-wire server answering each request after answerMs (default 100 branches, 200 ms). Prints the
// wall time of the run (warm engine, best of 3). Each parallel branch holds a pool worker while it runs
// (engine/run/scheduler.ts), so N branches over W workers take about ceil(N / W) answer times.
import { createEngine } from '../engine/index.ts';
import { fanOutYaml } from '../test/helpers.ts';
import { startOpenAiServer } from '../test/llm/openai-server.ts';

const branches = Number(process.argv[2] ?? 100);
const answerMs = Number(process.argv[3] ?? 200);
const workers = Number(process.argv[4] ?? 16);

const server = await startOpenAiServer();
const engine = createEngine({ size: workers });
await engine.start();
const yaml = fanOutYaml({
  settings: `llm: {api_base: "${server.base}", model: delay-${answerMs}}`,
  branches: Object.fromEntries(
    Array.from({ length: branches }, (_, i) => [
      `b${i}`,
      { uses: 'llm.call', with: { prompt: `q${i}` }, output: 'a' },
    ]),
  ),
});
const times: number[] = [];
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const result = await engine.run(yaml, { llm: { env: {} } }).result;
  times.push(performance.now() - t0);
  if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${result.error}`);
}
const best = Math.min(...times);
console.log(
  JSON.stringify({
    branches,
    answerMs,
    wallMs: Math.round(best),
    runs: times.map(Math.round),
    workers: engine.service.pool.size,
  }),
);
await engine.close();
await server.close();
