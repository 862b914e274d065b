// Issue #13's "Show": every TEA corpus workflow (test/fixtures/tea-corpus) that uses llm.* and needs
// nothing else the engine lacks runs end to end against a real local OpenAI-wire server
// (test/llm/openai-server.ts), and the model's outputs land where the workflow puts them. Which files
// qualify is computed here, from validation (UNKNOWN_ACTION, errors), real Lua compiles of every
// `run:` node (Python code does not compile) and the nodes' languages, so docs/compat.md's list cannot
// drift from the corpus.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedRegistry } from '../../engine/actions/index.ts';
import type { RunEvent } from '../../engine/index.ts';
import { checkLuaSyntax, createLuaFactory } from '../../engine/lua/vm.ts';
import type { LuaFactory } from '../../engine/lua/vm.ts';
import { loadWorkflow } from '../../engine/workflow/load.ts';
import { luaSyntaxProblems } from '../../engine/workflow/lua-syntax.ts';
import type { NodeSpec } from '../../engine/workflow/types.ts';
import { validateWorkflow } from '../../engine/workflow/validate.ts';
import { engineForFile } from '../helpers.ts';
import { completion, sendJson, startOpenAiServer } from './openai-server.ts';
import type { OpenAiServer } from './openai-server.ts';

const ROOT = fileURLToPath(new URL('../fixtures/tea-corpus/', import.meta.url));
const LLM_ACTION = /\bllm\.(call|chat|stream|embed|tools)\b/;

/** What keeps an llm.* corpus file from running here, or null when it runs. */
type Blocker =
  | "a provider only TEA Python has (shell: a coding agent's command line, e.g. claude)"
  | 'not a runnable workflow (validation errors)'
  | 'a model call without messages (an overlay fragment)'
  | 'actions Fanout does not have'
  | 'Python or Prolog code'
  | "TEA's in-process llama.cpp backend (a bundled GGUF model)";

/** The corpus files that use llm.* and need nothing else: they must all run below. */
const RUNNABLE = ['examples/lineage/lineage-llm-only.yaml'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

function allNodes(nodes: NodeSpec[]): NodeSpec[] {
  return nodes.flatMap((n) => [n, ...allNodes(n.body ?? [])]);
}

let factory: LuaFactory;
async function blocker(file: string): Promise<Blocker | null> {
  const load = loadWorkflow(readFileSync(join(ROOT, file), 'utf8'), file);
  const problems = [...load.problems, ...validateWorkflow(load, { knownActions: sharedRegistry.names() })];
  const errors = problems.filter((p) => p.severity === 'error');
  // LLM_PROVIDER_UNAVAILABLE: `provider: shell` / `local` (a warning); older validation said
  // LLM_UNKNOWN_PROVIDER (an error) for them.
  const providerCodes = ['LLM_PROVIDER_UNAVAILABLE', 'LLM_UNKNOWN_PROVIDER'];
  if (
    problems.some((p) => p.code === 'LLM_PROVIDER_UNAVAILABLE') ||
    (errors.length > 0 && errors.every((p) => providerCodes.includes(p.code)))
  ) {
    return "a provider only TEA Python has (shell: a coding agent's command line, e.g. claude)";
  }
  if (!load.model || errors.length > 0) return 'not a runnable workflow (validation errors)';
  if (problems.some((p) => p.code === 'LLM_MISSING_MESSAGES')) {
    return 'a model call without messages (an overlay fragment)';
  }
  if (problems.some((p) => p.code === 'UNKNOWN_ACTION')) return 'actions Fanout does not have';
  const syntax = await luaSyntaxProblems(load, async (code, chunk) => checkLuaSyntax(factory, code, chunk));
  if (syntax.length > 0 || allNodes(load.model.nodes).some((n) => n.kind === 'other-code')) {
    return 'Python or Prolog code';
  }
  if (/^\s*backend:/m.test(load.text)) return "TEA's in-process llama.cpp backend (a bundled GGUF model)";
  return null;
}

const engine = engineForFile({ size: 2 });
let server: OpenAiServer;
beforeAll(async () => {
  factory = await createLuaFactory();
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});

describe('TEA corpus workflows that use only llm.* and actions the engine has', () => {
  it('are exactly the files listed in docs/compat.md; every other llm.* file is blocked for a named reason', async () => {
    const llmFiles = yamlFiles(ROOT)
      .sort()
      .filter((f) => LLM_ACTION.test(readFileSync(join(ROOT, f), 'utf8')));
    const tally = new Map<string, string[]>();
    const runnable: string[] = [];
    for (const file of llmFiles) {
      const why = await blocker(file);
      if (why === null) runnable.push(file);
      else tally.set(why, [...(tally.get(why) ?? []), file]);
    }
    console.log(
      `[llm-corpus] ${llmFiles.length} corpus files mention llm.*; runnable: ${runnable.join(', ')}; ` +
        [...tally].map(([why, files]) => `${files.length} ${why}`).join('; '),
    );
    expect(runnable).toEqual(RUNNABLE);
    // The local-backend examples validate cleanly but need a model file in-process.
    expect(tally.get("TEA's in-process llama.cpp backend (a bundled GGUF model)")).toEqual([
      'examples/llm/hello-world.yaml',
      'examples/llm/local-chat-gemma3-1b.yaml',
      'examples/llm/local-chat.yaml',
      'examples/llm/local-embed.yaml',
    ]);
  });

  it('examples/lineage/lineage-llm-only.yaml: the model call goes to the Ollama endpoint and its answer is parsed by the Lua node', async () => {
    const answer =
      'Tracing: Victoria -> Edward VII -> George V -> George VI.\n' +
      '{"trace": "Queen Victoria -> Edward VII -> George V -> George VI", "generations": 3, "relationship": "Great-Grandparent"}';
    server.script('gemma3n:e4b', ({ res, body }) => sendJson(res, 200, completion(body, answer)));
    const before = server.requests.length;
    const events: RunEvent[] = [];
    const file = 'examples/lineage/lineage-llm-only.yaml';
    const input = {
      text: 'Queen Victoria was the mother of Edward VII, whose son was George V, father of George VI.',
      ancestor: 'Queen Victoria',
      descendant: 'George VI',
    };
    const result = await engine().run(readFileSync(join(ROOT, file), 'utf8'), {
      input,
      baseDir: join(ROOT, 'examples/lineage'),
      // provider: ollama in the file; OLLAMA_API_BASE points it at the local server.
      llm: { env: { OLLAMA_API_BASE: server.base } },
      onEvent: (e) => events.push(e),
    }).result;
    expect(result.status, result.error).toBe('succeeded');
    // The model's output is where `output: llm_response` puts it, in TEA's {content, usage} shape...
    expect(result.state['llm_response']).toMatchObject({
      content: answer,
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    // ...and the Lua node (TEA's own code) parsed it into `answer`.
    expect(result.state['answer']).toBe('Great-Grandparent (3 generations)');
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/v1/chat/completions');
    expect(sent[0]!.body).toMatchObject({ model: 'gemma3n:e4b', temperature: 0 });
    const messages = sent[0]!.body['messages'] as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toContain('Precision Genealogist');
    expect(messages[1]!.content).toContain('What is the relationship of Queen Victoria to George VI?');
    // Implicit chaining (the file has no edges): reason, then format.
    expect(events.filter((e) => e.type === 'node-finished').map((e) => (e as { node: string }).node)).toEqual(
      ['reason', 'format'],
    );
  });

  it('the local-backend examples fail at their node with a clear message (no model there), not a crash', async () => {
    const result = await engine().run(readFileSync(join(ROOT, 'examples/llm/hello-world.yaml'), 'utf8'), {
      llm: { env: { OLLAMA_API_BASE: server.base } },
    }).result;
    expect(result.status).toBe('failed');
    expect(result.node).toBe('greet');
    expect(result.error).toMatch(/missing 'model'/);
  });
});
