/**
 * The transaction on the caller's thread, its fsync on libuv's thread pool (`io: 'split'`, the
 * default on Linux). A commit's CPU work is short (tens of µs); its fsync is most of a write's
 * time (a quarter to several ms on a shared disk). Inline, that fsync blocks the event loop: a
 * leader that has sent its P2a and started its own write cannot read the followers' P2b until
 * its fsync ends, so the slower of the two fsyncs decides the latency. Here the loop stays free
 * while the disk syncs (as with `io: 'worker'`), without a thread hand-off of the batch.
 *
 * How it stays as durable as `synchronous=FULL` (each `write` resolves only once its commit is
 * on the disk): the connection runs with `synchronous=NORMAL`, so SQLite commits a transaction
 * by appending its frames to the WAL with write(2) and no fsync; a commit is durable once the
 * WAL's data is, and fdatasync(2) of the WAL (on a descriptor of our own: fsync is per file, not
 * per descriptor) makes it so. A write resolves only after an fdatasync that started after its
 * commit returned. What SQLite still syncs itself in NORMAL mode stays as it was: the WAL before
 * a checkpoint copies it into the database, the database after, and the WAL's header when the
 * WAL is reused (sqlite.org/pragma.html#pragma_synchronous). The WAL's directory entry is synced
 * once, when we first open the WAL: SQLite syncs a new WAL's directory at the WAL's first sync of
 * its own, which in NORMAL mode comes only at the first checkpoint. Only on Linux: elsewhere
 * (macOS needs F_FULLFSYNC, which fdatasync is not) the option falls back to `inline`.
 *
 * Order and failure: requests run in the order issued (store-runner.ts); each resolves in that
 * order, a read behind a write waiting for the write's sync. One fdatasync at a time covers every
 * commit made before it started (group commit at the disk). A failed fdatasync fails the store
 * closed: the writes it covered and every later request reject, as a failed commit does.
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResolvedOptions } from '../options.js';
import { SqliteFile } from '../sqlite-file.js';
import {
  StoreRunner,
  type StoreOutcome,
  type StoreRequest,
  type StoreValue,
} from '../store-runner.js';
import { identify, isStill, walReplacedError, type WalIdentity } from '../wal-identity.js';
import type { StoreIo } from './store-io.js';

/**
 * An awaited write syncs on the caller's thread only while syncs are this quick: the last one
 * took less. A disk that stalls (hundreds of ms on a busy machine) then blocks the event loop
 * once, not at every write: heartbeats and acks keep flowing while the pool waits for it.
 */
const BLOCK_SYNC_BELOW_MS = 20;

interface Waiting {
  readonly request: StoreRequest;
  resolve(v: StoreValue): void;
  reject(e: Error): void;
}

/** A request that has run, waiting for the fsync of its commit (or of a commit before it). */
interface Ran {
  readonly waiting: Waiting;
  readonly outcome: StoreOutcome;
}

export class SplitIo implements StoreIo {
  private readonly file: SqliteFile;
  private readonly runner: StoreRunner;
  private readonly walPath: string;
  private queue: Waiting[] = [];
  private scheduled = false;
  /** Run, not yet settled: waiting for a sync (theirs or an earlier write's), in order. */
  private ran: Ran[] = [];
  /** How many of `ran` the next fdatasync will cover: those committed before it starts. */
  private committed = 0;
  private syncing = false;
  /** How long the last sync took, ms (from its start to its settling here). */
  private lastSyncMs = 0;
  /** The WAL, opened after the first commit, and how to tell it is still the file at its path. */
  private wal: { fd: number; identity: WalIdentity } | undefined;

  /** Opens the file at once; throws its typed errors. */
  constructor(path: string, opts: ResolvedOptions) {
    this.file = new SqliteFile(path, opts);
    this.runner = new StoreRunner(this.file);
    this.walPath = this.file.walPath;
    // Our descriptor of the WAL, taken now: SQLite opened the WAL at the open's first read, so
    // the file at its path is now the one SQLite writes; at the first commit it may not be.
    try {
      this.walFd();
    } catch (e) {
      this.file.close();
      throw e;
    }
  }

  get facts() {
    return this.file.facts;
  }

  submit(request: StoreRequest): Promise<StoreValue> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.kick();
    });
  }

  /**
   * Flush the queue in a microtask, once the caller's synchronous work is done: the writes of
   * one runtime turn share a commit, and what the caller queued before a write reaches the
   * sockets first (the transport flushes its frames in a microtask queued at send, ahead of
   * this one: a leader's P2a leaves before its own commit). Not at the next turn of the event
   * loop (setImmediate, as InlineIo does): that hop only delayed the commit, by a poll of the
   * loop and whatever it found (issue 13, C=1: a follower's write waited for it after its turn).
   */
  private kick(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  pageCount(): number {
    return this.runner.isClosed ? NaN : this.file.pageCount();
  }

  commits(): number {
    return this.runner.commits;
  }

  async close(): Promise<void> {
    await this.submit({ op: 'close' });
  }

  private flush(): void {
    this.scheduled = false;
    // A close waits until every commit before it is synced (then it runs alone).
    if (this.ran.length > 0 && this.queue[0]?.request.op === 'close') return;
    const cut = this.queue.findIndex((w) => w.request.op === 'close');
    const waiting = cut <= 0 ? this.queue : this.queue.slice(0, cut);
    this.queue = cut <= 0 ? [] : this.queue.slice(cut);
    const outcomes = this.runner.run(waiting.map((w) => w.request));
    let wrote = false;
    let awaited = false;
    waiting.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok && (w.request.op === 'write' || w.request.op === 'setMeta')) wrote = true;
      if (w.request.op === 'write' && w.request.awaited === true) awaited = true;
      this.ran.push({ waiting: w, outcome: o });
    });
    if (wrote) {
      this.committed = this.ran.length;
      if (awaited && !this.syncing && this.lastSyncMs < BLOCK_SYNC_BELOW_MS) this.syncHere();
      else this.sync();
    } else if (!this.syncing) {
      this.settle(this.ran.length);
    }
    if (this.runner.isClosed) this.closeWal();
    else if (!this.syncing) this.kick();
  }

  /** Start one fdatasync of the WAL covering every commit so far, unless one is running. */
  private sync(): void {
    if (this.syncing || this.committed === 0) return;
    const covered = this.committed;
    let fd: number;
    try {
      fd = this.wal?.fd ?? this.walFd();
    } catch (e) {
      this.failSync(e);
      return;
    }
    this.syncing = true;
    let replaced = false;
    const start = performance.now();
    fdatasync(fd, (err) => {
      this.syncing = false;
      this.lastSyncMs = performance.now() - start;
      if (err !== null) {
        this.failSync(err);
        return;
      }
      if (replaced) {
        // SQLite's connection still writes the file we synced, now unreachable by its name: a
        // sync of the file at the path would not make those commits durable.
        this.failSync(walReplacedError());
        return;
      }
      this.committed -= covered;
      this.settle(covered);
      if (this.committed > 0) this.sync();
      else if (this.ran.length > 0) this.settle(this.ran.length);
      // A close held back for the syncs.
      if (!this.syncing) this.kick();
    });
    // Is the descriptor still the WAL at its path? Checked after the commit, before anything it
    // covers settles, as walFd() did before the sync; but while the disk syncs, not before the
    // sync starts: a check is µs of a follower's critical path at C=1 (issue 13).
    replaced = this.walReplaced();
  }

  /** Whether the WAL file at its path is no longer the one our descriptor syncs. */
  private walReplaced(): boolean {
    return this.wal === undefined || !isStill(this.wal.identity, this.wal.fd, this.walPath);
  }

  /**
   * Sync on this thread, blocking it (as `inline` does): for a write the caller waits for with
   * nothing else in flight (core's WriteHint `awaited`: at one command in flight, a follower's
   * accept that its P2b waits for, or the leader's own vote), no sync running, and the last sync
   * quick (BLOCK_SYNC_BELOW_MS). The hand-off to the pool and back costs two thread wake-ups on
   * the critical path, each waiting for a core on a busy machine; what arrives meanwhile waits
   * in the sockets. The same durability: an fdatasync of the WAL after the commit. (Issue 13,
   * paired runs of two clusters at once, load 12-22: C=1 p50 0.47x with the leader's write
   * synced here too, C=256 no worse.)
   */
  private syncHere(): void {
    const start = performance.now();
    try {
      fdatasyncSync(this.walFd());
      this.lastSyncMs = performance.now() - start;
    } catch (e) {
      this.failSync(e);
      return;
    }
    this.committed = 0;
    this.settle(this.ran.length);
  }

  /** Settle the first `n` requests that ran, in order. */
  private settle(n: number): void {
    const done = this.ran.splice(0, n);
    for (const { waiting, outcome } of done) {
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    }
  }

  /**
   * The WAL's descriptor. Opened at open (the constructor), with its directory synced once.
   * SQLite keeps one WAL file while the connection is open, truncating it in place; a WAL
   * removed or replaced under it afterwards (by a tool, a restore) fails the store closed, as
   * SqliteFile does for the database file: SQLite goes on writing the old file, which no sync
   * of ours could then reach.
   */
  private walFd(): number {
    if (this.wal !== undefined) {
      if (this.walReplaced()) throw walReplacedError();
      return this.wal.fd;
    }
    const fd = openSync(this.walPath, 'r');
    this.wal = { fd, identity: identify(fd) };
    const dir = openSync(dirname(this.walPath), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return fd;
  }

  private closeWal(): void {
    if (this.wal === undefined) return;
    try {
      closeSync(this.wal.fd);
    } catch {
      // Already gone.
    }
    this.wal = undefined;
  }

  /** The sync failed: the store fails closed; what waited for it, and everything after, fails. */
  private failSync(e: unknown): void {
    const error = this.runner.failWith(e instanceof Error ? e : new Error(String(e)));
    const all = this.ran.splice(0);
    this.committed = 0;
    for (const { waiting } of all) waiting.reject(error);
    this.kick();
  }
}
