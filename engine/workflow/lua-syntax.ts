// Lua syntax problems of a workflow's nodes, mapped to file lines. The compiler is injected: the CLI
// compiles in-process, hosts ask a pooled worker (no Lua in an Electron main process).
import type { LoadResult, NodeSpec, Problem } from './types.ts';

export type SyntaxChecker = (
  code: string,
  chunkName: string,
) => Promise<{ ok: true } | { ok: false; message: string; line?: number }>;

/** Compiles every Lua node's code without running it; errors carry the file line of the bad Lua line. */
export async function luaSyntaxProblems(load: LoadResult, check: SyntaxChecker): Promise<Problem[]> {
  const problems: Problem[] = [];
  const visit = async (nodes: NodeSpec[]) => {
    for (const node of nodes) {
      if (node.kind === 'lua' && node.run !== undefined && node.runSpan) {
        const result = await check(node.run, node.name);
        if (!result.ok) problems.push(problemFor(load, node, result.message, result.line, explicitLua(node)));
      }
      if (node.body) await visit(node.body);
    }
  };
  if (load.model) await visit(load.model.nodes);
  return problems;
}

/** Marked as Lua for both TEA engines (`language: lua`, or the `-- lua` marker). */
function explicitLua(node: NodeSpec): boolean {
  return node.language === 'lua' || /^\s*--\s*lua\b/.test(node.run ?? '');
}

/**
 * Code marked as Lua that does not compile is an error. Unmarked code that does not compile is only a
 * warning: TEA Python runs unmarked `run:` code as Python, so the file may be fine there (TEA Rust
 * and Fanout would fail the node).
 */
function problemFor(
  load: LoadResult,
  node: NodeSpec,
  message: string,
  luaLine: number | undefined,
  marked: boolean,
): Problem {
  const span = node.runSpan!;
  // A block scalar (`|`, `>`) starts its content on the next line; other scalars on the key's line.
  const block = /^[|>]/.test(load.text.slice(span.start.offset, span.start.offset + 1));
  // Lua reports `<eof>` errors one past a trailing newline; point at the last line of code instead.
  const codeLines = (node.run ?? '').replace(/\n+$/, '').split('\n').length;
  const clamped = luaLine === undefined ? undefined : Math.min(luaLine, codeLines);
  const line = clamped === undefined ? span.start.line : span.start.line + clamped - (block ? 0 : 1);
  return {
    severity: marked ? 'error' : 'warning',
    code: 'LUA_SYNTAX',
    message: marked
      ? `Lua syntax error in node '${node.name}': ${message}`
      : `node '${node.name}' has no 'language:' and its code is not valid Lua (${message}); ` +
        `TEA Rust and Fanout run it as Lua and fail, TEA Python runs it as Python`,
    line,
    col: clamped === undefined || !block ? span.start.col : 1,
    node: node.name,
    ...(load.file !== undefined ? { file: load.file } : {}),
  };
}
