/**
 * Storage kept in memory: for tests, the simulator, and apps that accept losing everything on
 * exit. It applies a batch exactly as a durable store must (atomically, in the order documented
 * on StorageBatch), so the simulator can model a crash as "everything not yet written is lost".
 */
import { ballotGreater } from './ballot.js';
import { StorageFailedError } from './errors.js';
import type { Decided, PeerStamp, PValue } from './messages.js';
import {
  checkReadAccepted,
  checkReadDecisions,
  type AcceptorPromise,
  type PersistentState,
  type Snapshot,
  type Storage,
  type StorageBatch,
} from './storage.js';
import type { ConfigId, PeerId, Slot } from './types.js';

export interface MemoryStorageOptions {
  /**
   * Complete each write this many ms after the one before it completed, in order, as a disk
   * would (writes may be issued while earlier ones are in flight; `close` waits for them).
   * Default: every write is applied at once.
   */
  writeDelayMs?: number;
  /** Test hook: writing a batch for which this is true fails as a full disk would. */
  failWhen?: (batch: StorageBatch) => boolean;
}

export class MemoryStorage implements Storage {
  private incarnation = 0;
  private seq = 0;
  private amnesia: string | undefined;
  private readonly peerStores = new Map<PeerId, PeerStamp>();
  private readonly promises = new Map<ConfigId, AcceptorPromise>();
  private readonly accepted = new Map<Slot, PValue>();
  private watermark: Slot = 0;
  private snapshot: Snapshot | null = null;
  private readonly decisions = new Map<Slot, Uint8Array>();
  private readonly meta = new Map<string, Uint8Array>();
  private failed: Error | undefined;
  private closed = false;
  /** Batches written so far (for tests that count group commits). */
  writes = 0;
  /** The last write or close queued (with `writeDelayMs`), settled or not. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: MemoryStorageOptions = {}) {}

  load(): Promise<PersistentState> {
    return this.inOrder(() => this.loadSync());
  }

  /** The state as a restarted peer would find it. */
  loadSync(): PersistentState {
    const decisions: Decided[] = [...this.decisions.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([slot, value]) => ({ slot, value }));
    return {
      incarnation: this.incarnation,
      seq: this.seq,
      ...(this.amnesia !== undefined ? { amnesia: this.amnesia } : {}),
      peerStores: [...this.peerStores.values()].sort((a, b) => (a.peer < b.peer ? -1 : 1)),
      promises: [...this.promises.values()].sort((a, b) => a.config - b.config),
      accepted: [...this.accepted.values()].sort((a, b) => a.slot - b.slot),
      watermark: this.watermark,
      snapshot: this.snapshot,
      decisions,
    };
  }

  write(batch: StorageBatch): Promise<void> {
    return this.inOrder(() => this.applySync(batch));
  }

  /**
   * Run `f` now, or with `writeDelayMs` after everything queued before it has run: writes,
   * meta values, loads and close complete in the order they were issued.
   */
  private inOrder<T>(f: () => T): Promise<T> {
    const delay = this.options.writeDelayMs;
    if (delay === undefined) {
      try {
        return Promise.resolve(f());
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const done = this.tail.then(
      () =>
        new Promise<T>((resolve, reject) =>
          setTimeout(() => {
            try {
              resolve(f());
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          }, delay),
        ),
    );
    this.tail = done.catch(() => undefined);
    return done;
  }

  /**
   * Put the store back to `state` (as loadSync returned it): a data directory restored from a
   * copy (the simulator's rollback fault). Meta values are kept, as an identity key would be.
   */
  restore(state: PersistentState): void {
    this.incarnation = state.incarnation;
    this.seq = state.seq ?? 0;
    this.amnesia = state.amnesia;
    this.peerStores.clear();
    for (const p of state.peerStores ?? []) this.peerStores.set(p.peer, p);
    this.promises.clear();
    for (const p of state.promises) this.promises.set(p.config, p);
    this.accepted.clear();
    for (const pv of state.accepted) this.accepted.set(pv.slot, pv);
    this.watermark = state.watermark;
    this.snapshot = state.snapshot;
    this.decisions.clear();
    for (const d of state.decisions) this.decisions.set(d.slot, d.value);
  }

  /** Apply a batch at once (the simulator calls this when a simulated fsync completes). */
  applySync(b: StorageBatch): void {
    this.refuseIfClosedOrFailed();
    if (this.options.failWhen?.(b) === true) {
      this.failed = new Error('simulated full disk (failWhen)');
      throw new StorageFailedError(`write failed: ${this.failed.message}`, { cause: this.failed });
    }
    this.writes++;
    if (b.incarnation !== undefined) this.incarnation = b.incarnation;
    if (b.seq !== undefined) this.seq = b.seq;
    if (b.amnesia !== undefined && this.amnesia === undefined) this.amnesia = b.amnesia;
    for (const p of b.peerStores ?? []) this.peerStores.set(p.peer, p);
    for (const p of b.promises ?? []) {
      const cur = this.promises.get(p.config);
      // A promise never goes backwards, even if a buggy caller asks.
      if (cur === undefined || ballotGreater(p.ballot, cur.ballot)) this.promises.set(p.config, p);
    }
    for (const pv of b.accepted ?? [])
      if (pv.slot >= this.watermark) this.accepted.set(pv.slot, pv);
    for (const d of b.decisions ?? [])
      if (!this.decisions.has(d.slot)) this.decisions.set(d.slot, d.value);
    for (const slot of b.decidedAccepted ?? []) {
      if (this.decisions.has(slot)) continue;
      const pv = this.accepted.get(slot);
      // The core records a decision this way only when it accepted that pvalue first.
      if (pv === undefined)
        throw new StorageFailedError(`no accepted pvalue at decided slot ${slot}`);
      this.decisions.set(slot, pv.value);
    }
    if (
      b.snapshot !== undefined &&
      (this.snapshot === null || b.snapshot.slot >= this.snapshot.slot)
    ) {
      this.snapshot = b.snapshot;
    }
    if (b.truncateDecisionsBelow !== undefined) {
      for (const s of this.decisions.keys())
        if (s < b.truncateDecisionsBelow) this.decisions.delete(s);
    }
    if (b.watermark !== undefined && b.watermark > this.watermark) {
      this.watermark = b.watermark;
      for (const s of this.accepted.keys()) if (s < b.watermark) this.accepted.delete(s);
    }
    if (b.dropPromisesBelow !== undefined) {
      for (const c of this.promises.keys()) if (c < b.dropPromisesBelow) this.promises.delete(c);
    }
  }

  private refuseIfClosedOrFailed(): void {
    if (this.closed) throw new StorageFailedError('storage is closed');
    if (this.failed !== undefined) {
      throw new StorageFailedError(`storage failed: ${this.failed.message}`, {
        cause: this.failed,
      });
    }
  }

  /** Test hook: make every later write fail, as a full or broken disk would. */
  fail(err: Error = new Error('simulated I/O error')): void {
    this.failed = err;
  }

  /** In order with the writes issued before it (Storage.readDecisions). */
  readDecisions(from: Slot, max: number, maxBytes: number): Promise<Decided[]> {
    return this.inOrder(() => this.readDecisionsSync(from, max, maxBytes));
  }

  /** Storage.readDecisions at once (the simulator calls this when a simulated read completes). */
  readDecisionsSync(from: Slot, max: number, maxBytes: number): Decided[] {
    checkReadDecisions(from, max, maxBytes);
    if (this.closed) throw new StorageFailedError('storage is closed');
    const slots = [...this.decisions.keys()].filter((s) => s >= from).sort((a, b) => a - b);
    const out: Decided[] = [];
    let bytes = 0;
    for (const slot of slots) {
      const value = this.decisions.get(slot)!;
      if (out.length === max || (out.length > 0 && bytes + value.length > maxBytes)) break;
      out.push({ slot, value });
      bytes += value.length;
    }
    return out;
  }

  /** In order with the writes issued before it (Storage.readAccepted). */
  readAccepted(from: Slot, to: Slot): Promise<PValue[]> {
    return this.inOrder(() => this.readAcceptedSync(from, to));
  }

  /** Storage.readAccepted at once (the simulator calls this when a simulated read completes). */
  readAcceptedSync(from: Slot, to: Slot): PValue[] {
    checkReadAccepted(from, to);
    if (this.closed) throw new StorageFailedError('storage is closed');
    return [...this.accepted.values()]
      .filter((pv) => pv.slot >= from && pv.slot < to)
      .sort((a, b) => a.slot - b.slot);
  }

  getMeta(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.meta.get(key));
  }

  /** A write like any other: in order, and refused once closed or failed. */
  setMeta(key: string, value: Uint8Array): Promise<void> {
    const copy = value.slice();
    return this.inOrder(() => {
      this.refuseIfClosedOrFailed();
      this.meta.set(key, copy);
    });
  }

  /** Closes after every write issued before it has completed. */
  close(): Promise<void> {
    return this.inOrder(() => {
      this.closed = true;
    });
  }

  /**
   * Reopen after close (a MemoryStorage survives its node, like a file does), as a restarted
   * process would: a failure of the last run is forgotten (what was written stays).
   */
  reopen(): void {
    this.closed = false;
    this.failed = undefined;
  }

  /** Sizes, for the bounded-storage checks. */
  sizes(): { decisions: number; accepted: number; promises: number } {
    return {
      decisions: this.decisions.size,
      accepted: this.accepted.size,
      promises: this.promises.size,
    };
  }
}
