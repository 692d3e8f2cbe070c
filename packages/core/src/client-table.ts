/**
 * The replicated client table (DESIGN.md §3 item 4, "exactly once").
 *
 * For every client it keeps the last command that took effect and its outcome, so that:
 *  - a retried command (same client, inc and seq) takes effect once and is answered again;
 *  - a client's commands take effect in seq order, also across a leader change: a command that
 *    arrives ahead of a missing predecessor is skipped ("reordered") and its client resends;
 *  - commands of an older incarnation of a client (a peer before its restart) are refused.
 * This replaces PMMC's check "has this command been decided in a lower slot?", which costs
 * O(slot_out) per decision, with one map lookup. It is part of every snapshot.
 */
import type { Command, Outcome } from './command.js';
import { SeqMap } from './seq-map.js';

export interface ClientEntry {
  readonly inc: number;
  /** The highest seq that took effect. */
  seq: number;
  /**
   * Outcomes of the commands the client has not acknowledged yet, by seq. Commands of a client
   * take effect in seq order, so the map's insertion order is seq order.
   */
  readonly outcomes: SeqMap<Outcome>;
}

/** What the replica must do with a decided command. */
export type Admission =
  | { readonly kind: 'apply' }
  /** Already took effect; `outcome` is known only for the client's latest command. */
  | { readonly kind: 'duplicate'; readonly outcome: Outcome | undefined }
  /** A predecessor has not taken effect yet: skipped, the client resends in order. */
  | { readonly kind: 'reordered' }
  /** From an older incarnation of the client: refused. */
  | { readonly kind: 'stale' };

const APPLY: Admission = Object.freeze({ kind: 'apply' });
const REORDERED: Admission = Object.freeze({ kind: 'reordered' });
const STALE: Admission = Object.freeze({ kind: 'stale' });

export class ClientTable {
  private readonly entries = new Map<string, ClientEntry>();

  /** Test hook: the `no-dedupe` bug admits every command (and skips nothing). */
  disableDedupe = false;

  admit(c: Command): Admission {
    if (this.disableDedupe) return APPLY;
    const e = this.entries.get(c.client);
    if (e === undefined || c.inc > e.inc) return c.seq === 1 ? APPLY : REORDERED;
    if (c.inc < e.inc) return STALE;
    if (c.seq <= e.seq) return { kind: 'duplicate', outcome: e.outcomes.get(c.seq) };
    return c.seq === e.seq + 1 ? APPLY : REORDERED;
  }

  record(c: Command, outcome: Outcome): void {
    let e = this.entries.get(c.client);
    if (e === undefined || e.inc !== c.inc) {
      e = { inc: c.inc, seq: c.seq, outcomes: new SeqMap() };
      this.entries.set(c.client, e);
    }
    e.seq = c.seq;
    // Forget what the client has acknowledged.
    e.outcomes.deleteThrough(c.ack);
    e.outcomes.set(c.seq, outcome);
  }

  get(client: string): ClientEntry | undefined {
    return this.entries.get(client);
  }

  get size(): number {
    return this.entries.size;
  }

  entriesSorted(): [string, ClientEntry][] {
    return [...this.entries.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  replaceAll(entries: Iterable<[string, ClientEntry]>): void {
    this.entries.clear();
    for (const [k, v] of entries) this.entries.set(k, v);
  }
}
