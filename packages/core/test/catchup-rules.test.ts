/**
 * Catch-up ends at a peer that has what is missing (DESIGN.md §3 item 7; docs/protocol.md), on a
 * RawNode driven by hand: the cases of simulator seed 4020591 (issue 12). Each also runs with
 * the injected bug `stale-catchup-source` (the choice before the fix), which must fail it.
 */
import { describe, expect, it } from 'vitest';
import type { BugName } from '../src/bugs.js';
import { Catchup } from '../src/catchup.js';
import { NOOP } from '../src/command.js';
import type { Message } from '../src/messages.js';
import { RawNode } from '../src/raw-node.js';
import { Replica } from '../src/replica.js';
import { encodeSnapshot } from '../src/snapshot.js';
import { injectedRules } from '../src/testing/injected-bugs.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { newLogStore, testContext } from './helpers.js';

const members = ['p1', 'p2', 'p3', 'p4'];
const opts = { electionTimeoutMs: 300, catchupDelayMs: 100, retransmitIntervalMs: 100 };

function follower(bugs: BugName[] = []) {
  const storage = newLogStore(members, 4);
  const n = new RawNode({
    id: 'p3',
    stateMachine: new KvStateMachine(),
    random: () => 0.5,
    options: opts,
    rules: injectedRules(new Set(bugs)),
  });
  n.load(storage.loadSync());
  let now = 0;
  /** Requests sent so far: [to, fromSlot]. */
  const asked: [string, number][] = [];
  /** How other peers answer a request (none: they stay silent). */
  const answers = new Map<string, (fromSlot: number) => Message>();
  const turn = () => {
    const rd = n.ready();
    n.advance();
    for (const e of [...rd.messages, ...rd.afterPersist]) {
      if (e.msg.type !== 'catchupReq') continue;
      asked.push([e.to, e.msg.fromSlot]);
      const answer = answers.get(e.to);
      if (answer !== undefined) {
        n.step(e.to, answer(e.msg.fromSlot));
        turn();
      }
    }
  };
  turn();
  /** The leader p1 heartbeats, saying it has applied below `slotOut` (it may be behind). */
  const heartbeat = (slotOut: number): Message => ({
    type: 'heartbeat',
    config: 0,
    ballot: { round: 1, leader: 'p1' },
    seq: 1,
    slotOut,
    snapshotSlot: 0,
  });
  const wait = (ms: number, leaderSlotOut = 1) => {
    for (const end = now + ms; now < end;) {
      now += 10;
      n.step('p1', heartbeat(leaderSlotOut));
      n.tick(now);
      turn();
    }
  };
  return { n, asked, answers, wait, turn };
}

/** The snapshot through `slot` of a log of no-ops. */
function snapshotAt(slot: number): Uint8Array {
  return encodeSnapshot({
    slot,
    window: 4,
    skips: true,
    configs: [{ id: 0, start: 1, replicas: members, leaders: members, acceptors: members }],
    clients: [],
    app: new KvStateMachine().snapshot(),
  });
}

/** A partial transfer from p2, passed by decisions from p1; p2 then has nothing; p4 is ahead. */
function passedTransfer(bugs: BugName[] = []) {
  const f = follower(bugs);
  // p2 says (in a request of its own) that it has applied below 20: p3 asks it.
  f.n.step('p2', { type: 'catchupReq', fromSlot: 20, snapshotSlot: 0, offset: 0 });
  f.wait(200);
  expect(f.asked.at(-1)).toEqual(['p2', 1]);
  // p2 compacted: half of its snapshot through slot 10 arrives; p3 asks for the rest.
  const data = snapshotAt(10);
  const half = Math.floor(data.length / 2);
  f.n.step('p2', {
    type: 'snapshotChunk',
    slot: 10,
    offset: 0,
    total: data.length,
    data: data.subarray(0, half),
  });
  f.turn();
  // Meanwhile decisions 1..12 reach p3 another way (the leader re-decides them): past slot 10.
  for (let s = 1; s <= 12; s++) f.n.step('p1', { type: 'decision', slot: s, value: NOOP });
  f.turn();
  expect(f.n.status().slotOut).toBe(13);
  // p2 (restarted, behind) has nothing from 13 and says so, every time; p4 has applied below 40.
  const none: Message = { type: 'catchupDecisions', decisions: [] };
  f.answers.set('p2', () => none);
  f.answers.set('p4', (from) => ({
    type: 'catchupDecisions',
    decisions: Array.from({ length: Math.max(0, 40 - from) }, (_, i) => ({
      slot: from + i,
      value: NOOP,
    })),
  }));
  f.n.step('p4', { type: 'catchupReq', fromSlot: 40, snapshotSlot: 0, offset: 0 });
  f.n.step('p2', none);
  f.asked.length = 0;
  f.wait(3000, 13);
  return { asked: f.asked, slotOut: f.n.status().slotOut };
}

/** p3 holds a decision above a hole; the leader p1 is behind too; p2 answers empty; p4 has it. */
function holeWithLeaderBehind(bugs: BugName[] = []) {
  const f = follower(bugs);
  const none: Message = { type: 'catchupDecisions', decisions: [] };
  f.answers.set('p1', () => none);
  f.answers.set('p2', () => none);
  f.answers.set('p4', (from) => ({
    type: 'catchupDecisions',
    decisions: [1, 2, 3, 4].filter((s) => s >= from).map((slot) => ({ slot, value: NOOP })),
  }));
  f.n.step('p1', { type: 'decision', slot: 5, value: NOOP });
  f.asked.length = 0;
  f.wait(3000, 1);
  return { asked: f.asked, slotOut: f.n.status().slotOut };
}

/**
 * p2 sends its snapshot through slot 10 in two chunks; between them, an empty answer it sent
 * before it held slot 1 arrives late (soak seed 130021602 of profile ballot-reuse). Marking p2
 * as lacking slot 1 would drop its transfer and ask p4 for slot 1 at once (before 9ac00c7).
 */
function lateEmptyAnswerDuringTransfer() {
  const f = follower();
  f.n.step('p2', { type: 'catchupReq', fromSlot: 20, snapshotSlot: 0, offset: 0 });
  f.wait(200);
  expect(f.asked.at(-1)).toEqual(['p2', 1]);
  const data = snapshotAt(10);
  const half = Math.floor(data.length / 2);
  const chunk = (offset: number, end: number): Message => ({
    type: 'snapshotChunk',
    slot: 10,
    offset,
    total: data.length,
    data: data.subarray(offset, end),
  });
  f.n.step('p2', chunk(0, half));
  f.turn();
  // p4 is ahead too: a peer to turn to if p2 were marked as lacking slot 1.
  f.n.step('p4', { type: 'catchupReq', fromSlot: 40, snapshotSlot: 0, offset: 0 });
  f.turn();
  f.asked.length = 0;
  f.n.step('p2', { type: 'catchupDecisions', decisions: [] });
  f.turn();
  f.wait(50);
  const askedBeforeRest = [...f.asked];
  f.n.step('p2', chunk(half, data.length));
  f.turn();
  return { askedBeforeRest, slotOut: f.n.status().slotOut };
}

describe('catch-up ends at a peer that has what is missing', () => {
  it('a late empty answer from the peer sending a snapshot that covers slotOut marks nothing', () => {
    const { askedBeforeRest, slotOut } = lateEmptyAnswerDuringTransfer();
    expect(askedBeforeRest.filter(([to]) => to !== 'p2')).toEqual([]);
    expect(slotOut).toBe(11);
  });

  it('drops a partial snapshot transfer once passed, and a source that answered with nothing', () => {
    const { asked, slotOut } = passedTransfer();
    expect(slotOut).toBe(40);
    expect(asked[0]).toEqual(['p4', 13]);
    expect(asked.filter(([to]) => to === 'p2')).toEqual([]);
  });

  it('fails with stale-catchup-source: it asks the stale source again and again', () => {
    const { asked, slotOut } = passedTransfer(['stale-catchup-source']);
    expect(slotOut).toBe(13);
    expect(asked.filter(([to]) => to === 'p2').length).toBeGreaterThan(10);
  });

  it('with a hole and a leader that is behind, asks the members in turn until one has it', () => {
    const { asked, slotOut } = holeWithLeaderBehind();
    expect(slotOut).toBe(6);
    const until = asked.findIndex(([to]) => to === 'p4');
    expect(asked[until]).toEqual(['p4', 1]);
    // Before it, each member that answered "nothing" was asked once.
    const before = asked.slice(0, until).map(([to]) => to);
    expect(new Set(before).size).toBe(before.length);
  });

  it('fails with stale-catchup-source: nobody is asked (only the leader was heard of)', () => {
    const { asked, slotOut } = holeWithLeaderBehind(['stale-catchup-source']);
    expect(slotOut).toBe(1);
    expect(asked).toEqual([]);
  });
});

describe('catch-up only reads the replica; the node hands what it brings to the replica', () => {
  it('returns a snapshot once its chunks are whole, and goes on from its source once installed', () => {
    const ctx = testContext('p3', opts);
    const replica = new Replica(ctx, new KvStateMachine());
    // The node takes the replica's outcomes (Array.from), and tells catch-up of its progress.
    Array.from(replica.install({ slot: 0, data: snapshotAt(0) }, false));
    const c = new Catchup(ctx, replica);
    c.progressed();
    c.noteAhead('p1', 20);
    ctx.time = 1000;
    c.tick();
    expect(ctx.take()).toMatchObject([{ to: 'p1', msg: { type: 'catchupReq', fromSlot: 1 } }]);
    const data = snapshotAt(10);
    const half = data.length >> 1;
    const chunk = (offset: number, end: number) =>
      ({
        type: 'snapshotChunk',
        slot: 10,
        offset,
        total: data.length,
        data: data.slice(offset, end),
      }) as const;
    expect(c.onSnapshotChunk('p1', chunk(0, half))).toBeUndefined();
    expect(ctx.take()).toMatchObject([{ to: 'p1', msg: { snapshotSlot: 10, offset: half } }]);
    const whole = c.onSnapshotChunk('p1', chunk(half, data.length));
    expect(whole).toEqual({ slot: 10, data });
    expect(replica.slotOut).toBe(1); // catch-up installs nothing itself
    Array.from(replica.install(whole!, true));
    c.progressed();
    c.installed('p1');
    // p1 is still ahead (20): the decisions after the snapshot, from it.
    expect(ctx.take()).toMatchObject([{ to: 'p1', msg: { type: 'catchupReq', fromSlot: 11 } }]);
  });
});
