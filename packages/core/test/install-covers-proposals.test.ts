/**
 * A snapshot installed by the replica beside an active leader tells that leader which slots it
 * covers, as a decision does (`learned`): they are decided, so its proposals and commanders
 * there are moot. The leader used to keep them. A commander whose slot the acceptors have
 * compacted (their watermark passed it) gets no vote from them (acceptor.ts, onP2a), so it
 * resent its P2a every retransmission interval for as long as the peer led, and a leadership
 * transfer, which waits for the slots in flight, waited for its "late" timeout instead
 * (simulator seed 45 of profile catchup: 112 P2a for slots 82 and 85 in the last 837 ms of the
 * run).
 *
 * The scenario, with p3 stepped by hand: p3 was away, runs for leader, and p1's P1b reports a
 * pvalue at slot 12 and the watermark 10. p3 re-proposes 10..12 (phase 2) while its replica is
 * still at slot 1; p1 and p2 do not vote (p1 has compacted those slots since its P1b, p2 is
 * down). p3's catch-up fetches p1's snapshot through slot 19.
 */
import { describe, expect, it } from 'vitest';
import { encodeBatch, type Command } from '../src/command.js';
import type { Envelope, Message } from '../src/messages.js';
import type { RawNode } from '../src/raw-node.js';
import { encodeSnapshot } from '../src/snapshot.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { drivenNode } from './driven-node.js';

const three = ['p1', 'p2', 'p3'];
const WINDOW = 8;
const members = { replicas: three, leaders: three, acceptors: three };

const put = (seq: number, value: string): Command => ({
  kind: 'app',
  client: 'p1',
  inc: 1,
  seq,
  ack: seq - 1,
  op: encodeKv({ op: 'append', key: 'x', value, id: `p1-${seq}` }),
});

/** p1's answers to p3's P1a and heartbeats. */
const answerAsP1 = (n: RawNode, m: Message): void => {
  // p1 has applied every slot below 20, and acknowledges p3's heartbeats.
  if (m.type === 'heartbeat')
    n.step('p1', { type: 'heartbeatAck', config: 0, ballot: m.ballot, seq: m.seq, slotOut: 20 });
  if (m.type !== 'p1a') return;
  // p1 has snapshotted through slot 9; it still holds a vote at slot 12, of an older ballot.
  const accepted = m.probe
    ? []
    : [
        {
          config: 0,
          ballot: { round: 1, leader: 'p2' },
          slot: 12,
          value: encodeBatch([put(1, 'a')]),
        },
      ];
  n.step('p1', {
    type: 'p1b',
    config: 0,
    ballot: m.ballot,
    accepted,
    watermark: 10,
    probe: m.probe,
  });
};

/** p3 of a new log of three, stepped by hand (driven-node.ts); p1 answers its P1a and heartbeats. */
function driven() {
  return drivenNode('p3', three, {
    window: WINDOW,
    answer: (sent, n) => {
      const toP1 = sent.filter((e) => e.to === 'p1');
      for (const e of toP1) answerAsP1(n, e.msg);
      return toP1.length > 0;
    },
  });
}

/** p3 leads, with commanders for 10..12 that nobody else votes for, and has asked p1 for slots. */
function leadingBehind() {
  const p = driven();
  for (let i = 0; i < 40 && p.n.status().activeLeader !== 'p3'; i++) p.tick(25);
  expect(p.n.status().activeLeader).toBe('p3');
  expect(p.n.status().slotOut).toBe(1);
  // Slots 10 and 11 are filled with no-ops, 12 carries p1's vote.
  expect(p.n.status().leader.proposals).toBe(3);
  for (let i = 0; i < 20 && !p.sent.some((e) => e.msg.type === 'catchupReq'); i++) p.tick(25);
  expect(p.sent.some((e) => e.to === 'p1' && e.msg.type === 'catchupReq')).toBe(true);
  return p;
}

/** p1's answer: its snapshot through `slot`, in one chunk (slot 12 holds p1's put: x = "a"). */
function sendSnapshot(p: ReturnType<typeof driven>, slot = 19): void {
  const app = new KvStateMachine();
  if (slot >= 12)
    app.apply(encodeKv({ op: 'append', key: 'x', value: 'a', id: 'p1-1' }), {
      slot: 12,
      client: 'p1',
    });
  const data = encodeSnapshot({
    slot,
    window: WINDOW,
    skips: true,
    configs: [{ id: 0, start: 1, ...members }],
    clients: [],
    app: app.snapshot(),
  });
  p.n.step('p1', { type: 'snapshotChunk', slot, offset: 0, total: data.length, data });
  p.turn();
}

/** The P2a p3 sent, from `from` on in `sent`, for slots in lo..hi. */
const p2aFor = (sent: readonly Envelope[], from: number, lo: number, hi: number): number =>
  sent.slice(from).filter((e) => e.msg.type === 'p2a' && e.msg.slot >= lo && e.msg.slot <= hi)
    .length;

describe('a snapshot installed beside an active leader', () => {
  it('ends the commanders of the slots it covers: no P2a for them after the install', () => {
    const p = leadingBehind();
    expect(p.n.status().leader.proposals).toBe(3);
    sendSnapshot(p);
    expect(p.n.status().slotOut).toBe(20);
    expect(p.n.status().leader.proposals).toBe(0);
    const from = p.sent.length;
    for (let i = 0; i < 10; i++) p.tick(100);
    expect(p.n.status().activeLeader).toBe('p3');
    // Before the fix: 3 slots x 2 silent acceptors x 10 retransmissions = 60 P2a in this second.
    expect(p2aFor(p.sent, from, 1, 19)).toBe(0);
  });

  it('keeps the commanders of the slots after it', () => {
    const p = leadingBehind();
    sendSnapshot(p, 10);
    expect(p.n.status().slotOut).toBe(11);
    expect(p.n.status().leader.proposals).toBe(2);
    const from = p.sent.length;
    for (let i = 0; i < 3; i++) p.tick(100);
    expect(p2aFor(p.sent, from, 1, 10)).toBe(0);
    expect(p2aFor(p.sent, from, 11, 12)).toBeGreaterThan(0);
  });

  it('lets a leadership transfer go at once, not after an election timeout', () => {
    const p = leadingBehind();
    sendSnapshot(p);
    p.tick(100); // a heartbeat round: p1 acknowledges it (it has applied as far as p3)
    const from = p.sent.length;
    p.n.transferLeadership('p1');
    p.turn();
    // Before the fix it went only once `electionTimeoutMs` had passed since the call.
    expect(p.sent.slice(from).some((e) => e.msg.type === 'transfer')).toBe(true);
    expect(p.n.status().activeLeader).not.toBe('p3');
  });
});
