/**
 * The order and failure policy of a store, on the thread that owns the connection: requests run
 * one after another in the order they were issued; writes waiting together share one
 * transaction (group commit: one fsync for all of them); a failed write makes the store fail
 * closed. The same runner serves every io (worker, inline, split), so all behave alike.
 *
 * Failure is sticky: the write that fails, every write queued behind it and every later
 * request (but close) reject with StorageFailedError. A group that fails fails whole: none of
 * its batches committed (SQLite rolled the transaction back), so none may be acknowledged. The
 * batches of a failed group are not retried one by one: after a failed fsync the kernel may
 * have dropped the dirty pages, and a second fsync "succeeding" would prove nothing.
 */
import {
  InvalidReadError,
  StorageFailedError,
  type Decided,
  type PersistentState,
  type PValue,
  type StorageBatch,
} from '@synod/core';
import { CorruptDatabaseError } from './errors.js';
import { sqliteCode } from './open.js';
import type { SqliteFile } from './sqlite-file.js';

export type StoreRequest =
  | { readonly op: 'write'; readonly batch: StorageBatch; readonly awaited?: boolean }
  | { readonly op: 'setMeta'; readonly key: string; readonly value: Uint8Array }
  | { readonly op: 'getMeta'; readonly key: string }
  | {
      readonly op: 'readDecisions';
      readonly from: number;
      readonly max: number;
      readonly maxBytes: number;
    }
  | { readonly op: 'readAccepted'; readonly from: number; readonly to: number }
  | { readonly op: 'load' }
  | { readonly op: 'close' };

/**
 * What a request answers: `load` a PersistentState, `getMeta` bytes or undefined,
 * `readDecisions` decisions, `readAccepted` pvalues, others nothing.
 */
export type StoreValue = PersistentState | Uint8Array | Decided[] | PValue[] | undefined;

export type StoreOutcome =
  | { readonly ok: true; readonly value?: StoreValue }
  | { readonly ok: false; readonly error: Error };

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export class StoreRunner {
  private failure: Error | undefined;
  private closed = false;
  /** Transactions committed by writes (each one fsync in the default durability). */
  commits = 0;

  constructor(private readonly file: SqliteFile) {}

  /** Run `requests` in order; each consecutive run of writes is one transaction. */
  run(requests: readonly StoreRequest[]): StoreOutcome[] {
    const out: StoreOutcome[] = [];
    let i = 0;
    while (i < requests.length) {
      const r = requests[i]!;
      if (r.op !== 'write') {
        out.push(this.one(r));
        i++;
        continue;
      }
      const group: StorageBatch[] = [];
      for (; i < requests.length; i++) {
        const w = requests[i]!;
        if (w.op !== 'write') break;
        group.push(w.batch);
      }
      const o = this.writeGroup(group);
      for (let k = 0; k < group.length; k++) out.push(o);
    }
    return out;
  }

  /** Whether the connection is closed (after a `close` request). */
  get isClosed(): boolean {
    return this.closed;
  }

  private writeGroup(batches: readonly StorageBatch[]): StoreOutcome {
    const refused = this.refusal();
    if (refused !== undefined) return refused;
    try {
      this.file.writeGroup(batches);
      this.commits++;
      return { ok: true };
    } catch (e) {
      return this.failWrite(asError(e));
    }
  }

  private one(r: Exclude<StoreRequest, { op: 'write' }>): StoreOutcome {
    if (r.op === 'close') {
      if (!this.closed) {
        this.closed = true;
        try {
          this.file.close();
        } catch (e) {
          return { ok: false, error: asError(e) };
        }
      }
      return { ok: true };
    }
    const refused = this.refusal();
    if (refused !== undefined) return refused;
    if (r.op === 'setMeta') {
      try {
        this.file.setMeta(r.key, r.value);
        return { ok: true };
      } catch (e) {
        return this.failWrite(asError(e));
      }
    }
    try {
      return { ok: true, value: this.read(r) };
    } catch (e) {
      const err = asError(e);
      // Bad arguments are the caller's fault: reported as such, as a read failure is.
      if (err instanceof InvalidReadError) return { ok: false, error: err };
      // A snapshot whose chunks do not add up is the file's fault, reported as such.
      if (err instanceof CorruptDatabaseError) return { ok: false, error: err };
      return { ok: false, error: failed('read', err) };
    }
  }

  private read(r: Exclude<StoreRequest, { op: 'write' | 'setMeta' | 'close' }>): StoreValue {
    if (r.op === 'load') return this.file.load();
    if (r.op === 'getMeta') return this.file.getMeta(r.key);
    if (r.op === 'readAccepted') return this.file.readAccepted(r.from, r.to);
    return this.file.readDecisions(r.from, r.max, r.maxBytes);
  }

  /**
   * A write's sync failed after its transaction committed (SplitIo): fail closed as if the
   * commit had failed. Returns the error its writes reject with.
   */
  failWith(err: Error): StorageFailedError {
    this.failure ??= err;
    return failed('write', err);
  }

  private failWrite(err: Error): StoreOutcome {
    this.failure = err;
    return { ok: false, error: failed('write', err) };
  }

  /** Why a request may not run (closed, or failed earlier), if it may not. */
  private refusal(): StoreOutcome | undefined {
    if (this.closed) return { ok: false, error: new StorageFailedError('storage is closed') };
    if (this.failure !== undefined) return { ok: false, error: failedEarlier(this.failure) };
    return undefined;
  }
}

function failed(what: 'read' | 'write', err: Error): StorageFailedError {
  const code = sqliteCode(err);
  return new StorageFailedError(
    `${what} failed${code !== undefined ? ` (${code})` : ''}: ${err.message}`,
    { cause: err },
  );
}

/** The rejection of every request after a failed write. */
export function failedEarlier(failure: Error): StorageFailedError {
  return new StorageFailedError(`storage failed earlier: ${failure.message}`, { cause: failure });
}
