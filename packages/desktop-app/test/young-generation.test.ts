/**
 * The app's V8 policy (src/host/young-generation.ts): with the cap on, a workload that grows
 * V8's young generation to its default maximum (two 16 MiB semi-spaces) keeps it at 16 MiB;
 * once the cap is removed, the same workload grows it again. Each case runs in a child process
 * of its own, since the policy is process-wide.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../dist/host/young-generation.js', import.meta.url));
const MiB = 1024 * 1024;

/**
 * A child that allocates objects of which the last 50,000 stay alive (so scavenges see
 * survivors and V8 grows the young generation), yielding to the event loop between rounds as a
 * peer does, for at most `rounds` rounds or until the young generation reaches 32 MiB. With
 * `cap`, the policy is on for the first `capRounds` rounds. Prints the largest young generation
 * seen while capped and after, and the rounds run after.
 */
function run(o: { cap: boolean; capRounds: number; rounds: number }): {
  cappedMax: number;
  afterMax: number;
} {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from ${JSON.stringify(MODULE)};
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const keep = new Array(50000);
    let j = 0, cappedMax = 0, afterMax = 0;
    const stop = ${o.cap} ? capYoungGeneration() : () => {};
    for (let round = 0; round < ${o.rounds}; round++) {
      if (round === ${o.capRounds}) stop();
      for (let k = 0; k < 10000; k++) { keep[j] = { k, a: [k, k, k, k] }; j = (j + 1) % keep.length; }
      await new Promise((r) => setImmediate(r));
      if (round < ${o.capRounds}) cappedMax = Math.max(cappedMax, young());
      else afterMax = Math.max(afterMax, young());
      if (round >= ${o.capRounds} && afterMax >= ${32 * MiB}) break;
    }
    process.stdout.write(JSON.stringify({ cappedMax, afterMax }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { cappedMax: number; afterMax: number };
}

describe('capYoungGeneration', () => {
  it('keeps the young generation at 16 MiB where V8 grows it to 32, and lets it grow once removed', () => {
    // Without the policy, the workload grows the young generation to 32 MiB (~12 rounds here).
    const control = run({ cap: false, capRounds: 0, rounds: 1000 });
    expect(control.afterMax).toBe(32 * MiB);
    // With it, ten times that work stays at the cap; removed, growth resumes.
    const capped = run({ cap: true, capRounds: 150, rounds: 1150 });
    expect(capped.cappedMax).toBe(16 * MiB);
    expect(capped.afterMax).toBe(32 * MiB);
  });
});
