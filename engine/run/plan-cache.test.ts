// compilePlan keeps the plan of a deep-frozen model (the engine's kept loads), so re-running an unchanged
// document does not build its graph again; a model a caller may still change is planned each time.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../index.ts';
import { loadWorkflow } from '../workflow/load.ts';
import { fanOutYaml, results } from '../../test/helpers.ts';
import { compilePlan } from './plan.ts';

const yaml = fanOutYaml({ branches: { a: 'return { v = 1 }', b: 'return { v = 2 }' } });

describe('compilePlan', () => {
  it('plans a kept (frozen) load once, and a mutable model every time', async () => {
    const engine = createEngine({ size: 1 });
    try {
      const kept = engine.load(yaml);
      expect(Object.isFrozen(kept.model)).toBe(true);
      expect(compilePlan(kept.model!)).toBe(compilePlan(kept.model!));
      const mutable = loadWorkflow(yaml);
      expect(compilePlan(mutable.model!)).not.toBe(compilePlan(mutable.model!));
      // Runs sharing the kept plan still get their own results.
      const [one, two] = await Promise.all([engine.run(yaml).result, engine.run(yaml).result]);
      for (const r of [one, two]) {
        expect(r.status).toBe('succeeded');
        expect(results(r.state).map((x) => x.state)).toEqual([{ v: 1 }, { v: 2 }]);
      }
    } finally {
      await engine.close();
    }
  });
});
