/**
 * TokenMap (src/token-map.ts), the sorted array that replaces a Map for the reads in flight,
 * against a Map as the model on random runs: tokens mostly appended and removed from the front,
 * but also removed anywhere (reads finishing out of order, one left behind while thousands of
 * later ones come and go), set again (a read changing state), and inserted below the highest (a
 * driver giving tokens out of order). After every step it holds the same entries, in key order;
 * iterating while deleting (what ReadIndex.serve and SynodNode.onTick do) visits every entry once.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenMap } from '../src/token-map.js';

type Op =
  | { kind: 'append'; gap: number; n: number }
  | { kind: 'deleteOldest'; n: number; keep: boolean }
  | { kind: 'deleteAt'; pick: number }
  | { kind: 'update'; pick: number }
  | { kind: 'insertBelow'; pick: number }
  | { kind: 'iterateDeleting'; every: number; previous: boolean; add: boolean };

const count = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 30, max: 300 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
      n: count,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('deleteOldest' as const),
      n: count,
      keep: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteAt' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('insertBelow' as const), pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('iterateDeleting' as const),
      every: fc.integer({ min: 1, max: 3 }),
      previous: fc.boolean(),
      add: fc.boolean(),
    }),
  },
);

describe('TokenMap', () => {
  it('holds what a Map holds, in key order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.array(op, { maxLength: 200 }),
        (start, ops) => {
          const map = new TokenMap<string>();
          const model = new Map<number, string>();
          let next = start;
          const keys = () => [...model.keys()].sort((a, b) => a - b);
          const set = (k: number, v: string) => {
            map.set(k, v);
            model.set(k, v);
          };
          for (const o of ops) {
            if (o.kind === 'append') {
              next += o.gap;
              for (let i = 0; i < o.n; i++, next++) set(next, `v${next}`);
            } else if (o.kind === 'deleteOldest') {
              // keep: the oldest stays behind (a read waiting for its timeout).
              for (const k of keys().slice(o.keep ? 1 : 0, o.n)) {
                expect(map.delete(k)).toBe(true);
                model.delete(k);
              }
            } else if (o.kind === 'deleteAt') {
              const ks = keys();
              const k = ks.length > 0 ? ks[o.pick % ks.length]! : next;
              expect(map.delete(k)).toBe(model.delete(k));
              expect(map.delete(k)).toBe(false);
            } else if (o.kind === 'update') {
              const ks = keys();
              if (ks.length > 0) set(ks[o.pick % ks.length]!, `u${o.pick}`);
            } else if (o.kind === 'insertBelow') {
              // A key between two present ones (or below the lowest), absent so far.
              const ks = keys();
              const i = ks.length > 0 ? o.pick % ks.length : 0;
              const hi = ks[i] ?? next;
              const lo = i > 0 ? ks[i - 1]! : hi - 50;
              if (hi - lo > 1) set(hi - 1, `b${hi - 1}`);
            } else {
              // Delete every `every`-th entry while iterating, perhaps appending as we go: each
              // entry present at the start is visited once, in key order, and so is each
              // appended one.
              // previous: delete the entry visited before this one rather than this one (the
              // squeeze then moves the entry the iterator stands on).
              const seen: number[] = [];
              let i = 0;
              for (const [k, v] of map) {
                expect(v).toBe(model.get(k));
                seen.push(k);
                if (i++ % o.every === 0) {
                  const d = o.previous ? seen[seen.length - 2] : k;
                  if (d !== undefined) {
                    map.delete(d);
                    model.delete(d);
                  }
                }
                if (o.add && i <= 3) set(next, `i${next++}`);
              }
              expect(seen).toEqual([...seen].sort((a, b) => a - b));
              expect(new Set(seen).size).toBe(seen.length);
              for (const k of keys()) expect(seen).toContain(k);
            }
            const ks = keys();
            expect(map.size).toBe(model.size);
            // Nothing deleted stays referenced (no garbage kept alive by the arrays).
            const vs = (map as unknown as { vs: unknown[] }).vs;
            expect(vs.filter((v) => v !== undefined).length).toBe(model.size);
            expect([...map]).toEqual(ks.map((k) => [k, model.get(k)]));
            expect([...map.keys()]).toEqual(ks);
            for (const k of [ks[0] ?? next, next, (ks[0] ?? next) - 1, ks[ks.length >> 1] ?? 0]) {
              expect(map.get(k)).toBe(model.get(k));
              expect(map.has(k)).toBe(model.has(k));
            }
          }
          map.clear();
          expect(map.size).toBe(0);
          expect((map as unknown as { vs: unknown[] }).vs.every((v) => v === undefined)).toBe(true);
          expect([...map]).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 1313 },
    );
  });

  it('keeps memory to the entries, not the span of their keys', () => {
    const map = new TokenMap<number>();
    const slots = () => (map as unknown as { vs: unknown[] }).vs.length;
    // One read stays behind while 100,000 later ones come and go, 64 at a time.
    map.set(0, 0);
    for (let k = 1; k <= 100_000; k++) {
      map.set(k, k);
      if (k > 64) map.delete(k - 64);
      expect(slots()).toBeLessThanOrEqual(256);
    }
    expect(map.size).toBe(65);
    // A burst grows the arrays; they are given back once it has drained.
    for (let k = 100_001; k <= 200_000; k++) map.set(k, k);
    for (let k = 0; k <= 199_990; k++) map.delete(k);
    expect(slots()).toBeLessThanOrEqual(128);
    expect([...map.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => 199_991 + i));
  });
});
