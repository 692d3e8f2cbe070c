/**
 * Data-driven scenario scripts (testdata/*.txt), in the manner of etcd-io/raft's testdata.
 * Each command's output is part of the file; run with UPDATE_SCENARIOS=1 to rewrite the files
 * with the actual output (then read the diff: it is the test).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
