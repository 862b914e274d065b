// Electron's provider keys sealed by safeStorage (through the KeyCipher adapter): the file on disk is
// never the plaintext, it round-trips, and where the OS offers no keychain (encryption unavailable, or
// Linux's 'basic_text' fallback) the host refuses to store with a clear message and writes nothing.
// safeStorage itself needs the Electron binary: a stand-in with its shape encrypts with AES-256-GCM.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeyStore } from '../../engine/host/provider-keys.ts';
import { HostService, memoryRecentList } from '../../engine/host/service.ts';
import { rootScope } from '../../engine/host/scope.ts';
import { HostFailure } from '../../engine/host/errors.ts';
import { NO_KEYCHAIN, safeStorageCipher, type SafeStorageLike } from './safe-storage-cipher.ts';

const PLANTED = 'sk-planted-electron-key-5b2e91';

function fakeSafeStorage(
  available: boolean,
  backend = 'gnome_libsecret',
): SafeStorageLike & { calls: number } {
  const key = randomBytes(32);
  const store = {
    calls: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(plain: string) {
      store.calls++;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(sealed: Buffer) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
  return store;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-safe-storage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function host(keys: FileKeyStore) {
  return new HostService({
    host: 'electron',
    engine: {} as never, // key operations never reach the engine
    info: { appVersion: 'test', platform: 'linux', workers: 1 },
    scope: rootScope(dir),
    recent: memoryRecentList(),
    scratchDir: dir,
    keys,
  });
}

describe('provider keys sealed by safeStorage', () => {
  it('stores the key encrypted (0600, never the plaintext) and reads it back for runs', async () => {
    const path = join(dir, 'sealed', 'provider-keys.json');
    const storage = fakeSafeStorage(true);
    const keys = new FileKeyStore(path, safeStorageCipher(storage, 'linux'));
    const service = host(keys);
    const info = await service.setProviderKey({ provider: 'openai', key: PLANTED });
    expect(info.storage).toEqual({ kind: 'keychain', path });
    expect(info.unavailable).toBeNull();
    expect(info.providers.find((p) => p.provider === 'openai')?.stored).toBe(true);
    expect(storage.calls).toBe(1);
    const bytes = await readFile(path);
    expect(bytes.toString('latin1')).not.toContain(PLANTED);
    expect(bytes.toString('latin1')).not.toContain('openai');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await keys.values()).toEqual({ OPENAI_API_KEY: PLANTED });
    // Another store with another OS key cannot read it: it holds no keys, it does not crash.
    expect(await new FileKeyStore(path, safeStorageCipher(fakeSafeStorage(true), 'linux')).values()).toEqual(
      {},
    );
  });

  it.each([
    ['encryption unavailable', fakeSafeStorage(false), 'darwin'],
    ["Linux's basic_text fallback", fakeSafeStorage(true, 'basic_text'), 'linux'],
  ] as const)('refuses to store with a clear message: %s', async (_name, storage, platform) => {
    const path = join(dir, `refused-${platform}`, 'provider-keys.json');
    const service = host(new FileKeyStore(path, safeStorageCipher(storage, platform)));
    expect((await service.providerKeys()).unavailable).toBe(NO_KEYCHAIN);
    const error = await service.setProviderKey({ provider: 'openai', key: PLANTED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostFailure);
    expect((error as HostFailure).code).toBe('UNAVAILABLE');
    expect((error as HostFailure).message).toBe(NO_KEYCHAIN);
    expect((error as HostFailure).message).not.toContain(PLANTED);
    await expect(stat(path)).rejects.toThrow(/ENOENT/); // nothing written, not even plaintext
  });

  it('a basic_text backend on macOS or Windows is not a reason to refuse (the check is Linux-only)', () => {
    expect(safeStorageCipher(fakeSafeStorage(true, 'basic_text'), 'darwin').unavailable()).toBeNull();
  });
});
