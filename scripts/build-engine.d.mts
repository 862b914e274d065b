// Types of build-engine.mjs for the TypeScript tests and their global set-up (the script runs on plain Node).
export declare function buildEngine(options?: {
  quiet?: boolean;
  clean?: boolean;
  /** Default dist/ (bench/worker-memory.ts builds into a scratch folder). */
  outdir?: string;
}): Promise<{ ms: number; inputs: string[] }>;
