// Types of electron-binary.mjs for the TypeScript tests (the script itself runs on plain Node).
export declare const ELECTRON_INSTALL_TIMEOUT_MS: number;
export declare function electronPackageDir(root: string): string | null;
export declare function electronBinary(
  root: string,
): { path: string; reason: null } | { path: null; reason: string };
export declare function installElectronBinary(
  root: string,
  options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<{ ok: true; reason: null } | { ok: false; reason: string }>;
