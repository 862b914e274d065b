// The KeyCipher of Electron's provider keys: Electron's safeStorage (the OS keychain: macOS Keychain,
// Windows DPAPI, libsecret / kwallet on Linux). Where it cannot encrypt, keys are refused with a clear
// message instead of being stored in plain text. Takes a safeStorage-shaped object so the logic is tested
// without the Electron binary.
import type { KeyCipher } from '../../engine/host/provider-keys.ts';

/** The part of Electron's `safeStorage` this uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: which secret store backs it ('basic_text' = a hard-coded password, not a keychain). */
  getSelectedStorageBackend?(): string;
}

export const NO_KEYCHAIN =
  'this system offers no OS keychain to encrypt keys with, so Fanout does not store them: set the ' +
  'provider variables (OPENAI_API_KEY, …) in the environment or in a .env file beside the workflow';

export function safeStorageCipher(safeStorage: SafeStorageLike, platform = process.platform): KeyCipher {
  const unavailable = (): string | null => {
    if (!safeStorage.isEncryptionAvailable()) return NO_KEYCHAIN;
    // On Linux without a secret service Chromium falls back to a fixed password ('basic_text'): that
    // is obfuscation, not encryption, so it counts as no keychain.
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text')
      return NO_KEYCHAIN;
    return null;
  };
  return {
    unavailable,
    encrypt(plain) {
      const why = unavailable();
      if (why !== null) throw new Error(why);
      return safeStorage.encryptString(plain);
    },
    decrypt(sealed) {
      // An empty file holds no keys; anything else must decrypt (a failure reads as "no keys").
      if (sealed.length === 0) return '{}';
      return safeStorage.decryptString(sealed);
    },
  };
}
