/**
 * SeqMap (src/seq-map.ts), the ring buffer that replaces a Map for per-command tables, against a
 * Map as the model on random runs: keys mostly appended and removed from the front (a queue of
 * seqs), with holes, removals anywhere, keys below the lowest, prefixes dropped, and bursts that
 * grow the ring and leave it to shrink. After every step it holds the same entries, in key order.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqMap } from '../src/seq-map.js';

type Op =
  | { kind: 'append'; gap: number; n: number }
  | { kind: 'deleteOldest'; n: number }
  | { kind: 'deleteAt'; pick: number }
  | { kind: 'setBelow'; by: number }
  | { kind: 'deleteThrough'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 })),
      n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 50, max: 300 })),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('deleteOldest' as const),
      n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 50, max: 300 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteAt' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('setBelow' as const),
      by: fc.integer({ min: 1, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deleteThrough' as const), pick: fc.nat() }),
  },
);

describe('SeqMap', () => {
  it('holds what a Map holds, in key order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.array(op, { maxLength: 200 }),
        (start, ops) => {
          const map = new SeqMap<string>();
          const model = new Map<number, string>();
          let next = start;
          const keys = () => [...model.keys()].sort((a, b) => a - b);
          for (const o of ops) {
            if (o.kind === 'append') {
              next += o.gap;
              for (let i = 0; i < o.n; i++, next++) {
                map.set(next, `v${next}`);
                model.set(next, `v${next}`);
              }
            } else if (o.kind === 'deleteOldest') {
              for (const k of keys().slice(0, o.n)) {
                expect(map.delete(k)).toBe(true);
                model.delete(k);
              }
            } else if (o.kind === 'deleteAt') {
              const ks = keys();
              const k = ks.length > 0 ? ks[o.pick % ks.length]! : next;
              expect(map.delete(k)).toBe(model.delete(k));
            } else if (o.kind === 'setBelow') {
              const low = (keys()[0] ?? next) - o.by;
              map.set(low, `w${low}`);
              model.set(low, `w${low}`);
            } else {
              const ks = keys();
              const through = ks.length > 0 ? ks[o.pick % ks.length]! : next;
              map.deleteThrough(through);
              for (const k of ks) if (k <= through) model.delete(k);
            }
            const ks = keys();
            expect(map.size).toBe(model.size);
            expect(map.first()).toBe(ks[0]);
            expect([...map]).toEqual(ks.map((k) => [k, model.get(k)]));
            for (const k of [ks[0] ?? next, next, (ks[0] ?? next) - 1]) {
              expect(map.get(k)).toBe(model.get(k));
              expect(map.has(k)).toBe(model.has(k));
            }
          }
        },
      ),
      { numRuns: 300, seed: 1313 },
    );
  });

  it('gives back the ring a burst grew', () => {
    const map = new SeqMap<number>();
    for (let k = 1; k <= 100_000; k++) map.set(k, k);
    for (let k = 1; k <= 99_990; k++) map.delete(k);
    // 10 entries left: a ring sized for 100,000 would be 131,072 slots.
    expect((map as unknown as { items: unknown[] }).items.length).toBeLessThanOrEqual(64);
    expect([...map.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => 99_991 + i));
  });
});
