/**
 * A peer removed by another member hands over like one that removes itself (handover.ts). In
 * `{p1, p2}` -> `{p2}`, proposed by p2, the slots before `{p2}` need both acceptors to be decided
 * again. If p1's operator stops it as soon as it shows as removed, and p2 then crashes with its
 * last decisions not yet written (held for its next write, or in a write in flight), nobody can
 * tell p2 those slots again: the log stalls for ever. So the removed peer's hand-over is begun
 * by its RawNode when it learns its removal, and `handedOver` stays false until p2 confirms it
 * holds every slot before `{p2}` durably. Without that, `handedOver` was true at once, and
 * all 8 seeds stalled at slot 3 for ever.
 */
import { describe, expect, it } from 'vitest';
import { proposeRemoval, twoPeersLed } from './two-peer-sim.js';

describe('a peer removed by another member hands over before it stops', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: p2 removes p1, p1 stops once removed and handed over, p2 crashes then`, () => {
      const log = twoPeersLed(seed);
      const { c, node } = log;
      proposeRemoval(log, 'p2', 'p1');
      // p1's operator stops it as soon as it may: removed, and nothing left to hand over.
      const mayStop = () => node('p1').removed && node('p1').handedOver;
      c.runFor(5_000, mayStop);
      expect(mayStop()).toBe(true);
      const start = node('p1').replica.configs.latest()!.start;

      // p1 stops for good; p2 crashes at that very instant.
      c.crash('p1');
      c.crash('p2');
      c.start('p2');
      c.runFor(10_000, () => node('p2').status().slotOut >= start);
      expect(node('p2').status().slotOut).toBeGreaterThanOrEqual(start);
      c.invoke('p2', { op: 'append', key: 'x', value: 'after.' });
      c.runFor(10_000, () => c.totalOutstanding() === 0);
      expect(c.totalOutstanding()).toBe(0);
    });
  }
});
