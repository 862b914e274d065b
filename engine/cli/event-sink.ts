// `fanout run --events[=FILE]`: RunEvents as NDJSON on stderr or into FILE. The file is opened before the
// run starts, so an unwritable path is a usage error (exit 2) instead of an unhandled stream 'error'
// event that kills the process with a stack; later write failures are reported once and never throw.
import { createWriteStream, openSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { RunEvent } from '../run/types.ts';
import { UsageError } from './args.ts';

export interface EventSink {
  write(event: RunEvent): void;
  /** Flushes and closes a file; resolves even when the file failed. */
  close(): Promise<void>;
}

/** `destination`: true = stderr, a string = a file path (created or truncated now). */
export function openEventSink(destination: string | true): EventSink {
  if (destination === true) {
    return { write: (event) => process.stderr.write(eventLine(event)), close: async () => {} };
  }
  let fd: number;
  try {
    fd = openSync(destination, 'w');
  } catch (error) {
    throw new UsageError(`cannot write events to ${destination}: ${(error as Error).message}`);
  }
  const stream: WriteStream = createWriteStream('', { fd });
  let failed = false;
  stream.on('error', (error) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`fanout run: writing events to ${destination} failed: ${error.message}\n`);
  });
  return {
    write: (event) => {
      if (!failed) stream.write(eventLine(event));
    },
    close: () =>
      new Promise<void>((resolve) => {
        // 'close' comes after the flush, and also after an error (autoClose), where 'finish' would not.
        if (stream.closed) return resolve();
        stream.once('close', () => resolve());
        stream.end();
      }),
  };
}

/** One NDJSON line; an event that cannot be serialised becomes a line saying so (never a throw). */
function eventLine(event: RunEvent): string {
  try {
    return `${JSON.stringify(event)}\n`;
  } catch (error) {
    const note = { type: 'unserialisable-event', seq: event.seq, error: (error as Error).message };
    return `${JSON.stringify(note)}\n`;
  }
}
