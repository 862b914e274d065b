// `fanout` command line: dispatches to one module per subcommand.
// Exit codes (all subcommands): 0 ok, 1 the workflow has errors / the run failed, 2 unusable input or usage.

const USAGE = `usage:
  fanout validate FILE... [--json]          check workflows (errors, portability warnings)
  fanout export FILE [-o OUT]               write the portable TEA form (stdout by default)
  fanout run FILE [--input JSON|@file.json] [--events[=FILE]] [--timeout MS] [--workers N]
                 [--fail-fast] [--start-at NODE | --only NODE] [--record FILE | --replay FILE]
                 [--redis URL]
                                            run a workflow, print the final state as JSON
                                            (--start-at / --only: --input is the whole state;
                                            --record/--replay: model calls to/from a cassette;
                                            --redis: parallel branches on queue workers)
  fanout batch FILE --inputs DATA.jsonl|DATA.csv|DIR [--out RESULTS.jsonl] [--concurrency N]
                 [--resume] [--expect EXPR] [--csv-types] [--json] [--redis URL]
                                            one run per dataset row, results appended as rows finish
  fanout serve [--port N] [--open] [--root DIR] [--static DIR] [--workers N] [--redis URL]
                                            serve Fanout Studio to a browser on 127.0.0.1
  fanout worker --redis URL [--concurrency N] [--id NAME]
                                            run queued branches and runs (queue mode, docs/queue.md)
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./cli/validate.ts')).validateCommand,
  export: async () => (await import('./cli/export.ts')).exportCommand,
  run: async () => (await import('./cli/run.ts')).runCommand,
  batch: async () => (await import('./cli/batch.ts')).batchCommand,
  serve: async () => (await import('./cli/serve.ts')).serveCommand,
  worker: async () => (await import('./cli/worker.ts')).workerCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`fanout: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  const forkAhead = name === 'run' && !rest.includes('--help') && !rest.includes('-h');
  const nodePort = forkAhead ? await import('./run/node-port.ts') : undefined;
  // Every `fanout run` needs a worker: its start (the slowest part of a small run) overlaps loading the
  // run engine and the file instead of following them. Unused, it is killed when the command returns.
  // Its workers live as long as this one run: no tier-up spent on a warm pool's future (worker-flags.ts).
  nodePort?.useOneShotWorkers();
  nodePort?.preforkWorkers(1);
  try {
    const command = await load();
    return await command(rest);
  } finally {
    nodePort?.discardPreforked();
  }
}
