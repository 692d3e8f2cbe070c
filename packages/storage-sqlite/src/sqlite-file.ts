/**
 * The store's work on its one SQLite connection, synchronous (better-sqlite3): what a batch does
 * to the tables, loading, meta values, the file's facts. It runs on whichever thread owns the
 * connection: the caller's thread (`io: 'split'`, the default on Linux, and `'inline'`) or the
 * storage worker; it knows nothing of queues, threads or failure policy (store-runner.ts has
 * those).
 *
 * A group of batches is one transaction (one fsync): the batches are applied in order, each as
 * StorageBatch documents and exactly as MemoryStorage does: a promise never goes backwards,
 * pvalues below the watermark are ignored and dropped, a decided slot never changes, a snapshot
 * replaces only an older one. A field added to StorageBatch needs its line in `apply` only.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import {
  checkReadAccepted,
  checkReadDecisions,
  compareBallots,
  type AcceptorPromise,
  type Decided,
  type PersistentState,
  type PValue,
  type Snapshot,
  type StorageBatch,
} from '@synod/core';
import type { Database } from 'better-sqlite3';
import { asBuffer, asBytes, chunksOf } from './bytes.js';
import { CorruptDatabaseError } from './errors.js';
import { openDatabase, type OpenedDatabase } from './open.js';
import type { ResolvedOptions } from './options.js';
import type { Statements } from './statements.js';
import { identify, isStill, walReplacedError, type WalIdentity } from './wal-identity.js';

const SYNC_NAMES: Record<number, string> = { 0: 'off', 1: 'normal', 2: 'full', 3: 'extra' };

export interface StorageInfo {
  readonly path: string;
  readonly logId: string | undefined;
  readonly schemaVersion: number;
  /** `wal` once open. */
  readonly journalMode: string;
  /** `full` in the default durability (`normal` with `io: 'split'`, which syncs the WAL itself), `normal` in `normal-unsafe`. */
  readonly synchronous: string;
  /** `exclusive`: the file is locked against other openers while open. */
  readonly lockingMode: string;
  readonly durability: ResolvedOptions['durability'];
  /** Where the transactions and their fsync run: `inline` (the caller's thread), `split` (the fsync on libuv's pool) or `worker`. */
  readonly io: ResolvedOptions['io'];
  readonly pageSize: number;
  readonly pageCount: number;
  readonly maxPageCount: number;
  /** The page cache's bound in bytes (the `pageCacheBytes` option). */
  readonly pageCacheBytes: number;
}

/** What the opener learns about the file (sent from the worker to the caller's thread). */
export interface FileFacts {
  readonly logId: string | undefined;
  readonly migratedFrom: number;
  readonly info: StorageInfo;
}

export class SqliteFile {
  private readonly db: Database;
  private readonly st: Statements;
  private readonly fileId: OpenedDatabase['fileId'];
  private readonly applyGroup: (batches: readonly StorageBatch[]) => void;
  private readonly logId: string | undefined;
  /**
   * Our own descriptor of the WAL, to notice it removed or replaced while open (wal-identity.ts).
   * Not under io split, which checks the descriptor it syncs (io/split-io.ts).
   */
  private readonly wal: { readonly fd: number; readonly identity: WalIdentity } | undefined;
  /**
   * The file SQLite opened: `path` made absolute, with symbolic links resolved. Its WAL is
   * beside it (a `path` that is a link has none beside it), and it is what a check must find
   * (`path` may be relative to a working directory the process has left since).
   */
  private readonly realPath: string;
  readonly walPath: string;
  readonly facts: FileFacts;

  /** Open (creating, checking, migrating) the file; throws the typed errors of errors.ts. */
  constructor(
    readonly path: string,
    private readonly opts: ResolvedOptions,
  ) {
    const opened = openDatabase(path, opts);
    this.db = opened.db;
    this.st = opened.statements;
    this.fileId = opened.fileId;
    this.applyGroup = this.db.transaction((batches: readonly StorageBatch[]) => {
      for (const b of batches) this.apply(b);
    });
    this.logId = opened.logId;
    const main = (this.db.pragma('database_list') as { name: string; file: string }[]).find(
      (d) => d.name === 'main',
    );
    this.realPath = main?.file ?? path;
    this.walPath = `${this.realPath}-wal`;
    this.facts = { logId: opened.logId, migratedFrom: opened.migratedFrom, info: this.info() };
    // Taken now, so that ours is the file SQLite writes: SQLite opened (or created) the WAL at
    // its first read in WAL mode (info() above), and keeps it open until close (exclusive
    // locking mode).
    try {
      this.wal = opts.io === 'split' ? undefined : openWal(this.walPath);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  /** Commit `batches` in one transaction (one fsync), in order; throws if it did not commit. */
  writeGroup(batches: readonly StorageBatch[]): void {
    this.applyGroup(batches);
    this.checkFile();
  }

  setMeta(key: string, value: Uint8Array): void {
    this.st.putMeta.run(key, asBuffer(value));
    this.checkFile();
  }

  /**
   * Storage.readDecisions: what is committed on this connection. Under `io: 'split'` a commit
   * may not be synced yet when this runs, but the read resolves only after the sync of every
   * write issued before it (split-io.ts), so what it returns is durable by then. (Sending a
   * decision that is not durable here would be safe anyway: it is chosen; persist before send
   * is about acceptor state, docs/protocol.md.)
   */
  readDecisions(from: number, max: number, maxBytes: number): Decided[] {
    checkReadDecisions(from, max, maxBytes);
    const out: Decided[] = [];
    let bytes = 0;
    for (const r of this.st.decisionsFrom.iterate(from, from, max)) {
      if (out.length > 0 && bytes + r.value.length > maxBytes) break;
      out.push({ slot: r.slot, value: asBytes(r.value) });
      bytes += r.value.length;
    }
    return out;
  }

  /**
   * Storage.readAccepted: the pvalues committed on this connection. The acceptor asks only for
   * pvalues it knows to be durable (acceptor.ts, `release`), so a commit not synced yet is
   * never what a P1b reports from here.
   */
  readAccepted(from: number, to: number): PValue[] {
    checkReadAccepted(from, to);
    return this.st.acceptedBetween.all(from, to).map((r) => ({
      config: r.config,
      ballot: { round: r.round, leader: r.leader },
      slot: r.slot,
      value: asBytes(r.value),
    }));
  }

  getMeta(key: string): Uint8Array | undefined {
    const v = this.st.getMeta.get(key);
    return v === undefined ? undefined : asBytes(v);
  }

  /** The file's page count now (the only figure of `info` that changes while open). */
  pageCount(): number {
    return this.db.pragma('page_count', { simple: true }) as number;
  }

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
      io: this.opts.io,
      pageSize: p('page_size') as number,
      pageCount: p('page_count') as number,
      maxPageCount: p('max_page_count') as number,
      pageCacheBytes: -(p('cache_size') as number) * 1024,
    };
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      if (this.wal !== undefined) closeSync(this.wal.fd);
    }
  }

  load(): PersistentState {
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
      const peerStores = st.allPeerStores.all().map((r) => ({
        peer: r.peer,
        run: r.run,
        start: r.start,
        seq: r.seq,
      }));
      return {
        incarnation: state.incarnation,
        seq: state.seq,
        ...(state.amnesia !== null ? { amnesia: state.amnesia } : {}),
        peerStores,
        promises,
        accepted,
        watermark: state.watermark,
        snapshot: this.loadSnapshot(),
        decisions,
      };
    })();
  }

  // ---------------------------------------------------------------- internals

  /**
   * A write that lands in a file removed (or replaced) since open is lost at the next start,
   * though SQLite reports success: the inode lives on, unlinked, until the process exits.
   */
  private checkFile(): void {
    const st = statSync(this.realPath, { throwIfNoEntry: false });
    if (st === undefined || st.ino !== this.fileId.ino || st.dev !== this.fileId.dev) {
      throw new Error('the database file was removed or replaced while open');
    }
    // SQLite syncs the WAL it opened, whatever is at its path now: commits into a WAL removed
    // or replaced since would report success and be gone at the next start.
    if (this.wal !== undefined && !isStill(this.wal.identity, this.wal.fd, this.walPath))
      throw walReplacedError();
  }

  /** One batch, in StorageBatch's order, inside the caller's transaction. */
  private apply(b: StorageBatch): void {
    const st = this.st;
    if (b.incarnation !== undefined) st.setIncarnation.run(b.incarnation);
    if (b.seq !== undefined) st.setSeq.run(b.seq);
    if (b.amnesia !== undefined) st.setAmnesia.run(b.amnesia);
    for (const p of b.peerStores ?? []) st.putPeerStore.run(p.peer, p.run, p.start, p.seq);
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
        if (st.keepDecidedValue.run(pv.slot).changes > 0) st.unmark.run(pv.slot);
        st.putAccepted.run(
          pv.slot,
          pv.config,
          pv.ballot.round,
          pv.ballot.leader,
          asBuffer(pv.value),
        );
      }
    }
    for (const d of b.decisions ?? []) st.putDecision.run(d.slot, asBuffer(d.value), d.slot);
    for (const slot of b.decidedAccepted ?? []) {
      // A mark: the accepted row's value is not written again. The core records a decision
      // this way only when it accepted that pvalue first.
      if (st.markDecided.run(slot, slot).changes > 0) continue;
      if (st.isMarked.get(slot) === undefined && st.hasDecision.get(slot) === undefined)
        throw new Error(`no accepted pvalue at decided slot ${slot}`);
    }
    if (b.snapshot !== undefined) {
      const cur = st.getSnapshot.get();
      if (cur === undefined || b.snapshot.slot >= cur.slot) this.putSnapshot(b.snapshot);
    }
    let collect = false;
    if (b.truncateDecisionsBelow !== undefined) {
      st.truncateDecisions.run(b.truncateDecisionsBelow);
      st.truncateMarks.run(b.truncateDecisionsBelow);
      collect = true;
    }
    if (b.watermark !== undefined && b.watermark > st.getWatermark.get()!) {
      st.setWatermark.run(b.watermark);
      collect = true;
    }
    if (collect) st.collectAccepted.run();
    if (b.dropPromisesBelow !== undefined) st.dropPromisesBelow.run(b.dropPromisesBelow);
  }

  private putSnapshot(s: Snapshot): void {
    this.st.clearChunks.run();
    chunksOf(s.data, this.opts.snapshotChunkBytes).forEach((c, i) => this.st.putChunk.run(i, c));
    this.st.putSnapshot.run(s.slot, s.data.length);
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

function openWal(path: string): { fd: number; identity: WalIdentity } {
  const fd = openSync(path, 'r');
  return { fd, identity: identify(fd) };
}
