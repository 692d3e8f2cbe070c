/**
 * A ballot round no run of a peer could go above is refused where it arrives (ballot.ts,
 * MAX_ROUND). A peer that heard one made it the round to beat, found no unused round above it
 * (`nextRound`: rounds stay below 2^53) and never ran for leader again in that configuration:
 * one heartbeat near 2^53, forged or corrupted, from one member to the others, and the log
 * stalled for good.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ROUND } from '../src/ballot.js';
import type { Heartbeat } from '../src/messages.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

const three = ['p1', 'p2', 'p3'];

function threeLed(seed: number) {
  const c = new SimCluster({
    seed,
    fsyncMs: [1, 3],
    network: { minDelayMs: 1, maxDelayMs: 3 },
  });
  const snap = SimCluster.initialSnapshot({ replicas: three, leaders: three, acceptors: three }, 8);
  for (const id of three) {
    c.addPeer(id, snap);
    c.start(id);
  }
  const node = (id: string) => c.peer(id).node!;
  c.runFor(5_000, () => three.some((id) => node(id).status().leader.active));
  const leader = three.find((id) => node(id).status().leader.active)!;
  expect(leader).toBeDefined();
  return { c, node, leader };
}

/** `from` tells every other peer that it leads configuration 0 with round `round`. */
function heartbeatFrom(c: SimCluster, from: string, round: number): void {
  const m: Heartbeat = {
    type: 'heartbeat',
    config: 0,
    ballot: { round, leader: from },
    seq: 1,
    slotOut: 1,
    snapshotSlot: 0,
  };
  for (const to of three) if (to !== from) c.receive(from, to, m);
}

describe('a round near 2^53 in a message', () => {
  it('one member tells the others it leads with round 2^53 - 1, then crashes: the two go on', () => {
    const { c, node, leader } = threeLed(1);
    const other = three.find((id) => id !== leader)!;
    const staying = three.filter((id) => id !== other);
    heartbeatFrom(c, other, 2 ** 53 - 1);
    c.crash(other);
    // A majority is up. Had they taken the round in, neither could ever run for leader again.
    c.invoke(leader, { op: 'append', key: 'x', value: 'after.' });
    c.runFor(20_000, () => c.totalOutstanding() === 0);
    expect(c.totalOutstanding()).toBe(0);
    for (const id of staying) expect(node(id).status().leader.ballot.round).toBeLessThan(2 ** 32);
  });

  it('a round above MAX_ROUND is refused: the leader does not step down for it', () => {
    const { c, node, leader } = threeLed(2);
    const other = three.find((id) => id !== leader)!;
    const before = node(leader).status().leader.ballot;
    heartbeatFrom(c, other, MAX_ROUND + 1);
    expect(node(leader).status().leader).toMatchObject({ active: true, ballot: before });
  });

  it('MAX_ROUND itself is taken as any round: every run can still go above it', () => {
    const { c, node, leader } = threeLed(3);
    const other = three.find((id) => id !== leader)!;
    heartbeatFrom(c, other, MAX_ROUND);
    expect(node(leader).status().leader.active).toBe(false);
    // `other` never leads at that round; some peer runs again, with a round above it.
    c.invoke(leader, { op: 'append', key: 'x', value: 'after.' });
    c.runFor(20_000, () => c.totalOutstanding() === 0);
    expect(c.totalOutstanding()).toBe(0);
    expect(three.some((id) => node(id).status().leader.ballot.round > MAX_ROUND)).toBe(true);
  });
});
