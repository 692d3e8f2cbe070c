/**
 * A linearizable read at the leader waits for a heartbeat round that a majority of acceptors
 * acknowledge at its ballot (read-index.ts, Leader.roundConfirmed). An acceptor answers any
 * heartbeat with the ballot it promised, so a heartbeat of this peer's previous run, delivered
 * late, comes back acknowledged at this run's ballot: its number must not confirm this run's
 * reads (seed 80011565 of profile ballot-reuse: acks numbered 38..52 confirmed reads waiting for
 * round 4, and the reads were stale). Each run numbers its heartbeats above every earlier run's
 * (Leader.sync), and a number above any this run sent counts for nothing (onHeartbeatAck).
 *
 * p1 of a log of three is stepped by hand; the test answers for p2 and p3, which promise every
 * P1a and acknowledge every heartbeat at the ballot they promised.
 */
import { describe, expect, it } from 'vitest';
import type { Ballot } from '../src/ballot.js';
import type { MemoryStorage } from '../src/memory-storage.js';
import type { Envelope, Heartbeat } from '../src/messages.js';
import { RawNode } from '../src/raw-node.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { newLogStore } from './helpers.js';

const opts = { heartbeatIntervalMs: 100, electionTimeoutMs: 300, retransmitIntervalMs: 100 };

/** One run of p1 on `storage`, from time `start`, with p2 and p3 answering while `answering`. */
function run(storage: MemoryStorage, start: number) {
  const n = new RawNode({
    id: 'p1',
    stateMachine: new KvStateMachine(),
    random: () => 0.5,
    options: opts,
  });
  n.load(storage.loadSync(), start);
  let now = start;
  let promised: Ballot = { round: 0, leader: '' };
  const beats: Heartbeat[] = [];
  const reads: { token: number; ok: boolean }[] = [];
  let answering = true;
  const answer = (sent: readonly Envelope[]) => {
    for (const { to, msg: m } of sent) {
      if (to === 'p1') continue;
      if (m.type === 'heartbeat') beats.push(m);
      if (!answering) continue;
      if (m.type === 'p1a') {
        if (!m.probe) promised = m.ballot;
        n.step(to, {
          type: 'p1b',
          config: 0,
          ballot: m.ballot,
          accepted: [],
          watermark: 0,
          probe: m.probe,
        });
      } else if (m.type === 'heartbeat') {
        n.step(to, { type: 'heartbeatAck', config: 0, ballot: promised, seq: m.seq, slotOut: 1 });
      }
    }
  };
  const turn = () => {
    for (let i = 0; i < 10; i++) {
      const rd = n.ready();
      if (rd.persist !== null) storage.applySync(rd.persist);
      n.advance();
      reads.push(...rd.reads);
      const sent = [...rd.messages, ...rd.afterPersist];
      answer(sent);
      if (sent.length === 0 || !answering) return;
    }
  };
  const wait = (ms: number) => {
    for (const end = now + ms; now < end;) {
      now += 10;
      n.tick(now);
      turn();
    }
  };
  /** p2 and p3 acknowledge, at the ballot they promised, a heartbeat numbered `seq`. */
  const ack = (seq: number) => {
    for (const from of ['p2', 'p3'])
      n.step(from, { type: 'heartbeatAck', config: 0, ballot: promised, seq, slotOut: 1 });
    turn();
  };
  return {
    n,
    beats,
    reads,
    ack,
    wait,
    turn,
    now: () => now,
    silence: () => (answering = false),
  };
}

/** p1 leads in its second run, p2 and p3 fall silent, and a read waits for its round. */
function secondRunReading() {
  const storage = newLogStore(['p1', 'p2', 'p3'], 4);
  // The first run leads for 3 s: some 30 heartbeats.
  const first = run(storage, 0);
  first.wait(3000);
  expect(first.n.status().leader.active).toBe(true);
  // p1 crashes; it restarts and leads again, with a new ballot: the read comes at once.
  const second = run(storage, first.now());
  for (let i = 0; i < 300 && !second.n.status().leader.active; i++) second.wait(10);
  expect(second.n.status().leader.active).toBe(true);
  second.silence();
  const sentBefore = second.beats.length;
  second.n.read(1);
  second.turn();
  const round = second.beats.slice(sentBefore);
  expect(round.length, "the read's heartbeat round left").toBeGreaterThan(0);
  expect(second.reads).toEqual([]);
  return { first, second, round };
}

describe('a read at the leader is confirmed by its own heartbeat round only', () => {
  it("not by acknowledgements of its previous run's heartbeats, delivered late", () => {
    const { first, second, round } = secondRunReading();
    // Every heartbeat of the first run reaches p2 and p3 now; they answer with their promise.
    expect(first.beats.length).toBeGreaterThan(5);
    for (const beat of first.beats) second.ack(beat.seq);
    expect(second.reads, 'confirmed by another run').toEqual([]);
    // The round's own acknowledgements confirm it: the read is served.
    second.ack(round.at(-1)!.seq);
    expect(second.reads).toEqual([{ token: 1, ok: true }]);
  });

  it('not by an acknowledgement numbered above every heartbeat this run sent', () => {
    const { second, round } = secondRunReading();
    second.ack(round.at(-1)!.seq + 1_000);
    expect(second.reads, 'confirmed by a number never sent').toEqual([]);
    second.ack(round.at(-1)!.seq);
    expect(second.reads).toEqual([{ token: 1, ok: true }]);
  });
});
