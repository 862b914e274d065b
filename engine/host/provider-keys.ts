// API keys set in the app's Providers page. One small interface, two places to keep them: the browser
// host (`fanout serve`) in a JSON file under the user's config folder, created 0600 in a 0700 folder;
// Electron encrypted with safeStorage (electron/main supplies the cipher: engine/ never imports Electron).
// Keys are write-only through the host: `status` says which are set, never what they are; only the run
// path (`values`) reads them, and the run's Redactor scrubs them from everything a run emits.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withPathLock } from '../fs/path-lock.ts';
import { MAX_PROVIDER_KEY_CHARS } from '../limits.ts';
import { PROVIDER_KEY_VARS, type KeyedProvider } from './provider-vars.ts';

export { MAX_PROVIDER_KEY_CHARS, PROVIDER_KEY_VARS, type KeyedProvider };

/** Where a store keeps its keys, for the Providers page to say. */
export interface KeyStoreLocation {
  /** file: plain JSON, owner-only (0600); keychain: encrypted with the OS keychain (safeStorage). */
  kind: 'file' | 'keychain';
  path: string;
}

/**
 * A store that cannot keep keys right now (Electron without OS encryption). Its message is shown to the
 * user as it is, so it never quotes a key.
 */
export class KeyStoreUnavailableError extends Error {}

export interface ProviderKeyStore {
  readonly location: KeyStoreLocation;
  /** Why keys cannot be stored now (shown on the page), or null when they can. */
  unavailable(): string | null;
  /** Which providers have a key: never the keys. */
  status(): Promise<Record<KeyedProvider, boolean>>;
  /** Sets (a non-empty string) or clears (null) one provider's key. */
  set(provider: KeyedProvider, key: string | null): Promise<void>;
  /** The keys as environment variables, for a run's model calls only (never sent to a client). */
  values(): Promise<Record<string, string>>;
}

/** Encrypts and decrypts the stored file's contents (Electron: safeStorage). */
export interface KeyCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  /** Why it cannot encrypt now (e.g. no OS keychain), or null when it can. */
  unavailable(): string | null;
}

/** The key file's name in the config folder (both hosts). */
export const PROVIDER_KEYS_FILE = 'provider-keys.json';

/** `$XDG_CONFIG_HOME/fanout` (else ~/.config/fanout; %APPDATA%\fanout on Windows). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env['APPDATA']) return join(env['APPDATA'], 'fanout');
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'fanout');
}

type Stored = Partial<Record<KeyedProvider, string>>;

/**
 * Keys in one file: plain JSON with mode 0600 (browser host), or sealed by `cipher` (Electron). The
 * file is replaced atomically; a missing or unreadable file holds no keys.
 */
export class FileKeyStore implements ProviderKeyStore {
  constructor(
    readonly path: string,
    private readonly cipher?: KeyCipher,
  ) {}

  get location(): KeyStoreLocation {
    return { kind: this.cipher ? 'keychain' : 'file', path: this.path };
  }

  unavailable(): string | null {
    return this.cipher?.unavailable() ?? null;
  }

  async status(): Promise<Record<KeyedProvider, boolean>> {
    const keys = await this.read();
    const out = {} as Record<KeyedProvider, boolean>;
    for (const p of Object.keys(PROVIDER_KEY_VARS) as KeyedProvider[]) out[p] = Boolean(keys[p]);
    return out;
  }

  async set(provider: KeyedProvider, key: string | null): Promise<void> {
    if (!(provider in PROVIDER_KEY_VARS)) throw new Error(`unknown provider '${provider}'`);
    if (key !== null && (key.length === 0 || key.length > MAX_PROVIDER_KEY_CHARS || /\s/.test(key))) {
      throw new Error(`a key is 1 to ${MAX_PROVIDER_KEY_CHARS} characters without spaces`);
    }
    // Never fall back to plaintext when the cipher cannot encrypt: refuse, saying why.
    const why = this.unavailable();
    if (why !== null) throw new KeyStoreUnavailableError(why);
    // Read, change, write under the file's lock: two keys set at once must both be kept.
    await withPathLock(this.path, async () => {
      const keys = await this.read();
      if (key === null) delete keys[provider];
      else keys[provider] = key;
      const text = JSON.stringify(keys);
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const bytes = this.cipher ? this.cipher.encrypt(text) : Buffer.from(text, 'utf8');
      await writeFileAtomic(this.path, bytes, { mode: 0o600 });
      // An existing file keeps its mode through the atomic write: make sure it is the owner's only.
      await chmod(this.path, 0o600);
    });
  }

  async values(): Promise<Record<string, string>> {
    const keys = await this.read();
    const out: Record<string, string> = {};
    for (const [p, v] of Object.entries(keys)) {
      if (v) out[PROVIDER_KEY_VARS[p as KeyedProvider]] = v;
    }
    return out;
  }

  private async read(): Promise<Stored> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch {
      return {};
    }
    try {
      const text = this.cipher ? this.cipher.decrypt(bytes) : bytes.toString('utf8');
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      const out: Stored = {};
      for (const p of Object.keys(PROVIDER_KEY_VARS) as KeyedProvider[]) {
        const v = (parsed as Record<string, unknown>)[p];
        if (typeof v === 'string' && v) out[p] = v;
      }
      return out;
    } catch {
      return {};
    }
  }
}
