/**
 * A removed peer restarted before its hand-over was confirmed (handover.ts) asks again. In
 * `{p1, p2}` -> `{p2}`, proposed by p2, p1 learns and writes its removal, then crashes (power
 * loss, the app closed) while p2 may still hold the last decisions unwritten. When the removal
 * replayed at load began no hand-over, p1 came back showing nothing pending; its operator
 * stopped it, p2 crashed then, and nobody could tell p2 those slots again: the log stalled for
 * ever. Now RawNode begins the hand-over at load when the log it loads has removed this peer.
 */
import { describe, expect, it } from 'vitest';
import { addPeer } from '../src/membership.js';
import type { Message } from '../src/messages.js';
import type { ProtocolOptions } from '../src/options.js';
import type { PeerId } from '../src/types.js';
import { proposeRemoval, twoPeersLed } from './two-peer-sim.js';

/** A log of p1 and p2 with a few commands, where p2 has removed p1 and p1 has learned it. */
function p1Removed(seed: number, protocol: Partial<ProtocolOptions> = {}) {
  const log = twoPeersLed(seed, protocol);
  const { c, node } = log;
  proposeRemoval(log, 'p2', 'p1');
  // Removed, its removal written, and handed over.
  const start = () => node('p2').replica.configs.latest()!.start;
  const done = () =>
    node('p1').removed && node('p1').replica.durableSlotOut >= start() && node('p1').handedOver;
  c.runFor(5_000, done);
  expect(done()).toBe(true);
  return { c, node, start: start() };
}

/** p2 alone goes on: `n` commands, one slot each. */
function goOn(c: ReturnType<typeof twoPeersLed>['c'], n: number) {
  for (let i = 0; i < n; i++) {
    c.invoke('p2', { op: 'append', key: 'y', value: `${i}.` });
    c.runFor(1_000, () => c.totalOutstanding() === 0);
  }
  expect(c.totalOutstanding()).toBe(0);
}

/** Count the catch-up requests `from` sends `to`. */
function countAsks(c: ReturnType<typeof twoPeersLed>['c'], from: PeerId, to: PeerId) {
  const n = { asks: 0 };
  const receive = c.receive.bind(c);
  c.receive = (f: PeerId, t: PeerId, m: Message) => {
    if (f === from && t === to && m.type === 'catchupReq') n.asks++;
    receive(f, t, m);
  };
  return n;
}

describe('a removed peer restarted mid hand-over asks again', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: p1 crashes with its removal written, restarts, stops once handed over; p2 crashes then`, () => {
      const log = twoPeersLed(seed);
      const { c, node } = log;
      proposeRemoval(log, 'p2', 'p1');
      // p1 has written every slot through its removal, and nobody has confirmed holding them.
      const start = () => node('p1').replica.configs.latest()!.start;
      const written = () =>
        node('p1').removed &&
        node('p1').replica.durableSlotOut >= start() &&
        !node('p1').handedOver;
      c.runFor(5_000, written);
      expect(written()).toBe(true);
      const s = start();

      c.crash('p1');
      c.start('p1');
      expect(node('p1').removed).toBe(true);
      // Pending again, not "nothing to hand over".
      expect(node('p1').handoverState).toEqual({ start: s, done: false });

      // p1's operator stops it as soon as it may; p2 crashes at that very instant.
      const mayStop = () => node('p1').handedOver;
      c.runFor(5_000, mayStop);
      expect(mayStop()).toBe(true);
      expect(node('p1').handoverState).toEqual({ start: s, done: true });
      c.crash('p1');
      c.crash('p2');
      c.start('p2');
      c.runFor(10_000, () => node('p2').status().slotOut >= s);
      expect(node('p2').status().slotOut).toBeGreaterThanOrEqual(s);
      c.invoke('p2', { op: 'append', key: 'x', value: 'after.' });
      c.runFor(10_000, () => c.totalOutstanding() === 0);
      expect(c.totalOutstanding()).toBe(0);
    });
  }

  // A peer removed long ago restarts: the one that stays is far past `start`, so the first answer
  // to its first ask ends the hand-over, and nothing more is asked.
  it('a peer whose removal the one that stays is long past asks once and is done', () => {
    const { c, node, start } = p1Removed(1);
    c.crash('p1');
    goOn(c, 20);
    c.runFor(5_000, () => node('p2').replica.durableSlotOut >= start + 20);
    expect(node('p2').replica.durableSlotOut).toBeGreaterThanOrEqual(start + 20);

    const sent = countAsks(c, 'p1', 'p2');
    c.start('p1');
    expect(node('p1').handoverState).toEqual({ start, done: false });
    c.runFor(5_000, () => node('p1').handedOver);
    expect(node('p1').handoverState).toEqual({ start, done: true });
    expect(sent.asks).toBe(1);
  });

  // The same, with both compacted: p1 restarts from a snapshot taken just before its removal
  // governed (it is removed: the snapshot's configurations count as learned), and the one that
  // stays answers with its own snapshot, which does not count (it may not be durable yet). p1's
  // catch-up fetches it; its next ask is answered with decisions, and their durable slotOut.
  it('a peer removed long ago, whose slot the one that stays compacted, is done once it fetched the snapshot', () => {
    const { c, node } = p1Removed(1, { snapshotInterval: 4, logRetention: 0 });
    c.crash('p1');
    goOn(c, 20);
    c.start('p1');
    expect(node('p1').removed).toBe(true);
    expect(node('p2').replica.retainedFrom).toBeGreaterThan(node('p1').status().slotOut);
    expect(node('p1').handedOver).toBe(false);
    c.runFor(10_000, () => node('p1').handedOver);
    expect(node('p1').handedOver).toBe(true);
  });

  // p1 was removed, then added back, and learned both before it restarted: it is a member, and
  // hands over nothing for the old removal.
  it('a peer removed and added back hands over nothing at restart', () => {
    const { c, node } = p1Removed(2);
    const p2 = node('p2');
    c.observeTime(p2);
    p2.proposeReconfig(addPeer(p2.status().config!, 'p1'));
    c.kick('p2');
    const back = () =>
      !node('p1').removed &&
      node('p1').replica.durableSlotOut >= node('p1').replica.configs.latest()!.start;
    c.runFor(10_000, back);
    expect(back()).toBe(true);
    c.crash('p1');
    c.start('p1');
    expect(node('p1').removed).toBe(false);
    expect(node('p1').handoverState).toBeNull();
  });
});
