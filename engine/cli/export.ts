// `fanout export FILE [-o OUT]`: writes the portable TEA form (tea-format.md §9) to stdout or OUT.
// Exit 0 = written, 1 = the workflow has errors (nothing written), 2 = unusable input or usage error.
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { exportPortable } from '../workflow/export.ts';
import { loadWorkflowFile } from '../workflow/load-file.ts';
import { parseCommandLine, UsageError } from './args.ts';
import { formatProblem } from './format.ts';

const USAGE = 'usage: fanout export FILE [-o OUT]\n';

/** Writes via a temp file in the same folder + fsync + rename, so OUT is never half-written. */
export { writeFileAtomic };

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseExportArgs(args: string[]): { file: string; out?: string } {
  const { values, positionals } = parseCommandLine({ args, options: OPTIONS, allowPositionals: true });
  if (positionals.length === 0) throw new UsageError('missing FILE');
  if (positionals.length > 1) throw new UsageError('export takes one FILE');
  const file = positionals[0]!;
  return values.output === undefined ? { file } : { file, out: values.output };
}

export async function exportCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let parsed: ReturnType<typeof parseExportArgs>;
  try {
    parsed = parseExportArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout export: ${error.message}\n${USAGE}`);
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
