/**
 * PMMC §2, Invariant A4 across restarts: a leader never proposes two commands under one ballot.
 * A leader keeps no durable state, so this needs that a peer never produces, in a later run, a
 * ballot it produced in an earlier one, whatever rounds it hears (a heartbeat sent to its
 * previous run may arrive after the restart). Checked on a RawNode restarted on its storage,
 * fed heartbeats carrying any rounds, including the ones it used before (issue 12, sequence 1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ballot } from '../src/ballot.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { RawNode } from '../src/raw-node.js';
import type { Rules } from '../src/rules.js';
import { injectedRules } from '../src/testing/injected-bugs.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const members = ['p1', 'p2', 'p3'];

/**
 * Each run: the rounds heard before each election: one heard or used in an earlier run (a late
 * message), or a fresh one, small or in a high block (a peer that restarted more often).
 */
const heardPerRun = fc.array(
  fc.array(
    fc.oneof(
      fc.record({ reuse: fc.nat() }),
      fc.record({
        fresh: fc.oneof(
          fc.nat({ max: 2 ** 22 }),
          fc.tuple(fc.nat({ max: 8 }), fc.nat({ max: 3 })).map(([k, d]) => k * 2 ** 24 + d),
        ),
      }),
    ),
    {
      maxLength: 4,
    },
  ),
  { minLength: 2, maxLength: 6 },
);

type Heard = { reuse: number } | { fresh: number };

/** The ballots p1 runs with, per run, when it hears `runs`' rounds from p2 before each election. */
function ballotsOfRuns(
  runs: readonly (readonly Heard[])[],
  rules: Partial<Rules> = {},
): Ballot[][] {
  const storage = new MemoryStorage();
  storage.applySync({
    snapshot: SimCluster.initialSnapshot({
      replicas: members,
      leaders: members,
      acceptors: members,
    }),
  });
  // Rounds heard or used so far: any of them may arrive again, late.
  const used: number[] = [];
  const out: Ballot[][] = [];
  let now = 0;
  for (const heard of runs) {
    const node = new RawNode({
      id: 'p1',
      stateMachine: new KvStateMachine(),
      random: () => 0.5,
      rules,
    });
    node.load(storage.loadSync(), now);
    const mine: Ballot[] = [];
    const turn = () => {
      const rd = node.ready();
      if (rd.persist !== null) storage.applySync(rd.persist);
      for (const { msg } of rd.messages) {
        if (msg.type === 'p1a' && !mine.some((b) => b.round === msg.ballot.round))
          mine.push(msg.ballot);
      }
      node.advance();
    };
    turn();
    for (const h of [...heard, { fresh: 0 }]) {
      const round = 'reuse' in h ? (used.length > 0 ? used[h.reuse % used.length]! : 0) : h.fresh;
      if (round > 0) {
        used.push(round);
        node.step('p2', {
          type: 'heartbeat',
          config: 0,
          ballot: { round, leader: 'p2' },
          seq: 1,
          slotOut: 1,
          snapshotSlot: 0,
        });
      }
      // Long silence: p1 runs for office.
      now += 10_000;
      node.tick(now);
      turn();
    }
    for (const b of mine) used.push(b.round);
    out.push(mine);
  }
  return out;
}

function reused(runs: Ballot[][]): string | undefined {
  const owner = new Map<number, number>();
  for (const [i, ballots] of runs.entries()) {
    for (const b of ballots) {
      const j = owner.get(b.round);
      if (j !== undefined && j !== i) return `round ${b.round} in runs ${j + 1} and ${i + 1}`;
      owner.set(b.round, i);
    }
  }
  return undefined;
}

describe('PMMC §2 Invariant A4 across restarts', () => {
  it('a peer never produces a ballot it produced in an earlier run, whatever rounds it hears', () => {
    fc.assert(
      fc.property(heardPerRun, (runs) => {
        const ballots = ballotsOfRuns(runs);
        expect(ballots.every((r) => r.length > 0)).toBe(true);
        expect(reused(ballots)).toBeUndefined();
      }),
      { numRuns: RUNS, seed: 12 },
    );
  });

  it('fails with the old rule (max(seen + 1, incarnation · 2^24 + 1)): the check can fail', () => {
    const rules = injectedRules(new Set(['ballot-floor-only']));
    const r = fc.check(
      fc.property(heardPerRun, (runs) => reused(ballotsOfRuns(runs, rules)) === undefined),
      { numRuns: RUNS, seed: 12 },
    );
    expect(r.failed).toBe(true);
  });
});

describe('ballots across an upgrade from the previous round rule', () => {
  /** A store as the previous release left it: incarnation 3, its own old ballot promised. */
  function upgraded(): { node: RawNode; rounds: () => number[]; hear: (round: number) => void } {
    const storage = new MemoryStorage();
    storage.applySync({
      snapshot: SimCluster.initialSnapshot({
        replicas: members,
        leaders: members,
        acceptors: members,
      }),
      incarnation: 3,
      promises: [{ config: 0, ballot: { round: 3 * 2 ** 24 + 4, leader: 'p1' } }],
    });
    const node = new RawNode({ id: 'p1', stateMachine: new KvStateMachine(), random: () => 0.5 });
    node.load(storage.loadSync(), 0);
    const rounds: number[] = [];
    let now = 0;
    const turn = () => {
      const rd = node.ready();
      if (rd.persist !== null) storage.applySync(rd.persist);
      for (const { msg } of rd.messages) if (msg.type === 'p1a') rounds.push(msg.ballot.round);
      node.advance();
    };
    turn();
    const hear = (round: number) => {
      node.step('p2', {
        type: 'heartbeat',
        config: 0,
        ballot: { round, leader: 'p2' },
        seq: 1,
        slotOut: 1,
        snapshotSlot: 0,
      });
      now += 10_000;
      node.tick(now);
      turn();
    };
    return { node, rounds: () => rounds, hear };
  }

  it('never makes a round the previous rule made (the example: old run 3 made 3·2^24 + 4)', () => {
    const u = upgraded();
    // The new run (incarnation 4) hears 3·2^24 + 3: the old rule's round of run 3 was 3·2^24 + 4.
    u.hear(3 * 2 ** 24 + 3);
    const [first] = u.rounds();
    expect(first).toBeDefined();
    expect(first).not.toBe(3 * 2 ** 24 + 4);
    expect(first! >= 2 ** 46).toBe(true);
    expect(first! % 2 ** 20).toBe(4);
  });

  it('never makes a round in the previous rule range, whatever it hears', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat({ max: 2 ** 26 }), fc.nat({ max: 2 ** 47 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (heard) => {
          const u = upgraded();
          for (const r of heard) u.hear(r);
          return u.rounds().every((r) => r < 2 ** 24 || r >= 2 ** 46);
        },
      ),
      { numRuns: RUNS, seed: 46 },
    );
  });
});
