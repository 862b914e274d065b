// A dataset file read whole, refused past MAX_DATASET_BYTES before a byte is read.
import { open } from 'node:fs/promises';
import { MAX_DATASET_BYTES } from '../../limits.ts';
import { DatasetError } from '../dataset.ts';

export async function readDatasetText(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DatasetError(
      `${path}: cannot read the dataset (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_DATASET_BYTES) {
      throw new DatasetError(
        `${path}: the dataset is ${mib(size)} MiB, more than the ${mib(MAX_DATASET_BYTES)} MiB a batch reads`,
      );
    }
    const text = await handle.readFile('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    await handle.close();
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
