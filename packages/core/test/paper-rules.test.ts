/**
 * One test per rule of "Paxos Made Moderately Complex" (van Renesse & Altinbuken), in the
 * manner of etcd-io/raft's raft_paper_test.go: each test names the section and figure whose
 * rule it checks, on the role module alone.
 */
import { describe, expect, it } from 'vitest';
import { Acceptor } from '../src/acceptor.js';
import { BOTTOM, compareBallots } from '../src/ballot.js';
import { Commander } from '../src/commander.js';
import type { Configuration } from '../src/configuration.js';
import { HeartbeatGaps } from '../src/heartbeat-gaps.js';
import type { P1b, P2b } from '../src/messages.js';
import { Scout } from '../src/scout.js';
import { b, testContext } from './helpers.js';

const cfg: Configuration = {
  id: 0,
  start: 1,
  replicas: ['p1', 'p2', 'p3'],
  leaders: ['p1', 'p2', 'p3'],
  acceptors: ['p1', 'p2', 'p3'],
};
const v = (n: number) => Uint8Array.of(1, 1, n);

describe('PMMC §2 ballots', () => {
  it('are ordered lexicographically: round first, then leader', () => {
    expect(compareBallots(b(1, 'p9'), b(2, 'p1'))).toBeLessThan(0);
    expect(compareBallots(b(2, 'p2'), b(2, 'p1'))).toBeGreaterThan(0);
    expect(compareBallots(b(2, 'p1'), b(2, 'p1'))).toBe(0);
    expect(compareBallots(BOTTOM, b(0, 'a'))).toBeLessThan(0);
  });
});

describe('PMMC §2 Fig. 4: the acceptor', () => {
  it('adopts a higher ballot on p1a, persists it, and answers with it after the write', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(3, 'p2'), fromSlot: 1, probe: false });
    expect(a.ballotFor(0)).toEqual(b(3, 'p2'));
    expect(ctx.persist.take()?.promises).toEqual([{ config: 0, ballot: b(3, 'p2') }]);
    const [reply] = ctx.take();
    expect(reply).toMatchObject({
      to: 'p2',
      afterPersist: true,
      msg: { type: 'p1b', ballot: b(3, 'p2') },
    });
  });

  it('never lowers its ballot: a lower p1a gets its current ballot back', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(5, 'p3'), fromSlot: 1, probe: false });
    ctx.take();
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(4, 'p2'), fromSlot: 1, probe: false });
    expect(a.ballotFor(0)).toEqual(b(5, 'p3'));
    expect((ctx.take()[0]!.msg as P1b).ballot).toEqual(b(5, 'p3'));
  });

  it('accepts a p2a whose ballot is its own ballot, and reports it with the accepted pvalues in p1b', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(2, 'p2'), fromSlot: 1, probe: false });
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot: 7, value: v(1) });
    expect(a.accepted.get(7)).toMatchObject({ slot: 7, ballot: b(2, 'p2') });
    ctx.take();
    ctx.time = 10_000; // p2 has been silent for long: p3 may run
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(3, 'p3'), fromSlot: 1, probe: false });
    const p1b = ctx.take()[0]!.msg as P1b;
    expect(p1b.accepted.map((p) => p.slot)).toEqual([7]);
  });

  it('refuses a p2a below its ballot, answering with its higher ballot', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(3, 'p3'), fromSlot: 1, probe: false });
    ctx.take();
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot: 1, value: v(1) });
    expect(a.accepted.size).toBe(0);
    expect(ctx.take()[0]!.msg).toMatchObject({
      type: 'p2b',
      ballot: b(3, 'p3'),
      proposal: b(2, 'p2'),
    });
  });

  it('keeps only the pvalue with the highest ballot for each slot', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot: 1, value: v(1) });
    a.onP2a('p3', { type: 'p2a', config: 0, ballot: b(3, 'p3'), slot: 1, value: v(2) });
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot: 1, value: v(1) });
    expect(a.accepted.get(1)?.value).toEqual(v(2));
  });

  it('keeps one ballot per configuration (each (peer, configuration) is its own acceptor, §2.2)', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p2', { type: 'p1a', config: 1, ballot: b(9, 'p2'), fromSlot: 1, probe: false });
    expect(a.ballotFor(1)).toEqual(b(9, 'p2'));
    expect(a.ballotFor(0)).toEqual(BOTTOM);
  });

  it('ignores p1a from others while it hears from a live leader (DESIGN.md §3 item 3)', () => {
    const ctx = testContext('p1', { electionTimeoutMs: 300 });
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot: 1, value: v(1) });
    ctx.take();
    ctx.time = 200;
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(9, 'p3'), fromSlot: 1, probe: false });
    expect(ctx.take()).toEqual([]);
    expect(a.ballotFor(0)).toEqual(b(2, 'p2'));
    ctx.time = 400;
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(9, 'p3'), fromSlot: 1, probe: false });
    expect(a.ballotFor(0)).toEqual(b(9, 'p3'));
  });

  it('votes on no slot below its watermark, not even the last one compacted (DESIGN.md §3 item 8)', () => {
    // Slots 1..4 are decided and snapshotted here, and the configuration that governed them is
    // over (its promise dropped: any ballot is at least BOTTOM). A P2a for slot 4 that a stale
    // leader sent long ago must get no vote: with votes from others in the same state, it
    // could decide slot 4 again for a replica that has not applied it yet.
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(2, 'p2'), fromSlot: 1, probe: false });
    a.collect(5);
    a.dropConfigsBelow(1);
    ctx.take();
    ctx.persist.take();
    a.onP2a('p3', { type: 'p2a', config: 0, ballot: b(1, 'p3'), slot: 4, value: v(9) });
    expect(a.accepted.has(4)).toBe(false);
    expect(ctx.persist.isEmpty).toBe(true);
    expect(ctx.take()).toEqual([]);
  });

  it('answers a probe below its promise with the promise: it would not promise', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p3', { type: 'p1a', config: 0, ballot: b(5, 'p3'), fromSlot: 1, probe: false });
    ctx.take();
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(4, 'p2'), fromSlot: 1, probe: true });
    expect(ctx.take()[0]!.msg).toMatchObject({ type: 'p1b', probe: true, ballot: b(5, 'p3') });
  });

  it('answers a probe without promising or persisting anything', () => {
    const ctx = testContext('p1');
    const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
    a.onP1a('p2', { type: 'p1a', config: 0, ballot: b(4, 'p2'), fromSlot: 1, probe: true });
    expect(a.ballotFor(0)).toEqual(BOTTOM);
    expect(ctx.persist.isEmpty).toBe(true);
    expect(ctx.take()[0]!.msg).toMatchObject({ type: 'p1b', probe: true, ballot: b(4, 'p2') });
  });
});

describe('PMMC §2 Fig. 6(b): the scout', () => {
  const p1b = (
    ballot: ReturnType<typeof b>,
    accepted: P1b['accepted'] = [],
    probe = false,
  ): P1b => ({
    type: 'p1b',
    config: 0,
    ballot,
    accepted,
    watermark: 0,
    probe,
  });

  it('is adopted once a majority of acceptors promised, with the highest-ballot pvalue of each slot (pmax)', () => {
    const ctx = testContext('p1');
    const s = new Scout(ctx, cfg, b(5, 'p1'), 1);
    s.start();
    // Probing first: a majority would promise.
    expect(s.onP1b('p1', p1b(b(5, 'p1'), [], true))).toBeUndefined();
    expect(s.onP1b('p2', p1b(b(5, 'p1'), [], true))).toBeUndefined();
    expect(s.probing).toBe(false);
    const lo = { config: 0, ballot: b(2, 'p2'), slot: 3, value: v(1) };
    const hi = { config: 0, ballot: b(4, 'p3'), slot: 3, value: v(2) };
    expect(s.onP1b('p2', p1b(b(5, 'p1'), [lo]))).toBeUndefined();
    const out = s.onP1b('p3', p1b(b(5, 'p1'), [hi]));
    expect(out?.kind).toBe('adopted');
    expect(out?.kind === 'adopted' && out.pvalues.get(3)?.value).toEqual(v(2));
  });

  it('is preempted as soon as one acceptor reports a higher ballot', () => {
    const ctx = testContext('p1');
    const s = new Scout(ctx, cfg, b(5, 'p1'), 1);
    s.start();
    expect(s.onP1b('p2', p1b(b(6, 'p2'), [], true))).toEqual({
      kind: 'preempted',
      ballot: b(6, 'p2'),
    });
  });

  it('counts each acceptor once', () => {
    const ctx = testContext('p1');
    const s = new Scout(ctx, cfg, b(5, 'p1'), 1);
    s.start();
    s.onP1b('p2', p1b(b(5, 'p1'), [], true));
    s.onP1b('p2', p1b(b(5, 'p1'), [], true));
    expect(s.probing).toBe(true);
  });
});

describe('PMMC §2 Fig. 6(a): the commander', () => {
  const p2b = (ballot: ReturnType<typeof b>, proposal = b(5, 'p1')): P2b => ({
    type: 'p2b',
    config: 0,
    ballot,
    slot: 1,
    proposal,
  });

  it('decides once a majority of the slot configuration acceptors accepted', () => {
    const ctx = testContext('p1');
    const c = new Commander(
      ctx,
      { config: 0, ballot: b(5, 'p1'), slot: 1, value: v(1) },
      cfg.acceptors,
    );
    c.start();
    expect(ctx.take().map((s) => s.to)).toEqual(['p1', 'p2', 'p3']);
    expect(c.onP2b('p1', p2b(b(5, 'p1')))).toBeUndefined();
    expect(c.onP2b('p3', p2b(b(5, 'p1')))).toEqual({ kind: 'decided' });
  });

  it('is preempted by a higher ballot', () => {
    const ctx = testContext('p1');
    const c = new Commander(
      ctx,
      { config: 0, ballot: b(5, 'p1'), slot: 1, value: v(1) },
      cfg.acceptors,
    );
    expect(c.onP2b('p2', p2b(b(7, 'p3')))).toEqual({ kind: 'preempted', ballot: b(7, 'p3') });
  });

  it('does not count an answer to another ballot as a vote (PMMC sends p2b to one commander; Synod routes by slot)', () => {
    const ctx = testContext('p1');
    const c = new Commander(
      ctx,
      { config: 0, ballot: b(5, 'p1'), slot: 1, value: v(1) },
      cfg.acceptors,
    );
    expect(c.onP2b('p2', p2b(b(5, 'p1'), b(4, 'p1')))).toBeUndefined();
    expect(c.onP2b('p3', p2b(b(5, 'p1'), b(4, 'p1')))).toBeUndefined();
    expect(c.waitfor.size).toBe(3);
  });

  it('resends P2a to acceptors that have not answered (channels are not reliable here)', () => {
    const ctx = testContext('p1', { retransmitIntervalMs: 100 });
    const c = new Commander(
      ctx,
      { config: 0, ballot: b(5, 'p1'), slot: 1, value: v(1) },
      cfg.acceptors,
    );
    c.start();
    c.onP2b('p1', p2b(b(5, 'p1')));
    ctx.take();
    ctx.time = 100;
    c.tick();
    expect(ctx.take().map((s) => s.to)).toEqual(['p2', 'p3']);
  });
});
