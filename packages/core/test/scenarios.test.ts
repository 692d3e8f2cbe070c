/**
 * Data-driven scenario scripts (testdata/*.txt), in the manner of etcd-io/raft's testdata.
 * Each command's output is part of the file; run with UPDATE_SCENARIOS=1 to rewrite the files
 * with the actual output (then read the diff: it is the test).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BugName } from '../src/bugs.js';
import { runScenario } from '../src/testing/scenario.js';

const dir = join(import.meta.dirname, 'testdata');
const update = process.env.UPDATE_SCENARIOS === '1';

describe('scenario scripts', () => {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    it(file, () => {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const result = runScenario(text);
      if (update) {
        writeFileSync(path, result.text);
        return;
      }
      expect(result.mismatches, `run UPDATE_SCENARIOS=1 to rewrite ${file}`).toEqual([]);
    });
  }
});

/**
 * Scripts about one bug must fail with it: each names the injected bug that breaks it and the
 * violation that bug must cause (a script that passes with its bug proves nothing).
 */
const BROKEN_BY: Record<string, { bug: BugName; violation: RegExp }> = {
  'ballot-reuse-after-restart.txt': { bug: 'ballot-floor-only', violation: /VIOLATION agreement/ },
  'skip-read-index.txt': { bug: 'skip-read-index', violation: /VIOLATION linearizability/ },
  'skip-voids-held-decision.txt': {
    bug: 'skip-applies-held',
    violation: /VIOLATION convergence/,
  },
};

describe('scenario scripts catch the bug they are about', () => {
  for (const [file, { bug, violation }] of Object.entries(BROKEN_BY)) {
    it(`${file} with ${bug}`, () => {
      const result = runScenario(readFileSync(join(dir, file), 'utf8'), 1, [bug]);
      expect(result.text).toMatch(violation);
    });
  }
});
