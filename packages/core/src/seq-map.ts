import { IntKeyedMap } from './int-keyed-map.js';

/**
 * A map from dense integer keys (a client's command seqs) to values, kept in a ring buffer:
 * for the per-command tables that fill at one end and empty at the other (the proposals
 * waiting for a result, the outcomes a client has not acknowledged).
 *
 * Why not a Map: V8's Map rehashes into a new table every few hundred insertions when used as a
 * queue (deleted entries fill it), and the old table keeps its entries and a pointer to the new
 * one (for live iterators). Once one such table has reached the old generation (it lived through
 * two scavenges, or a mark-compact caught it), the scavenger treats its pointers as roots although
 * it is garbage: the next table survives, is promoted, keeps the one after alive, and so on until
 * the next full GC, each with the commands, promises and buffers it held. On a busy leader that
 * promoted ~250-350 bytes per command (2-3 MB per scavenge) and made the old generation saw-tooth
 * by tens of MB between full GCs (issue 13: RSS at C=1024). A ring buffer has no such chain: a
 * freed entry is overwritten with undefined, and its array is replaced only when it grows.
 *
 * Memory is proportional to the span from the lowest key to the highest, not to the number of
 * entries: keys must be dense (consecutive seqs, with at most a few holes). Values may not be
 * undefined. Iteration is in key order (for these tables, also the order of insertion).
 */
export class SeqMap<V> extends IntKeyedMap<V> {
  private items: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
  /** No key below `head` is present... */
  private head = 0;
  /** ...nor any at or above `tail`. */
  private tail = 0;

  override get(key: number): V | undefined {
    if (key < this.head || key >= this.tail) return undefined;
    return this.items[key % this.items.length];
  }

  /** The lowest key present (undefined when empty). */
  first(): number | undefined {
    return this.count === 0 ? undefined : this.head;
  }

  set(key: number, value: V): this {
    if (!Number.isSafeInteger(key)) throw new RangeError(`SeqMap key ${key} is not an integer`);
    if (this.count === 0) this.head = this.tail = key;
    if (key < this.head) this.relayout(key, this.tail);
    else if (key >= this.tail) {
      if (key + 1 - this.head > this.items.length) this.relayout(this.head, key + 1);
      this.tail = key + 1;
    }
    const i = key % this.items.length;
    if (this.items[i] === undefined) this.count++;
    this.items[i] = value;
    return this;
  }

  delete(key: number): boolean {
    if (this.get(key) === undefined) return false;
    this.items[key % this.items.length] = undefined;
    this.count--;
    this.trim();
    return true;
  }

  /** Delete every key up to `key`, inclusive. */
  deleteThrough(key: number): void {
    const cap = this.items.length;
    for (let k = this.head; k <= key && k < this.tail; k++) {
      if (this.items[k % cap] !== undefined) {
        this.items[k % cap] = undefined;
        this.count--;
      }
    }
    this.trim();
  }

  /** In key order. The map may be changed meanwhile: each key is looked up when reached. */
  override *entries(): IterableIterator<[number, V]> {
    for (let k = this.head; k < this.tail; k++) {
      const v = this.get(k);
      if (v !== undefined) yield [k, v];
    }
  }

  /** Move head and tail to the lowest and highest key present; shrink a mostly empty ring. */
  private trim(): void {
    const cap = this.items.length;
    if (this.count === 0) {
      this.head = this.tail;
    } else {
      while (this.items[this.head % cap] === undefined) this.head++;
      while (this.items[(this.tail - 1) % cap] === undefined) this.tail--;
    }
    // A burst left a large ring behind: give it back once the span is an eighth of it.
    if (cap > MIN_CAPACITY && (this.tail - this.head) * 8 <= cap)
      this.relayout(this.head, this.tail);
  }

  /** A ring for keys head..tail-1 (a power of two, at least twice the span), entries kept. */
  private relayout(head: number, tail: number): void {
    let cap = MIN_CAPACITY;
    while (cap < 2 * (tail - head)) cap *= 2;
    const old = this.items;
    const items = new Array<V | undefined>(cap).fill(undefined);
    for (let k = this.head; k < this.tail; k++) {
      const v = old[k % old.length];
      if (v !== undefined) items[k % cap] = v;
    }
    this.items = items;
    this.head = head;
    this.tail = tail;
  }
}

const MIN_CAPACITY = 16;
