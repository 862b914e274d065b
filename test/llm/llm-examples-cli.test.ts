// The agent examples run out of the box on the mock provider; llm.* validation problems carry line:col;
// `fanout run --record` then `--replay` (with the server gone) gives the same final state, and a
// replay miss names the node.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../engine/workflow/load.ts';
import { validateWorkflow } from '../../engine/workflow/validate.ts';
import type { RunEvent } from '../../engine/index.ts';
import { engineForFile, repoRoot } from '../helpers.ts';
import { startOpenAiServer } from './openai-server.ts';

const exec = promisify(execFile);
const engine = engineForFile({ size: 4 });

async function fanout(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec('node', [join(repoRoot, 'bin/fanout.js'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('agent examples run with the mock provider, no key, no network', () => {
  const examples = ['agent-research-judge.yaml', 'agent-map-reduce-summarise.yaml', 'agent-tools.yaml'];
  for (const file of examples) {
    it(file, async () => {
      const load = await engine().loadFile(join(repoRoot, 'resources/examples', file));
      const events: RunEvent[] = [];
      const result = await engine().run(load, { llm: { env: {} }, onEvent: (e) => events.push(e) }).result;
      expect(result.status, result.error).toBe('succeeded');
      const finished = events.filter((e) => e.type === 'llm-call-finished');
      expect(finished.length).toBeGreaterThan(0);
      expect(finished.every((e) => e.type === 'llm-call-finished' && e.ok && e.source === 'mock')).toBe(true);
      if (file === 'agent-research-judge.yaml') {
        expect(result.state['best']).toBe('engineering');
        expect(events.filter((e) => e.type === 'llm-tokens').length).toBeGreaterThan(0);
      }
      if (file === 'agent-tools.yaml') {
        expect(result.state).toMatchObject({ answer: 'Order confirmed - 2 x lamp.', tools_used: 1 });
      }
    });
  }
});

describe('validation of llm.* nodes (line:col)', () => {
  it('bad roles, empty messages, unknown provider, bad response_format and keys in the file', () => {
    const yaml = `name: v
settings:
  llm:
    api_key: sk-in-file-000000
nodes:
  - name: a
    uses: llm.call
    with:
      model: m
      provider: skynet
      messages:
        - {role: wizard, content: hi}
        - just text
  - name: b
    uses: llm.call
    with:
      model: m
      messages: []
      response_format: {type: xml}
  - name: c
    uses: llm.stream
    with:
      model: m
      token: abcdef
      prompt: hi
edges:
  - {from: __start__, to: a}
  - {from: a, to: b}
  - {from: b, to: c}
  - {from: c, to: __end__}
`;
    const problems = validateWorkflow(loadWorkflow(yaml)).filter((p) => p.code.startsWith('LLM_'));
    const at = (code: string, node?: string) =>
      problems.filter((p) => p.code === code && p.node === node).map((p) => `${p.line}:${p.col}`);
    expect(at('LLM_KEY_IN_FILE')).toEqual(['4:5']);
    expect(at('LLM_KEY_IN_FILE', 'c')).toEqual(['24:7']);
    expect(at('LLM_UNKNOWN_PROVIDER', 'a')).toEqual(['10:17']);
    expect(at('LLM_BAD_MESSAGES', 'a')).toEqual(['12:18', '13:11']);
    expect(at('LLM_BAD_MESSAGES', 'b')).toEqual(['18:17']);
    expect(at('LLM_BAD_RESPONSE_FORMAT', 'b')).toEqual(['19:24']);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
    expect(JSON.stringify(problems)).not.toContain('sk-in-file-000000');
  });

  it('templated messages and roles are left to run time', () => {
    const yaml = `name: ok\nnodes:\n  - name: a\n    uses: llm.call\n    with: {model: m, messages: "{{ state.msgs }}"}\nedges:\n  - {from: __start__, to: a}\n  - {from: a, to: __end__}\n`;
    expect(validateWorkflow(loadWorkflow(yaml)).filter((p) => p.code.startsWith('LLM_'))).toEqual([]);
  });
});

describe('fanout run --record / --replay', () => {
  it('replays the recorded exchanges with no server; a miss names the node', async () => {
    const server = await startOpenAiServer();
    const dir = await mkdtemp(join(tmpdir(), 'fanout-cassette-'));
    const flow = join(dir, 'flow.yaml');
    const yaml = (prompt: string) =>
      `name: rec\nsettings:\n  llm: {api_base: "${server.base}", model: gpt-4o-mini}\nnodes:\n  - {name: ask, uses: llm.stream, with: {prompt: "${prompt}"}, output: answer}\n  - {name: embed, uses: llm.embed, with: {text: "${prompt}"}, output: vec}\nedges:\n  - {from: __start__, to: ask}\n  - {from: ask, to: embed}\n  - {from: embed, to: __end__}\n`;
    await writeFile(flow, yaml('hello tape'));
    const cassette = join(dir, 'tape.json');
    const key = 'sk-recorded-key-0123456';
    const recorded = await fanout(['run', flow, '--record', cassette, '--workers', '1'], {
      OPENAI_API_KEY: key,
    });
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toMatch(/recorded 2 model exchange\(s\)/);
    const tape = await readFile(cassette, 'utf8');
    expect(tape).not.toContain(key);
    await server.close();

    const replayed = await fanout(['run', flow, '--replay', cassette, '--workers', '1', '--events']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual(JSON.parse(recorded.stdout));
    expect(JSON.parse(replayed.stdout).answer.content).toBe('echo: hello tape');
    const events = replayed.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RunEvent);
    expect(
      events
        .filter((e) => e.type === 'llm-tokens')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('echo: hello tape');
    expect(
      events
        .filter((e) => e.type === 'llm-call-finished')
        .every((e) => (e as { source: string }).source === 'replay'),
    ).toBe(true);

    await writeFile(flow, yaml('a different prompt'));
    const miss = await fanout(['run', flow, '--replay', cassette, '--workers', '1']);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toMatch(
      /node 'ask': the cassette has no recorded answer .*record the run again with --record/,
    );

    const bad = await fanout(['run', flow, '--replay', join(dir, 'missing.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot read cassette .*ENOENT/);
  });
});
