// The results file: one JSON line per finished row, appended and made durable before the row counts
// as done (group commit: the lines that finished while the previous write was syncing go in one write
// and one fdatasync, at most MAX_RESULTS_GROUP_LINES). A crash can therefore lose only rows that were
// not yet reported done, and at worst leave a torn last line, which `--resume` cuts off.
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { MAX_RESULT_LINE_BYTES, MAX_RESULTS_GROUP_LINES } from '../limits.ts';
import type { BatchRowResult, RowVerdict } from './result-line.ts';

/** An unusable results file (exists without --resume, a corrupt line): exit code 2. */
export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

export interface ResultsSink {
  /** Resolves once the line is durable (or written, for a stream). */
  append(result: BatchRowResult): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class ResultsFile implements ResultsSink {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private failed: Error | null = null;

  private constructor(private readonly handle: FileHandle) {}

  /**
   * Opens `path` for appending. Without `resume`, a file with content is refused (appending to an
   * earlier batch's results would mix two batches). With `resume`, the rows it holds are returned,
   * after a torn last line (a crash mid-write) has been cut off.
   */
  static async open(path: string, resume: boolean): Promise<{ file: ResultsFile; previous: RowVerdict[] }> {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && !resume) {
      throw new ResultsFileError(
        `${path} already holds results: pass --resume to continue that batch, or remove it`,
      );
    }
    const previous = size > 0 ? await readVerdicts(path) : [];
    const handle = await open(path, 'a');
    return { file: new ResultsFile(handle), previous };
  }

  append(result: BatchRowResult): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ text: JSON.stringify(result) + '\n', resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_RESULTS_GROUP_LINES);
      try {
        await writeAll(this.handle, Buffer.from(group.map((p) => p.text).join(''), 'utf8'));
        await this.handle.datasync();
        for (const p of group) p.resolve();
      } catch (error) {
        this.failed = error as Error;
        for (const p of [...group, ...this.queue.splice(0)]) p.reject(this.failed);
      }
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    await this.handle.close();
  }
}

/** Results to a stream (stdout) when no --out is given: written in order, not durable, not resumable. */
export class ResultsStream implements ResultsSink {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  append(result: BatchRowResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(JSON.stringify(result) + '\n', (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {}
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * The rows a results file holds, reading it in chunks (a line is bounded by MAX_RESULT_LINE_BYTES). A
 * last line without its newline is a torn write: the file is truncated to the line before. Any other
 * line that is not a result is corruption, named by file:line. A row id written twice keeps the first
 * (cannot happen through this module; a hand-edited file is read, not trusted).
 */
export async function readVerdicts(path: string): Promise<RowVerdict[]> {
  const handle = await open(path, 'r+');
  try {
    const verdicts: RowVerdict[] = [];
    const seen = new Set<string>();
    const chunk = Buffer.alloc(1024 * 1024);
    let carry = Buffer.alloc(0);
    let position = 0;
    let lineStart = 0;
    let lineNo = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        lineNo++;
        const verdict = parseVerdict(data.subarray(0, nl).toString('utf8'), `${path}:${lineNo}`);
        if (!seen.has(verdict.id)) {
          seen.add(verdict.id);
          verdicts.push(verdict);
        }
        lineStart += nl + 1;
        data = data.subarray(nl + 1);
      }
      if (data.length > MAX_RESULT_LINE_BYTES) {
        throw new ResultsFileError(
          `${path}:${lineNo + 1}: a line longer than ${MAX_RESULT_LINE_BYTES} bytes`,
        );
      }
      carry = Buffer.from(data);
    }
    if (carry.length > 0) await handle.truncate(lineStart);
    return verdicts;
  } finally {
    await handle.close();
  }
}

function parseVerdict(line: string, where: string): RowVerdict {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ResultsFileError(`${where}: not a results line (not JSON)`);
  }
  const v = value as Partial<BatchRowResult> | null;
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof v.status !== 'string') {
    throw new ResultsFileError(`${where}: not a results line (no id and status)`);
  }
  return {
    id: v.id,
    status: v.status,
    ...(v.expect === 'pass' || v.expect === 'fail' ? { expect: v.expect } : {}),
  };
}
