// One benchmark measurement, as printed by `npm run bench` and written to docs/benchmarks.json.
export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. '< 100 ms'. */
  target?: string;
  note?: string;
}
