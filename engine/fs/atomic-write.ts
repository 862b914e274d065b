// The one atomic file write every save path uses (CLI export, file.write action, hosts): write a temp
// file in the same folder, fsync it, rename it over the target, then fsync the folder. Readers and a
// crash never see a partial file; the temp file is removed on any failure.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(
  target: string,
  text: string,
  options: { mkdirs?: boolean } = {},
): Promise<void> {
  const dir = dirname(target);
  if (options.mkdirs) await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Persist the rename itself; not every platform allows fsync on a folder, so best effort.
  const folder = await open(dir, 'r').catch(() => null);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
