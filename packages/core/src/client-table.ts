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

export interface ClientEntry {
  readonly inc: number;
  /** The highest seq that took effect. */
  seq: number;
  /**
   * Outcomes of the commands the client has not acknowledged yet, by seq. Commands of a client
   * take effect in seq order, so the map's insertion order is seq order.
   */
  readonly outcomes: Map<number, Outcome>;
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
  /**
   * Per client, the lowest seq whose outcome may still be kept: acknowledged outcomes are
   * deleted by seq from there. (Walking the map from its start instead costs a new iterator and
   * a pass over the holes that earlier deletions left at its head, until V8 rehashes it: about
   * 0.5 µs per command with 256 commands outstanding, on every replica.)
   */
  private readonly forgetFrom = new Map<string, number>();

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
      e = { inc: c.inc, seq: c.seq, outcomes: new Map() };
      this.entries.set(c.client, e);
      this.forgetFrom.delete(c.client);
    }
    e.seq = c.seq;
    this.forget(c.client, e.outcomes, c.ack, c.seq);
    e.outcomes.set(c.seq, outcome);
  }

  /** Forget the outcomes the client has acknowledged (seqs up to `ack`) before `seq`'s is kept. */
  private forget(client: string, outcomes: Map<number, Outcome>, ack: number, seq: number): void {
    let from = this.forgetFrom.get(client);
    if (from !== undefined && ack < from) {
      if (seq < from) this.forgetFrom.set(client, seq);
      return;
    }
    if (from === undefined || ack - from >= outcomes.size) {
      // Not known where the kept seqs start (a snapshot's entry), or more seqs acknowledged
      // than are kept: one pass in insertion order, which is seq order.
      for (const s of outcomes.keys()) {
        if (s > ack) break;
        outcomes.delete(s);
      }
    } else {
      for (; from <= ack; from++) outcomes.delete(from);
    }
    // Every kept seq is at least this (a client's ack is below its new seq; if not, it is kept).
    this.forgetFrom.set(client, Math.min(ack + 1, seq));
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
    this.forgetFrom.clear();
    for (const [k, v] of entries) this.entries.set(k, v);
  }
}
