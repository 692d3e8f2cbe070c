/**
 * SqliteStorage: core's Storage on one SQLite file per peer (DESIGN.md §5).
 *
 * Each `write(batch)` is one transaction (group commit: one fsync per runtime turn), applied in
 * the order StorageBatch documents, with MemoryStorage's semantics exactly: a promise never goes
 * backwards, pvalues below the watermark are ignored and dropped, a decided slot never changes,
 * a snapshot replaces only an older one. better-sqlite3 is synchronous, so `write` runs the
 * transaction (and its fsync) at once and returns a settled promise.
 *
 * Failure is sticky: once a write fails (disk full, I/O error, the file removed), the store
 * fails closed and every later write rejects with StorageFailedError, so the node stops
 * acknowledging anything; reopening the file (once space or the disk is back) recovers the
 * state as of the last successful write.
 */
import { statSync } from 'node:fs';
import {
  compareBallots,
  StorageFailedError,
  type AcceptorPromise,
  type Decided,
  type PersistentState,
  type PValue,
  type Snapshot,
  type Storage,
  type StorageBatch,
} from '@synod/core';
import type { Database } from 'better-sqlite3';
import { asBuffer, asBytes, chunksOf } from './bytes.js';
import { CorruptDatabaseError } from './errors.js';
import { openDatabase, sqliteCode, type OpenedDatabase } from './open.js';
import { resolveOptions, type ResolvedOptions, type SqliteStorageOptions } from './options.js';
import type { Statements } from './statements.js';

/** Open (creating if needed) the store at `path`. See SqliteStorageOptions and the README. */
export function openSqliteStorage(
  path: string,
  options: SqliteStorageOptions = {},
): Promise<SqliteStorage> {
  try {
    return Promise.resolve(SqliteStorage.openSync(path, options));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

const SYNC_NAMES: Record<number, string> = { 0: 'off', 1: 'normal', 2: 'full', 3: 'extra' };

export interface StorageInfo {
  readonly path: string;
  readonly logId: string | undefined;
  readonly schemaVersion: number;
  /** `wal` once open. */
  readonly journalMode: string;
  /** `full` in the default durability, `normal` in `normal-unsafe`. */
  readonly synchronous: string;
  /** `exclusive`: the file is locked against other openers while open. */
  readonly lockingMode: string;
  readonly durability: ResolvedOptions['durability'];
  readonly pageSize: number;
  readonly pageCount: number;
  readonly maxPageCount: number;
}

export class SqliteStorage implements Storage {
  readonly path: string;
  /** The log id recorded in the file (undefined if it was never given one). */
  readonly logId: string | undefined;
  /** The schema version the file had before this open (0: it was created now). */
  readonly migratedFrom: number;
  private readonly db: Database;
  private readonly st: Statements;
  private readonly opts: ResolvedOptions;
  private readonly fileId: OpenedDatabase['fileId'];
  private readonly applyTx: (b: StorageBatch) => void;
  private failure: Error | undefined;
  private closed = false;
  /** Batches committed so far (for tests that count group commits). */
  writes = 0;

  /** Open synchronously (openSqliteStorage is the usual way). */
  static openSync(path: string, options: SqliteStorageOptions = {}): SqliteStorage {
    const opts = resolveOptions(path, options);
    return new SqliteStorage(path, opts, openDatabase(path, opts));
  }

  /** @internal Use openSqliteStorage(). */
  constructor(path: string, opts: ResolvedOptions, opened: OpenedDatabase) {
    this.path = path;
    this.opts = opts;
    this.db = opened.db;
    this.logId = opened.logId;
    this.migratedFrom = opened.migratedFrom;
    this.fileId = opened.fileId;
    this.st = opened.statements;
    this.applyTx = this.db.transaction((b: StorageBatch) => this.apply(b));
  }

  /** What the file and the connection are set to (for status pages, tools and tests). */
  info(): StorageInfo {
    const p = (name: string) => this.db.pragma(name, { simple: true }) as string | number;
    const sync = p('synchronous');
    return {
      path: this.path,
      logId: this.logId,
      schemaVersion: p('user_version') as number,
      journalMode: String(p('journal_mode')),
      synchronous: SYNC_NAMES[sync as number] ?? String(sync),
      lockingMode: String(p('locking_mode')),
      durability: this.opts.durability,
      pageSize: p('page_size') as number,
      pageCount: p('page_count') as number,
      maxPageCount: p('max_page_count') as number,
    };
  }

  /** The error that made the store fail closed, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  load(): Promise<PersistentState> {
    return this.guard(() => this.loadSync(), false);
  }

  async write(batch: StorageBatch): Promise<void> {
    // better-sqlite3 is synchronous: the commit's fsync blocks the thread. Yield once first, so
    // that what the caller queued before this write (the runtime sends this turn's messages that
    // do not depend on it, e.g. a leader's P2a, then writes) reaches the sockets before the
    // thread blocks: the other acceptors then sync in parallel with this one, as etcd's leader
    // appends to its log while it replicates (Raft thesis §10.2.1). Nothing that depends on this
    // write is sent before it, so persist-before-send holds. Writes stay in call order.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.guard(() => {
      this.applyTx(batch);
      this.writes++;
      this.checkFile();
    }, true);
  }

  getMeta(key: string): Promise<Uint8Array | undefined> {
    return this.guard(() => {
      const v = this.st.getMeta.get(key);
      return v === undefined ? undefined : asBytes(v);
    }, false);
  }

  setMeta(key: string, value: Uint8Array): Promise<void> {
    return this.guard(() => {
      this.st.putMeta.run(key, asBuffer(value));
      this.checkFile();
    }, true);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      try {
        this.db.close();
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- internals

  /** Run `f` unless closed or failed; a failure of a write makes the store fail closed. */
  private guard<T>(f: () => T, isWrite: boolean): Promise<T> {
    if (this.closed) return Promise.reject(new StorageFailedError('storage is closed'));
    if (this.failure !== undefined) {
      return Promise.reject(
        new StorageFailedError(`storage failed earlier: ${this.failure.message}`, {
          cause: this.failure,
        }),
      );
    }
    try {
      return Promise.resolve(f());
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!isWrite && err instanceof CorruptDatabaseError) return Promise.reject(err);
      if (isWrite) this.failure = err;
      const code = sqliteCode(err);
      return Promise.reject(
        new StorageFailedError(
          `${isWrite ? 'write' : 'read'} failed${code !== undefined ? ` (${code})` : ''}: ${err.message}`,
          { cause: err },
        ),
      );
    }
  }

  /**
   * A write that lands in a file removed (or replaced) since open is lost at the next start,
   * though SQLite reports success: the inode lives on, unlinked, until the process exits.
   */
  private checkFile(): void {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (st === undefined || st.ino !== this.fileId.ino || st.dev !== this.fileId.dev) {
      throw new Error('the database file was removed or replaced while open');
    }
  }

  /** One batch, in StorageBatch's order, inside the caller's transaction. */
  private apply(b: StorageBatch): void {
    const st = this.st;
    if (b.incarnation !== undefined) st.setIncarnation.run(b.incarnation);
    for (const p of b.promises ?? []) {
      const cur = st.getPromise.get(p.config);
      // A promise never goes backwards, even if a buggy caller asks.
      if (cur === undefined || compareBallots(p.ballot, cur) > 0) {
        st.putPromise.run(p.config, p.ballot.round, p.ballot.leader);
      }
    }
    if (b.accepted !== undefined && b.accepted.length > 0) {
      const watermark = st.getWatermark.get()!;
      for (const pv of b.accepted) {
        if (pv.slot < watermark) continue;
        st.putAccepted.run(
          pv.slot,
          pv.config,
          pv.ballot.round,
          pv.ballot.leader,
          asBuffer(pv.value),
        );
      }
    }
    for (const d of b.decisions ?? []) st.putDecision.run(d.slot, asBuffer(d.value));
    for (const slot of b.decidedAccepted ?? []) {
      // The core records a decision this way only when it accepted that pvalue first.
      if (st.putDecisionAccepted.run(slot).changes === 0 && st.hasDecision.get(slot) === undefined)
        throw new StorageFailedError(`no accepted pvalue at decided slot ${slot}`);
    }
    if (b.snapshot !== undefined) {
      const cur = st.getSnapshot.get();
      if (cur === undefined || b.snapshot.slot >= cur.slot) this.putSnapshot(b.snapshot);
    }
    if (b.truncateDecisionsBelow !== undefined) st.truncateDecisions.run(b.truncateDecisionsBelow);
    if (b.watermark !== undefined && b.watermark > st.getWatermark.get()!) {
      st.setWatermark.run(b.watermark);
      st.dropAcceptedBelow.run(b.watermark);
    }
    if (b.dropPromisesBelow !== undefined) st.dropPromisesBelow.run(b.dropPromisesBelow);
  }

  private putSnapshot(s: Snapshot): void {
    this.st.clearChunks.run();
    chunksOf(s.data, this.opts.snapshotChunkBytes).forEach((c, i) => this.st.putChunk.run(i, c));
    this.st.putSnapshot.run(s.slot, s.data.length);
  }

  private loadSync(): PersistentState {
    const st = this.st;
    // One read transaction: a consistent view even if a tool wrote in between (it cannot
    // while the lock is held, but the store should not depend on that).
    return this.db.transaction((): PersistentState => {
      const state = st.getState.get()!;
      const promises: AcceptorPromise[] = st.allPromises
        .all()
        .map((r) => ({ config: r.config, ballot: { round: r.round, leader: r.leader } }));
      const accepted: PValue[] = st.allAccepted.all().map((r) => ({
        config: r.config,
        ballot: { round: r.round, leader: r.leader },
        slot: r.slot,
        value: asBytes(r.value),
      }));
      const decisions: Decided[] = st.allDecisions
        .all()
        .map((r) => ({ slot: r.slot, value: asBytes(r.value) }));
      return {
        incarnation: state.incarnation,
        promises,
        accepted,
        watermark: state.watermark,
        snapshot: this.loadSnapshot(),
        decisions,
      };
    })();
  }

  private loadSnapshot(): Snapshot | null {
    const head = this.st.getSnapshot.get();
    if (head === undefined) return null;
    const data = new Uint8Array(head.size);
    let off = 0;
    for (const chunk of this.st.allChunks.iterate()) {
      if (off + chunk.length > head.size) break;
      data.set(chunk, off);
      off += chunk.length;
    }
    if (off !== head.size) {
      throw new CorruptDatabaseError(this.path, [
        `the snapshot's chunks do not add up to its size ${head.size}`,
      ]);
    }
    return { slot: head.slot, data };
  }
}
