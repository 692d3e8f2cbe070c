/**
 * What SeqMap and TokenMap share: a Map's reading surface over integer keys, derived from the
 * two things each stores its own way, `get` and `entries` (in key order). Values are never
 * undefined, so `get` answering undefined means absent.
 */
export abstract class IntKeyedMap<V> implements Iterable<[number, V]> {
  /** Entries present (maintained by the subclass). */
  protected count = 0;

  abstract get(key: number): V | undefined;
  abstract entries(): IterableIterator<[number, V]>;

  get size(): number {
    return this.count;
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  *keys(): IterableIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }
}
