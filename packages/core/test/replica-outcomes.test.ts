/**
 * The replica reports what concerns the other parts as outcomes (replica.ts, `ReplicaOutcome`),
 * and RawNode takes each to them as it happens (`takeReplica`). First the outcomes themselves,
 * on a Replica alone; then, on RawNodes driven by hand, the outcomes whose loss no other test
 * would notice, and the one whose timing matters.
 */
import { describe, expect, it } from 'vitest';
import { encodeBatch, encodeSkip, NOOP, type Command } from '../src/command.js';
import type { Membership } from '../src/configuration.js';
import type { Envelope, Message } from '../src/messages.js';
import { Replica, type ReplicaOutcome } from '../src/replica.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';
import { drivenNode } from './driven-node.js';
import { testContext } from './helpers.js';

const three = ['p1', 'p2', 'p3'];
const four = ['p1', 'p2', 'p3', 'p4'];
const membership = (m: string[]): Membership => ({ replicas: m, leaders: m, acceptors: m });

const put = (seq: number, value: string): Command => ({
  kind: 'app',
  client: 'c',
  inc: 1,
  seq,
  ack: 0,
  op: encodeKv({ op: 'put', key: 'x', value }),
});

const change = (seq: number, expectedConfig: number, m: string[]): Command => ({
  kind: 'reconfig',
  client: 'c',
  inc: 1,
  seq,
  ack: 0,
  expectedConfig,
  membership: membership(m),
});

/** The kinds of outcomes, slot by slot as yielded, with the slot of those that name one. */
function kinds(outcomes: Iterable<readonly ReplicaOutcome[]>): string[][] {
  return [...outcomes].map((slot) =>
    slot.map((o) => ('slot' in o ? `${o.kind} ${o.slot}` : o.kind)),
  );
}

describe('the replica reports outcomes, in the order they happen', () => {
  it('learns, applies in slot order, adds a configuration, and says it progressed', () => {
    const r = new Replica(testContext('p1'), new KvStateMachine());
    expect(kinds(r.install(SimCluster.initialSnapshot(membership(three), 4), false))).toEqual([
      ['installed', 'learnedThrough 0'],
      ['progressed'],
    ]);
    // Slot 2 waits for slot 1 (PMMC: decisions are applied at slotOut only).
    expect(kinds(r.onDecision(2, encodeBatch([put(3, 'b')])))).toEqual([['learned 2']]);
    // Each slot's outcomes come while slotOut still names that slot.
    const seen: [number, string[]][] = [];
    for (const slot of r.onDecision(1, encodeBatch([put(1, 'a'), change(2, 0, four)])))
      seen.push([r.slotOut, kinds([slot])[0]!]);
    expect(seen).toEqual([
      // The configuration comes before the reconfiguration's own result, as it happens.
      [1, ['learned 1', 'applied 1', 'configAdded', 'applied 1', 'performed 1']],
      [2, ['applied 2', 'performed 2']],
      [3, ['progressed']],
    ]);
    expect(r.configs.latest()).toMatchObject({ id: 1, start: 5 });
  });

  it('does nothing until its outcomes are taken (a generator: RawNode takes each call whole)', () => {
    const r = new Replica(testContext('p1'), new KvStateMachine());
    kinds(r.install(SimCluster.initialSnapshot(membership(three), 4), false));
    void r.onDecision(1, NOOP);
    expect(r.isDecided(1)).toBe(false);
    kinds(r.onDecision(1, NOOP));
    expect(r.slotOut).toBe(2);
  });
});

/** A RawNode of a new log of `members`, stepped by hand (driven-node.ts). */
const driven = (id: string, members: string[]) => drivenNode(id, members);

/** p1, the active leader of configuration 0 of three peers: p2 promises whatever it asks. */
function activeLeader() {
  const l = driven('p1', three);
  for (let i = 0; i < 100 && !l.n.status().leader.active; i++) {
    l.tick(10);
    for (const { to, msg } of l.sent.splice(0)) {
      if (to !== 'p2' || msg.type !== 'p1a') continue;
      const { config, ballot, probe } = msg;
      l.n.step('p2', { type: 'p1b', config, ballot, accepted: [], watermark: 0, probe });
    }
    l.turn();
  }
  expect(l.n.status().leader.active).toBe(true);
  l.sent.length = 0;
  return l;
}

const decision = (slot: number, value: Uint8Array): Message => ({ type: 'decision', slot, value });
const p2aSlots = (sent: Envelope[]) =>
  sent.flatMap(({ msg }) => (msg.type === 'p2a' ? [msg.slot] : []));

describe('RawNode takes every outcome to the part it concerns', () => {
  it('learned: a slot decided elsewhere ends its commander here (no more P2a for it)', () => {
    const l = activeLeader();
    l.n.propose(encodeKv({ op: 'put', key: 'x', value: 'v' }));
    l.turn();
    expect(p2aSlots(l.sent.splice(0))).toContain(1);
    l.tick(100);
    expect(p2aSlots(l.sent.splice(0))).toContain(1); // p2 and p3 have not answered: again
    l.n.step('p2', decision(1, NOOP));
    l.turn();
    l.sent.length = 0;
    l.tick(100);
    expect(p2aSlots(l.sent)).not.toContain(1);
  });

  it('configAdded: a peer that learns at once that it was added and removed again knows it was removed', () => {
    // p4 starts from the log's first snapshot, as a peer that joins does, and learns slots
    // 2..8 before slot 1: configuration 1 (with p4) from slot 5, configuration 2 (without it)
    // from slot 9, all applied in one go. Only the configuration added in between says that
    // p4 was a member.
    const p = driven('p4', three);
    for (const slot of [2, 3, 4, 6, 7, 8]) p.n.step('p1', decision(slot, NOOP));
    p.n.step('p1', decision(5, encodeBatch([change(2, 1, three)])));
    p.n.step('p1', decision(1, encodeBatch([change(1, 0, four)])));
    p.turn();
    expect(p.n.status().slotOut).toBe(9);
    expect(p.n.removed).toBe(true);
  });

  it('configAdded, as it happens: the active leader carries on into the next configuration', () => {
    // A membership change at slot 1 and, decided first, the skip that brings slotOut to where
    // it governs: applied in one call. Taken at slot 1, the change finds configuration 0 still
    // running and its leader active, which runs for configuration 1 at once; taken after the
    // skip, configuration 0 is over and p1 would wait an election timeout (450 ms here).
    const l = activeLeader();
    l.n.step('p2', decision(2, encodeSkip(2, 4, 4)));
    l.n.step('p2', decision(1, encodeBatch([change(1, 0, four)])));
    l.turn();
    expect(l.n.status().slotOut).toBe(5);
    l.tick(10);
    expect(l.sent.some(({ msg }) => msg.type === 'p1a' && msg.config === 1)).toBe(true);
  });
});
