/**
 * This replica's entries as the UI keeps them, with their search index, kept up to date as
 * entries arrive (applied events, reads), so that a keystroke only filters.
 *
 * - Each entry's lower-cased title and body are computed once per version, when it arrives.
 * - The matches of the last query are kept, and kept current as entries arrive; a query that
 *   extends the last one (typing one more letter) filters those matches, not the whole list.
 * - Entries stay in id order (the order they were appended in): the list's order.
 *
 * No DOM here (tested under Node: test/entry-index.test.ts).
 */
import type { EntryView } from '../src/desktop/bridge-api.js';

/** A search's matches, read in place (valid until the index next changes). */
export interface SearchResult {
  /** How many entries match. */
  readonly count: number;
  /** The k-th match, in id order. */
  at(k: number): EntryView | undefined;
  /** Entries a search can match at all (deleted ones only when asked for). */
  readonly total: number;
}

interface LastSearch {
  readonly query: string;
  readonly deleted: boolean;
  /** Positions in `list`, ascending. */
  matches: number[];
}

export class EntryIndex {
  private readonly list: EntryView[] = [];
  /** Lower-cased `title\nbody` of list[i]. */
  private readonly texts: string[] = [];
  private readonly at = new Map<number, number>();
  private deletedCount = 0;
  private last: LastSearch | null = null;

  get size(): number {
    return this.list.length;
  }

  get(id: number): EntryView | undefined {
    const i = this.at.get(id);
    return i === undefined ? undefined : this.list[i];
  }

  /** Every entry, in id order (deleted ones included). */
  all(): readonly EntryView[] {
    return this.list;
  }

  /** Replace everything (a full read of the log). */
  replaceAll(entries: readonly EntryView[]): void {
    this.list.length = 0;
    this.texts.length = 0;
    this.at.clear();
    this.deletedCount = 0;
    this.last = null;
    for (const e of [...entries].sort((a, b) => a.id - b.id)) {
      this.at.set(e.id, this.list.length);
      this.list.push(e);
      this.texts.push(searchText(e));
      if (e.deleted) this.deletedCount++;
    }
  }

  /**
   * Take an entry as it is now (new, or a newer version). Returns whether anything changed
   * (an older or the same version is ignored).
   */
  upsert(e: EntryView): boolean {
    const i = this.at.get(e.id);
    if (i !== undefined) {
      const old = this.list[i]!;
      if (old.version >= e.version) return false;
      this.list[i] = e;
      this.texts[i] = searchText(e);
      this.deletedCount += Number(e.deleted) - Number(old.deleted);
      this.refreshMatch(i);
      return true;
    }
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last.id > e.id) {
      // Out of order (rare: an event raced a full read): place it, forget the kept matches.
      const pos = this.list.findIndex((x) => x.id > e.id);
      this.list.splice(pos, 0, e);
      this.texts.splice(pos, 0, searchText(e));
      for (let k = pos; k < this.list.length; k++) this.at.set(this.list[k]!.id, k);
      this.last = null;
    } else {
      this.at.set(e.id, this.list.length);
      this.list.push(e);
      this.texts.push(searchText(e));
      if (this.last !== null && this.matches(this.list.length - 1, this.last)) {
        this.last.matches.push(this.list.length - 1);
      }
    }
    if (e.deleted) this.deletedCount++;
    return true;
  }

  /** The entries whose title or text contains `query` (any case); deleted ones if asked. */
  search(query: string, deleted: boolean): SearchResult {
    const q = query.trim().toLowerCase();
    const last = this.last;
    let matches: number[];
    if (last !== null && last.deleted === deleted && last.query === q) {
      matches = last.matches;
    } else if (last !== null && last.deleted === deleted && q.startsWith(last.query)) {
      // One more letter typed: only the previous matches can still match.
      const next = { query: q, deleted, matches: [] as number[] };
      matches = last.matches.filter((i) => this.matches(i, next));
    } else {
      const next = { query: q, deleted, matches: [] as number[] };
      matches = [];
      for (let i = 0; i < this.list.length; i++) if (this.matches(i, next)) matches.push(i);
    }
    this.last = { query: q, deleted, matches };
    const list = this.list;
    return {
      count: matches.length,
      at: (k) => {
        const i = matches[k];
        return i === undefined ? undefined : list[i];
      },
      total: deleted ? list.length : list.length - this.deletedCount,
    };
  }

  private matches(i: number, s: Pick<LastSearch, 'query' | 'deleted'>): boolean {
    return (s.deleted || !this.list[i]!.deleted) && this.texts[i]!.includes(s.query);
  }

  /** Entry i changed: keep the last search's matches right. */
  private refreshMatch(i: number): void {
    const last = this.last;
    if (last === null) return;
    const m = last.matches;
    // Binary search for i in the ascending positions.
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    const had = m[lo] === i;
    const has = this.matches(i, last);
    if (had && !has) m.splice(lo, 1);
    else if (!had && has) m.splice(lo, 0, i);
  }
}

function searchText(e: EntryView): string {
  return `${e.title}\n${e.body}`.toLowerCase();
}
