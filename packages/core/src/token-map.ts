import { IntKeyedMap } from './int-keyed-map.js';

/**
 * A map from integer keys given out in increasing order (read tokens) to values, kept as a
 * sorted array: for the tables of linearizable reads in flight, which fill at one end and
 * empty mostly, but not only, at the other.
 *
 * Why not a Map: used as a queue, V8's Map rehashes into a new table every few hundred
 * insertions, and the obsolete table points to the new one; once one table is in the old
 * generation, every later one is promoted with what it holds until the next full GC (see
 * seq-map.ts). A read-heavy closed loop promoted ~540 bytes per read that way.
 *
 * Why not SeqMap: reads may finish out of order (one retried or waiting for its timeout while
 * thousands of later ones are served), and a ring's memory and iteration follow the span of
 * its keys. Here both follow the number of entries: a deleted entry leaves a hole that is
 * squeezed out in place once holes outnumber entries, so the arrays are replaced only to grow
 * or to shrink after a burst, and an old array never points to its successor.
 *
 * Lookups are binary searches. Keys set in increasing order are appended; a lower key is
 * inserted in place (linear, for drivers that give tokens out of order). Values may not be
 * undefined. Iteration is in key order, and sees entries set meanwhile (as a Map's does for
 * increasing keys).
 */
export class TokenMap<V> extends IntKeyedMap<V> {
  private ks: number[] = [];
  private vs: (V | undefined)[] = [];
  /** Slots in use, holes included: ks[0..end) ascend strictly; vs[i] undefined is a hole. */
  private end = 0;

  override get(key: number): V | undefined {
    const i = this.lowerBound(key);
    return i < this.end && this.ks[i] === key ? this.vs[i] : undefined;
  }

  set(key: number, value: V): this {
    if (!Number.isSafeInteger(key)) throw new RangeError(`TokenMap key ${key} is not an integer`);
    let i = this.lowerBound(key);
    if (i < this.end && this.ks[i] === key) {
      if (this.vs[i] === undefined) this.count++;
      this.vs[i] = value;
      return this;
    }
    if (this.end === this.ks.length) {
      // Full: squeeze the holes out if a quarter are holes, else grow.
      if (this.end > 0 && 4 * (this.end - this.count) >= this.end) this.compact();
      else this.resize(Math.max(MIN_CAPACITY, 2 * this.end));
      i = this.lowerBound(key);
    }
    for (let j = this.end; j > i; j--) {
      this.ks[j] = this.ks[j - 1]!;
      this.vs[j] = this.vs[j - 1];
    }
    this.ks[i] = key;
    this.vs[i] = value;
    this.end++;
    this.count++;
    return this;
  }

  delete(key: number): boolean {
    const i = this.lowerBound(key);
    if (i >= this.end || this.ks[i] !== key || this.vs[i] === undefined) return false;
    this.vs[i] = undefined;
    this.count--;
    if (this.end - this.count > this.count + MIN_CAPACITY / 2) this.compact();
    return true;
  }

  clear(): void {
    this.vs.fill(undefined);
    this.end = this.count = 0;
  }

  /**
   * In key order. The map may be changed meanwhile: a compaction moves entries, so the
   * iterator finds its place again by the last key it yielded.
   */
  override *entries(): IterableIterator<[number, V]> {
    let i = 0;
    while (i < this.end) {
      const k = this.ks[i]!;
      const v = this.vs[i];
      if (v !== undefined) {
        yield [k, v];
        // Moved (squeezed, or a lower key inserted): go on after k, wherever that is now.
        if (i >= this.end || this.ks[i] !== k) {
          i = this.lowerBound(k + 1);
          continue;
        }
      }
      i++;
    }
  }

  /** The first slot whose key is >= `key` (end if none). */
  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.end;
    // Fast path: appending the next token.
    if (hi === 0 || this.ks[hi - 1]! < key) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ks[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Squeeze the holes out, in place; give back a mostly empty array. */
  private compact(): void {
    let j = 0;
    for (let i = 0; i < this.end; i++) {
      const v = this.vs[i];
      if (v === undefined) continue;
      this.ks[j] = this.ks[i]!;
      this.vs[j] = v;
      j++;
    }
    for (let i = j; i < this.end; i++) this.vs[i] = undefined;
    this.end = j;
    if (this.ks.length > MIN_CAPACITY && j * 8 <= this.ks.length)
      this.resize(Math.max(MIN_CAPACITY, 2 * j));
  }

  /** New arrays of `cap` slots, entries kept. */
  private resize(cap: number): void {
    const keys = new Array<number>(cap).fill(0);
    const vals = new Array<V | undefined>(cap).fill(undefined);
    for (let i = 0; i < this.end; i++) {
      keys[i] = this.ks[i]!;
      vals[i] = this.vs[i];
    }
    this.ks = keys;
    this.vs = vals;
  }
}

const MIN_CAPACITY = 16;
