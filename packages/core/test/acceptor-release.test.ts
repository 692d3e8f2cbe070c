/**
 * The acceptor lets the values of its pvalues go once their slots are applied and durable here
 * (Acceptor.release), and a P1b that must report them reads them from storage first (issue 13;
 * docs/protocol.md, "Decided values leave memory once applied and durable").
 */
import { describe, expect, it } from 'vitest';
import { Acceptor } from '../src/acceptor.js';
import { HeartbeatGaps } from '../src/heartbeat-gaps.js';
import type { P1a, P1b, PValue } from '../src/messages.js';
import { b, testContext } from './helpers.js';

const v = (n: number) => new Uint8Array([n, n, n]);
const p1a = (leader: string, round: number, fromSlot: number): P1a => ({
  type: 'p1a',
  config: 0,
  ballot: b(round, leader),
  fromSlot,
  probe: false,
});

/** An acceptor that accepted slots 1..3 at ballot (2, p2), and the pvalues as storage has them. */
function accepted() {
  const ctx = testContext('p1');
  const a = new Acceptor(ctx, new HeartbeatGaps(ctx.opts));
  const stored: PValue[] = [];
  for (const slot of [1, 2, 3]) {
    a.onP2a('p2', { type: 'p2a', config: 0, ballot: b(2, 'p2'), slot, value: v(slot) });
    stored.push({ config: 0, ballot: b(2, 'p2'), slot, value: v(slot) });
  }
  ctx.take();
  ctx.time = 10_000; // p2 has been silent for long: others may run
  return { ctx, a, stored };
}

describe('an acceptor whose values left memory', () => {
  it('keeps the ballots, drops the values, and answers a p1b from a read of the pvalues', () => {
    const { ctx, a, stored } = accepted();
    a.release(3, a.acceptCount); // slots 1 and 2 applied and durable
    expect(a.accepted.get(1)?.value.length).toBe(0);
    expect(a.accepted.get(1)?.ballot).toEqual(b(2, 'p2'));
    expect(a.accepted.get(3)?.value).toEqual(v(3));

    // A candidate up to date asks from slot 3: nothing to read.
    a.onP1a('p3', p1a('p3', 3, 3));
    expect(ctx.reads).toEqual([]);
    expect((ctx.take()[0]!.msg as P1b).accepted.map((p) => p.slot)).toEqual([3]);

    // A lagging one asks from slot 1: the p1b waits for a read of slots 1..2.
    a.onP1a('p4', p1a('p4', 4, 1));
    expect(ctx.take()).toEqual([]);
    expect(ctx.reads).toEqual([{ kind: 'accepted', from: 1, to: 3 }]);
    a.onRead(1, stored.slice(0, 2));
    const [sent] = ctx.take();
    expect(sent?.afterPersist).toBe(true);
    const p1b = sent!.msg as P1b;
    expect(p1b.ballot).toEqual(b(4, 'p4'));
    expect(p1b.accepted.map((p) => [p.slot, [...p.value]])).toEqual([
      [1, [...v(1)]],
      [2, [...v(2)]],
      [3, [...v(3)]],
    ]);
    a.onRead(1, stored); // answered already: nothing more
    expect(ctx.take()).toEqual([]);
  });

  it('sends no p1b when the read lacks a released pvalue (no vote may go missing)', () => {
    const { ctx, a, stored } = accepted();
    a.release(4, a.acceptCount);
    a.onP1a('p4', p1a('p4', 4, 1));
    // Slot 2 read at another ballot than the one it holds: not the pvalue it accepted.
    a.onRead(1, [stored[0]!, { ...stored[1]!, ballot: b(1, 'p2') }, stored[2]!]);
    expect(ctx.take()).toEqual([]);
  });

  it('keeps the value of a pvalue whose accept is not durable yet', () => {
    const { ctx, a } = accepted();
    const durable = a.acceptCount;
    // A new leader proposes slot 2's value again, after the slot was applied.
    a.onP2a('p4', { type: 'p2a', config: 0, ballot: b(4, 'p4'), slot: 2, value: v(2) });
    ctx.take();
    a.release(4, durable);
    expect(a.accepted.get(1)?.value.length).toBe(0);
    expect(a.accepted.get(2)?.value).toEqual(v(2));
    // Its p1b reads only what left memory (once p4 has been silent for long).
    ctx.time += 10_000;
    a.onP1a('p5', p1a('p5', 5, 1));
    expect(ctx.reads).toEqual([{ kind: 'accepted', from: 1, to: 4 }]);
  });
});
