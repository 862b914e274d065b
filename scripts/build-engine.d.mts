// Types of build-engine.mjs for the TypeScript tests and their global set-up (the script runs on plain Node).
export declare function buildEngine(options?: { quiet?: boolean }): Promise<{ ms: number; inputs: string[] }>;
