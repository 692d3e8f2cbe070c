/**
 * A removed peer restarted before its hand-over was confirmed (handover.ts) asks again. In
 * `{p1, p2}` -> `{p2}`, proposed by p2, p1 learns and writes its removal, then crashes (power
 * loss, the app closed) while p2 may still hold the last decisions unwritten. When the removal
 * replayed at load began no hand-over, p1 came back showing nothing pending; its operator
 * stopped it, p2 crashed then, and nobody could tell p2 those slots again: the log stalled for
 * ever. Now RawNode begins the hand-over at load when the log it loads has removed this peer.
 */
import { describe, expect, it } from 'vitest';
import { removePeer } from '../src/membership.js';
import { twoPeersLed } from './two-peer-sim.js';

describe('a removed peer restarted mid hand-over asks again', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: p1 crashes with its removal written, restarts, stops once handed over; p2 crashes then`, () => {
      const { c, node } = twoPeersLed(seed);
      for (let i = 0; i < 5; i++) c.invoke('p2', { op: 'append', key: 'x', value: `${i}.` });
      c.runFor(2_000, () => c.totalOutstanding() === 0);
      expect(c.totalOutstanding()).toBe(0);

      const p2 = node('p2');
      c.observeTime(p2);
      p2.proposeReconfig(removePeer(p2.status().config!, 'p1'));
      c.kick('p2');
      // p1 has written every slot through its removal, and nobody has confirmed holding them.
      const start = () => node('p1').replica.configs.latest()!.start;
      const written = () =>
        node('p1').removed && node('p1').replica.durableSlotOut >= start() && !node('p1').handedOver;
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
});
