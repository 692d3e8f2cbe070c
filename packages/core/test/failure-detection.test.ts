/**
 * Failure detection on a busy machine (heartbeat-gaps.ts; docs/protocol.md "Failure detection"),
 * on RawNodes driven by hand: a follower that saw heartbeats run late waits longer before it
 * suspects its leader, and calms down again; a leader whose own event loop stalled does not
 * step down for the answers it could not read meanwhile (check quorum).
 */
import { describe, expect, it } from 'vitest';
import { HeartbeatGaps, LATENESS_HALF_LIFE_MS, MAX_MARGIN_MS } from '../src/heartbeat-gaps.js';
import type { Message } from '../src/messages.js';
import { RawNode } from '../src/raw-node.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { newLogStore } from './helpers.js';

const members = ['p1', 'p2', 'p3'];
// random() = 0.5: every timeout drawn is 1.5 times its base (300 ms: 450 ms).
const opts = { heartbeatIntervalMs: 100, electionTimeoutMs: 300, maxElectionTimeoutMs: 5000 };

function peer(id: string) {
  const n = new RawNode({
    id,
    stateMachine: new KvStateMachine(),
    random: () => 0.5,
    options: opts,
  });
  n.load(newLogStore(members, 4).loadSync());
  let now = 0;
  const sent: { to: string; msg: Message }[] = [];
  const turn = () => {
    const rd = n.ready();
    n.advance();
    sent.push(...rd.messages, ...rd.afterPersist);
  };
  /** Let `ms` pass in steps of 10 ms; `each` runs before every tick. */
  const wait = (ms: number, each: (now: number) => void = () => {}) => {
    for (const end = now + ms; now < end;) {
      now += 10;
      each(now);
      n.tick(now);
      turn();
    }
  };
  return { n, sent, turn, wait, now: () => now };
}

/** p1 leads with ballot (1, p1): a heartbeat of it. */
const heartbeat = (seq: number): Message => ({
  type: 'heartbeat',
  config: 0,
  ballot: { round: 1, leader: 'p1' },
  seq,
  slotOut: 1,
  snapshotSlot: 0,
});

/** A follower p3 that hears p1 heartbeat every `everyMs` for `forMs`. */
function follow(f: ReturnType<typeof peer>, everyMs: number, forMs: number) {
  let seq = 0;
  let last = f.now();
  f.wait(forMs, (now) => {
    if (now - last >= everyMs) {
      f.n.step('p1', heartbeat(++seq));
      last = now;
    }
  });
}

/** How long after the last heartbeat the follower ran for office (sent a P1a); undefined: not within `ms`. */
function silence(f: ReturnType<typeof peer>, ms: number): number | undefined {
  f.sent.length = 0;
  const from = f.now();
  let ranAt: number | undefined;
  f.wait(ms, () => {
    if (ranAt === undefined && f.sent.some((e) => e.msg.type === 'p1a')) ranAt = f.now() - from;
  });
  if (ranAt === undefined && f.sent.some((e) => e.msg.type === 'p1a')) ranAt = ms;
  return ranAt;
}

describe('failure detection adapts to heartbeat lateness', () => {
  it('runs promptly on a calm machine, waits out late heartbeats on a busy one, and calms down again', () => {
    const f = peer('p3');
    f.turn();
    follow(f, 100, 3000);
    const calm = silence(f, 1000);
    expect(calm).toBeDefined();
    expect(calm!).toBeLessThanOrEqual(600);

    // Busy: heartbeats 350 ms apart (250 ms late each). A silence of 1 s is not yet a failure;
    // a fixed 300 ms timeout (450 ms drawn) would have run for office.
    const g = peer('p3');
    g.turn();
    follow(g, 350, 5000);
    expect(silence(g, 1000)).toBeUndefined();
    // A crashed leader is still replaced: 450 ms drawn + 4 * 250 ms of margin.
    const busy = silence(g, 3000);
    expect(busy).toBeDefined();
    expect(busy!).toBeLessThanOrEqual(1500);

    // The machine calms down: after ten half-lives of punctual heartbeats, prompt again.
    follow(g, 100, 10 * LATENESS_HALF_LIFE_MS);
    const calmAgain = silence(g, 1000);
    expect(calmAgain).toBeDefined();
    expect(calmAgain!).toBeLessThanOrEqual(600);
  });

  it("keeps a busy leader's acceptors shielding it from another peer's P1a for as long", () => {
    const f = peer('p3');
    f.turn();
    follow(f, 350, 5000);
    f.wait(800);
    f.sent.length = 0;
    // p2 saw less lateness and runs after 800 ms of silence: p3's acceptor does not answer.
    f.n.step('p2', {
      type: 'p1a',
      config: 0,
      ballot: { round: 2, leader: 'p2' },
      fromSlot: 1,
      probe: true,
    });
    f.turn();
    expect(f.sent.filter((e) => e.msg.type === 'p1b')).toEqual([]);
  });
});

/**
 * A leader p1 whose acceptors p2 and p3 answer everything it sent so far: every P1a (probe or
 * not) with a promise, every heartbeat with an acknowledgement.
 */
function answerAll(l: ReturnType<typeof peer>) {
  for (const e of l.sent.splice(0)) {
    const m = e.msg;
    if (e.to === 'p1') continue;
    if (m.type === 'p1a') {
      l.n.step(e.to, {
        type: 'p1b',
        config: 0,
        ballot: m.ballot,
        accepted: [],
        watermark: 0,
        probe: m.probe,
      });
    } else if (m.type === 'heartbeat') {
      l.n.step(e.to, { type: 'heartbeatAck', config: 0, ballot: m.ballot, seq: m.seq, slotOut: 1 });
    }
  }
}

describe('check quorum', () => {
  it('does not step a leader down for answers it could not read while its own event loop stalled', () => {
    const l = peer('p1');
    l.turn();
    l.wait(3000, () => answerAll(l));
    expect(l.n.status().leader.active).toBe(true);
    // A 900 ms stall (a synchronous fsync, a GC, the scheduler): no tick, no socket read. The
    // acknowledgements of its last heartbeats wait unread; the first tick comes before them.
    const stalledAt = l.now();
    l.wait(10);
    l.n.tick(stalledAt + 900);
    l.turn();
    expect(l.n.status().leader.active).toBe(true);
  });

  it('waits the margin its late answers taught it, and still steps down when cut off for real', () => {
    const l = peer('p1');
    l.turn();
    l.wait(3000, () => answerAll(l));
    expect(l.n.status().leader.active).toBe(true);
    // Busy followers: their answers come in bunches, 400 ms apart (lateness 300 ms, margin
    // 4 x 300 = 1.2 s on top of the two election timeouts, 600 ms).
    let bunch = l.now();
    l.wait(2000, (now) => {
      if (now - bunch < 400) return;
      answerAll(l);
      bunch = now;
    });
    // Then a stall of both followers, 1 s, while the leader's own loop runs on: without the
    // margin it gave up after 600 ms, and ran again with a new ballot.
    l.wait(1000, () => void l.sent.splice(0));
    expect(l.n.status().leader.active).toBe(true);
    // Cut off for real: it steps down within 600 ms + 1.2 s of the last answer.
    l.wait(1500, () => void l.sent.splice(0));
    expect(l.n.status().leader.active).toBe(false);
  });

  it('bounds the margin: heartbeats lost on a lossy link do not delay a failover past 2 s more', () => {
    const gaps = new HeartbeatGaps(opts);
    const ballot = { round: 1, leader: 'p1' };
    // One heartbeat in fifteen gets through: gaps of 1.5 s, lateness 1.4 s, 4x = 5.6 s.
    for (let at = 0; at <= 6000; at += 1500) gaps.heard(0, ballot, at);
    expect(gaps.lateness(6000)).toBe(1400);
    expect(gaps.extraMs(6000)).toBe(MAX_MARGIN_MS);
    // Below the bound the margin is 4x the lateness.
    const calm = new HeartbeatGaps(opts);
    for (let at = 0; at <= 1000; at += 200) calm.heard(0, ballot, at);
    expect(calm.extraMs(1000)).toBe(400);
  });
});
