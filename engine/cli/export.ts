// `fanout export FILE [-o OUT]`: writes the portable TEA form (tea-format.md §9) to stdout or OUT.
// Exit 0 = written, 1 = the workflow has errors (nothing written), 2 = unusable input or usage error.
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { exportPortable } from '../workflow/export.ts';
import { loadWorkflowFile } from '../workflow/load-file.ts';
import { formatProblem } from './format.ts';

const USAGE = 'usage: fanout export FILE [-o OUT]\n';

/** Writes via a temp file in the same folder + fsync + rename, so OUT is never half-written. */
export { writeFileAtomic };

function parseArgs(args: string[]): { file: string; out?: string } | string {
  let file: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-o' || arg === '--output') {
      const value = args[++i];
      if (value === undefined) return `option '${arg}' needs a file name`;
      out = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      return `unknown option '${arg}'`;
    } else if (file === undefined) {
      file = arg;
    } else {
      return 'export takes one FILE';
    }
  }
  if (file === undefined) return 'missing FILE';
  return out === undefined ? { file } : { file, out };
}

export async function exportCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`fanout export: ${parsed}\n${USAGE}`);
    return 2;
  }
  const load = await loadWorkflowFile(parsed.file);
  if (!load.model) {
    for (const p of load.problems) process.stderr.write(`${formatProblem(p, parsed.file)}\n`);
    return 2;
  }
  const result = exportPortable(load.text);
  const problems = result.problems.map((p) => ({ ...p, file: parsed.out ?? parsed.file }));
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  if (problems.some((p) => p.severity === 'error')) {
    process.stderr.write('fanout export: not written: the workflow has errors\n');
    return 1;
  }
  if (parsed.out === undefined) {
    process.stdout.write(result.text);
    return 0;
  }
  try {
    await writeFileAtomic(parsed.out, result.text);
  } catch (err) {
    process.stderr.write(`fanout export: cannot write ${parsed.out}: ${(err as Error).message}\n`);
    return 2;
  }
  return 0;
}
