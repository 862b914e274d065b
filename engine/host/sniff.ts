// Whether a listed YAML file is plainly not a workflow (a JSON Schema, a settings overlay, a data file),
// so the file list can mark it without opening it. A cheap look at the head of the file, not a parse:
// the loader's NOT_A_WORKFLOW rule is "no top-level `nodes` and no `name`", and a block-style file shows
// those keys at column 0. Anything else (a flow-style `{…}` document, an unreadable file) is left
// unmarked: opening it gives the loader's exact answer.
import { open } from 'node:fs/promises';
import { MAX_SNIFF_BYTES, MAX_SNIFF_MEMO_ENTRIES } from '../limits.ts';

const TOP_LEVEL_WORKFLOW_KEY = /^(nodes|name)\s*:/m;

export async function looksNotWorkflow(abs: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(abs, 'r');
    const buffer = Buffer.alloc(MAX_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_SNIFF_BYTES, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8');
    const firstContent = head
      .split('\n')
      .find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    if (firstContent === undefined || /^\s*[{[]/.test(firstContent) || firstContent.startsWith('---')) {
      return false; // empty, flow style or a document marker: the loader decides
    }
    // A head cut short of the file's end may hold the keys further on: only a whole file is judged.
    return bytesRead < MAX_SNIFF_BYTES && !TOP_LEVEL_WORKFLOW_KEY.test(head);
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * looksNotWorkflow answers remembered by path, size and mtime: the file list is read again on every
 * change the host pushes, and an unchanged file need not be opened again. Bounded; the oldest go first.
 */
export class SniffMemo {
  private readonly answers = new Map<string, boolean>();

  constructor(private readonly max = MAX_SNIFF_MEMO_ENTRIES) {}

  async looksNotWorkflow(abs: string, size: number, mtimeMs: number): Promise<boolean> {
    const key = `${abs}\0${size}\0${mtimeMs}`;
    const known = this.answers.get(key);
    if (known !== undefined) return known;
    const answer = await looksNotWorkflow(abs);
    this.answers.set(key, answer);
    if (this.answers.size > this.max) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  }
}
