// The batch operations of the host service (HostService delegates here): paths confined by the
// host's FileScope, the workflow loaded as edited, rows on the host's engine with the stored keys, the
// BatchHost's refusals mapped to host error codes. See engine/batch/host-batches.ts and docs/batch.md.
import { lstat, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { WorkflowInvalidError } from '../index.ts';
import { BatchError, BatchHost } from '../batch/host-batches.ts';
import type { BatchRowRun, BatchStarted, BatchStatus } from '../batch/view-types.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withPathLock } from '../fs/path-lock.ts';
import { HostFailure } from './errors.ts';
import { fileNameProblem } from './names.ts';
import type { RequestOf } from './schemas.ts';
import { confine } from './scope.ts';
import type { HostServiceOptions } from './service.ts';
import type { FileEntry } from './types.ts';

const DATASET_FILE = /\.(jsonl|ndjson|csv)$/i;

export class BatchOps {
  private host: BatchHost | null = null;

  constructor(private readonly options: HostServiceOptions) {}

  private batches(): BatchHost {
    this.host ??= new BatchHost(
      this.options.engine,
      this.options.info.workers,
      join(tmpdir(), `fanout-batches-${process.pid}`),
    );
    return this.host;
  }

  /** Folders first, then dataset files, by name; dot-entries and links leading out are left out. */
  async list({ dir }: RequestOf<'batch/list'>): Promise<FileEntry[]> {
    const { scope } = this.options;
    const folder = await confine(scope, dir ?? scope.defaultFolder());
    const names = await readdir(folder.abs).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOTDIR') throw new HostFailure('BAD_REQUEST', `'${folder.shown}' is not a folder`);
      throw error;
    });
    const entries: FileEntry[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = folder.shown === '' ? name : `${folder.shown.replace(/\/$/, '')}/${name}`;
      try {
        const info = await stat((await confine(scope, path)).abs);
        if (info.isDirectory()) entries.push({ path, name, kind: 'dir', mtimeMs: info.mtimeMs });
        else if (info.isFile() && DATASET_FILE.test(name)) {
          entries.push({ path, name, kind: 'file', size: info.size, mtimeMs: info.mtimeMs });
        }
      } catch {
        // Vanished or leading out of the scope: not listed.
      }
    }
    return entries.sort((a, b) =>
      a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1,
    );
  }

  async start(request: RequestOf<'batch/start'>): Promise<BatchStarted> {
    const { engine, scope, scratchDir } = this.options;
    const file = request.path ? await confine(scope, request.path, { allowMissing: true }) : null;
    const dataset = await confine(scope, request.dataset);
    const storedKeys = this.options.keys ? await this.options.keys.values() : undefined;
    const hasKeys = storedKeys && Object.keys(storedKeys).length > 0;
    return this.mapped(() =>
      this.batches().start({
        load: engine.load(request.text, file?.shown),
        dataset: dataset.abs,
        datasetShown: dataset.shown,
        ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
        ...(request.expect !== undefined ? { expect: request.expect } : {}),
        ...(request.csvTypes ? { csvTypes: true } : {}),
        runOptions: {
          baseDir: file ? dirname(file.abs) : scratchDir,
          ...(hasKeys ? { llm: { storedKeys } } : {}),
        },
      }),
    );
  }

  status({ batchId, since }: RequestOf<'batch/status'>): Promise<BatchStatus> {
    return this.mapped(async () => this.batches().status(batchId, since));
  }

  row({ batchId, rowId }: RequestOf<'batch/row'>): Promise<BatchRowRun> {
    return this.mapped(async () => this.batches().row(batchId, rowId));
  }

  cancel({ batchId }: RequestOf<'batch/cancel'>): Promise<boolean> {
    return this.mapped(async () => this.batches().cancel(batchId));
  }

  /** Writes the results (atomically, under the file's lock); never replaces a file unless `overwrite`. */
  async export({ batchId, path, format, overwrite }: RequestOf<'batch/export'>): Promise<{ path: string }> {
    if (!path.toLowerCase().endsWith(`.${format}`)) {
      throw new HostFailure('BAD_REQUEST', `a ${format.toUpperCase()} export needs a .${format} name`);
    }
    const target = await confine(this.options.scope, path, { allowMissing: true });
    const text = await this.mapped(() => this.batches().exportText(batchId, format));
    await withPathLock(target.abs, async () => {
      const existing = await lstat(target.abs).catch(() => null);
      if (existing && overwrite !== true) throw new HostFailure('EXISTS', `'${target.shown}' exists`);
      if (!existing) {
        const problem = fileNameProblem(basename(target.abs));
        if (problem) throw new HostFailure('BAD_REQUEST', `cannot create '${target.shown}': ${problem}`);
      }
      await writeFileAtomic(target.abs, Buffer.from(text, 'utf8'));
    });
    return { path: target.shown };
  }

  close(): Promise<void> {
    return this.host?.closeAll() ?? Promise.resolve();
  }

  private async mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BatchError) throw new HostFailure(error.code, error.message);
      if (error instanceof WorkflowInvalidError) {
        throw new HostFailure('INVALID_WORKFLOW', error.message, error.problems);
      }
      throw error;
    }
  }
}
