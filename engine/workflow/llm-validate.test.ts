import { describe, expect, it } from 'vitest';
import { loadWorkflow } from './load.ts';
import { validateWorkflow } from './validate.ts';

const problemsOf = (lines: string[]) =>
  validateWorkflow(loadWorkflow(lines.join('\n') + '\n', 'w.yaml'))
    .filter((p) => p.code.startsWith('LLM_'))
    .map((p) => `${p.severity} ${p.code} ${p.line}:${p.col}`);

const flow = (settings: string[], withLines: string[]) => [
  'name: w',
  ...settings,
  'nodes:',
  '  - name: ask',
  '    uses: llm.call',
  '    with:',
  ...withLines.map((l) => `      ${l}`),
  'edges:',
  '  - {from: __start__, to: ask}',
  '  - {from: ask, to: __end__}',
];
const MESSAGES = ['messages:', '  - {role: user, content: hi}'];

describe('llm.* validation of what TEA files really contain', () => {
  it('a key written into the file is an error; a ${VAR} reference to the environment is not', () => {
    expect(problemsOf(flow(['settings:', '  llm:', '    api_key: sk-live-123'], MESSAGES))).toEqual([
      'error LLM_KEY_IN_FILE 4:5',
    ]);
    expect(problemsOf(flow(['settings:', '  llm:', '    api_key: "${OPENAI_API_KEY}"'], MESSAGES))).toEqual(
      [],
    );
    expect(problemsOf(flow([], ['api_key: "${KEY:-none}"', ...MESSAGES]))).toEqual([]);
  });

  it("TEA Python's shell and local providers are a warning (the run fails there), others an error", () => {
    expect(problemsOf(flow([], ['provider: shell', ...MESSAGES]))).toEqual([
      'warning LLM_PROVIDER_UNAVAILABLE 6:17',
    ]);
    expect(problemsOf(flow([], ['provider: nonsense', ...MESSAGES]))).toEqual([
      'error LLM_UNKNOWN_PROVIDER 6:17',
    ]);
  });

  it('missing messages is a warning (overlays leave them out); badly shaped messages an error', () => {
    expect(problemsOf(flow([], ['model: x']))).toEqual(['warning LLM_MISSING_MESSAGES 5:5']);
    expect(problemsOf(flow([], ['messages: []']))).toEqual(['error LLM_BAD_MESSAGES 6:17']);
  });
});
