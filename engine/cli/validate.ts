// `fanout validate FILE... [--json]`: errors and portability warnings of workflow files.
// Exit 0 = no errors (warnings allowed), 1 = errors, 2 = unusable input or usage error.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildGraph } from '../workflow/graph.ts';
import { lintPortability } from '../workflow/lint.ts';
import { loadWorkflowFile } from '../workflow/load-file.ts';
import type { LoadResult, Problem } from '../workflow/types.ts';
import { dedupeProblems, sortProblems, validateWorkflow } from '../workflow/validate.ts';
import type { ValidateOptions } from '../workflow/validate.ts';
import { parseCommandLine, UsageError } from './args.ts';
import { formatProblem, summaryLine } from './format.ts';
import { sharedRegistry } from '../actions/index.ts';
import { checkLuaSyntax, createLuaFactory } from '../lua/vm.ts';
import type { LuaFactory } from '../lua/vm.ts';
import { luaSyntaxProblems } from '../workflow/lua-syntax.ts';
import type { SyntaxChecker } from '../workflow/lua-syntax.ts';

const USAGE = 'usage: fanout validate FILE|DIR... [--json]\n';
const WORKFLOW_FILE = /\.ya?ml$/i;

export interface FileReport {
  file: string;
  problems: Problem[];
  /** False when the file could not be used at all (missing, not YAML, not UTF-8, not a mapping). */
  usable: boolean;
}

/** Validation errors and portability warnings of one loaded workflow, sorted by position. */
export function checkLoaded(load: LoadResult, opts: ValidateOptions = {}): Problem[] {
  if (!load.model) return validateWorkflow(load, opts);
  const graph = buildGraph(load.model);
  const problems = validateWorkflow(load, { ...opts, graph });
  const lint = lintPortability(load.model, graph, load.text).map((p) =>
    load.file !== undefined ? { ...p, file: load.file } : p,
  );
  return dedupeProblems(sortProblems([...problems, ...lint]));
}

let factory: Promise<LuaFactory> | undefined;

/** Compiles Lua in this process: the CLI is a plain Node process (hosts use a pooled worker instead). */
const checkInProcess: SyntaxChecker = async (code, chunkName) => {
  factory ??= createLuaFactory();
  return checkLuaSyntax(await factory, code, chunkName);
};

export async function validateFile(path: string, opts: ValidateOptions = {}): Promise<FileReport> {
  const load = await loadWorkflowFile(path);
  const problems = checkLoaded(load, { knownActions: sharedRegistry.names(), ...opts });
  const lua = await luaSyntaxProblems(load, checkInProcess);
  return {
    file: path,
    problems: dedupeProblems(sortProblems([...problems, ...lua])),
    usable: load.model !== null,
  };
}

/** Every .yaml/.yml file under `dir`, sorted, skipping hidden folders and node_modules. */
async function workflowFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      out.push(...(await workflowFilesIn(path)));
    } else if (WORKFLOW_FILE.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

async function expand(arg: string): Promise<string[]> {
  try {
    if ((await stat(arg)).isDirectory()) {
      const files = await workflowFilesIn(arg);
      if (files.length === 0) process.stderr.write(`fanout validate: no .yaml/.yml files in ${arg}\n`);
      return files;
    }
  } catch {
    // Missing paths are reported by the loader as FILE_UNREADABLE.
  }
  return [arg];
}

export async function validateCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let json: boolean;
  let inputs: string[];
  try {
    const { values, positionals } = parseCommandLine({
      args,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    json = values.json === true;
    inputs = positionals;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout validate: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (inputs.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }

  const files: string[] = [];
  for (const input of inputs) files.push(...(await expand(input)));
  const reports: FileReport[] = [];
  for (const file of files) reports.push(await validateFile(file));

  if (json) {
    const body = reports.map((r) => ({ file: r.file, problems: r.problems }));
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    const lines = reports.flatMap((r) => r.problems.map((p) => formatProblem(p, r.file)));
    const all = reports.flatMap((r) => r.problems);
    process.stdout.write(lines.map((l) => `${l}\n`).join('') + `${summaryLine(all, reports.length)}\n`);
  }

  if (reports.some((r) => !r.usable)) return 2;
  return reports.some((r) => r.problems.some((p) => p.severity === 'error')) ? 1 : 0;
}
