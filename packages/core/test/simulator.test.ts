/**
 * The simulator in `npm test`: 100 seeds of random faults (crashes, sleeps, partitions,
 * membership changes, message loss and duplication, compaction) with every invariant checked,
 * 40 of each issue-12 profile, and the seeds the soaks found. That the simulator can fail is
 * injected-bugs.test.ts (each known bug caught). More seeds: SIM_SEEDS, `npm run sim -- --seeds
 * N`, and `npm run sim:soak -- MINUTES` (every profile in turn, until the time is up).
 * A failure prints its seed; `npm run sim -- --seed N` replays it exactly.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../src/testing/simulator.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 100);
/**
 * Seeds of each issue-12 profile and of power-cut (each has its `npm run sim -- --profile` runs
 * and soak share).
 */
const PROFILE_SEEDS = Number(process.env.SIM_PROFILE_SEEDS ?? 40);

describe('simulator', () => {
  it(`holds every invariant on ${SEEDS} seeds`, () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runSimulation({ seed });
      if (!r.ok)
        failed.push(`seed ${seed}: ${r.violations[0]} (replay: npm run sim -- --seed ${seed})`);
    }
    expect(failed).toEqual([]);
  }, 600_000);

  for (const profile of ['ballot-reuse', 'catchup', 'amnesia', 'power-cut'] as const) {
    it(`holds every invariant on ${PROFILE_SEEDS} seeds of profile ${profile}`, () => {
      const failed: string[] = [];
      for (let seed = 1; seed <= PROFILE_SEEDS; seed++) {
        const r = runSimulation({ seed, profile });
        if (!r.ok)
          failed.push(
            `seed ${seed}: ${r.violations[0]} (replay: npm run sim -- --seed ${seed} --profile ${profile})`,
          );
      }
      expect(failed).toEqual([]);
    }, 600_000);
  }

  // Found by issue 12's final soak (notes/issue-12.md): amnesia runs whose checks or nemesis
  // were wrong (a ballot reused by a store that went back; a store restored while the peers
  // that knew of its writes were cut off; a rolled-back id added again), catch-up runs that
  // settled just after the profile's bound; a leader stuck below a watermark reported by an
  // acceptor that was then wiped (28000156, 28001360, 28004051, found on the fixed code).
  const soakSeeds = {
    amnesia: [
      27000355, 27000412, 30001943, 40008765, 40009983, 40010333, 28000156, 28001360, 28004051,
      // The nemesis crashed the one member that knew of a restored store's later writes 24 ms
      // after the restore (a limit docs/protocol.md states); it now waits until the peer is found.
      900015262,
    ],
    catchup: [40001484, 40004284],
    // A confirmed read waited forever for slots only a leader that stepped down was deciding.
    'leader-churn': [120004571],
    // Stale reads: acks of heartbeats sent before a restart confirmed the new run's reads.
    // 130021602: a late "lacks it" answer from the peer sending a snapshot that covers the slot.
    // 72003652 (issue 13, after decided values left memory): four followers of five fetched
    // snapshots from one source at once, which pinned three, so they restarted each other's
    // transfers; it now pins one per peer behind.
    'ballot-reuse': [80011565, 130021602, 72003652],
    // A node that woke up took a catch-up answer before its tick: a source found lacking the
    // slot was stamped with the time it fell asleep, forgiven at once and asked again.
    // 600001352 (and 600000523 of membership-churn): a change decided after the heal named a
    // peer the heal had stopped; the simulator's final reads now restart it (a harness fix).
    // 9 (issue 13, skips): a read confirmed in the old configuration for a slot a skip voided
    // missed the new configuration's writes; the read index now covers voided slots (the run
    // changed with the snapshot rule after it: injected-bugs' skip-read-index is the live check).
    mixed: [200035500, 600001352, 9],
    // 72008859 (issue 13): a re-added peer asked only two crashed peers it had heard were
    // ahead, for ever; one that leaves three requests unanswered is now forgotten as ahead, so
    // the peer probes the members it knows. 7002347: the heal left only a joining peer up (the
    // simulator now restarts everyone when no live peer knows the configuration).
    'membership-churn': [600000523, 72008859, 7002347],
  } as const;
  for (const [profile, seeds] of Object.entries(soakSeeds)) {
    it(`holds every invariant on the soak's seeds of profile ${profile}`, () => {
      const failed = seeds
        .map((seed) => runSimulation({ seed, profile: profile as keyof typeof soakSeeds }))
        .filter((r) => !r.ok)
        .map((r) => `seed ${r.seed}: ${r.violations[0]}`);
      expect(failed).toEqual([]);
    }, 120_000);
  }

  it('replays a seed exactly', () => {
    const a = runSimulation({ seed: 42 });
    const b = runSimulation({ seed: 42 });
    expect(b).toEqual(a);
  });
});
