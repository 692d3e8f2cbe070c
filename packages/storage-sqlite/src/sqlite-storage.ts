/**
 * SqliteStorage: core's Storage on one SQLite file per peer (DESIGN.md §5).
 *
 * Each `write(batch)` is made durable in one transaction with the batches issued alongside it
 * (group commit), with MemoryStorage's semantics exactly (sqlite-file.ts). The connection
 * lives on the caller's thread, with its fsync there (`io: 'inline'`) or on libuv's thread pool
 * (`io: 'split'`, the default on Linux), or on a worker thread (`io: 'worker'`), where neither
 * the transaction nor its fsync blocks the caller's event loop (io/).
 *
 * Writes may be issued while earlier ones are in flight: they complete in the order they were
 * issued, and each resolves only once it is durable. Failure is sticky: once a write fails
 * (disk full, I/O error, the file removed), that write and every later one reject with
 * StorageFailedError, in order, so the node stops acknowledging anything; reopening the file
 * (once space or the disk is back) recovers the state as of the last successful write.
 */
import {
  StorageFailedError,
  type Decided,
  type PersistentState,
  type PValue,
  type Storage,
  type StorageBatch,
  type WriteHint,
} from '@synod/core';
import { InlineIo } from './io/inline-io.js';
import { SplitIo } from './io/split-io.js';
import type { StoreIo } from './io/store-io.js';
import { WorkerIo } from './io/worker-io.js';
import { InvalidStorageArgumentError } from './errors.js';
import { resolveOptions, type SqliteStorageOptions } from './options.js';
import type { StorageInfo } from './sqlite-file.js';
import { failedEarlier, type StoreRequest } from './store-runner.js';

export type { StorageInfo } from './sqlite-file.js';

/** Open (creating if needed) the store at `path`. See SqliteStorageOptions and the README. */
export async function openSqliteStorage(
  path: string,
  options: SqliteStorageOptions = {},
): Promise<SqliteStorage> {
  const opts = resolveOptions(path, options);
  const io =
    opts.io === 'worker'
      ? await WorkerIo.open(path, opts)
      : opts.io === 'split'
        ? new SplitIo(path, opts)
        : new InlineIo(path, opts);
  return new SqliteStorage(path, io);
}

export class SqliteStorage implements Storage {
  readonly path: string;
  /** The log id recorded in the file (undefined if it was never given one). */
  readonly logId: string | undefined;
  /** The schema version the file had before this open (0: it was created now). */
  readonly migratedFrom: number;
  private readonly io: StoreIo;
  private failure: Error | undefined;
  private closed = false;
  /** Batches written so far (for tests that count them). */
  writes = 0;

  /** @internal Use openSqliteStorage(). */
  constructor(path: string, io: StoreIo) {
    this.path = path;
    this.io = io;
    this.logId = io.facts.logId;
    this.migratedFrom = io.facts.migratedFrom;
  }

  /** What the file and the connection are set to (for status pages, tools and tests). */
  info(): StorageInfo {
    return { ...this.io.facts.info, pageCount: this.io.pageCount() };
  }

  /** Transactions committed so far: one fsync each; fewer than `writes` when writes overlap. */
  get commits(): number {
    return this.io.commits();
  }

  /** The error that made the store fail closed, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  load(): Promise<PersistentState> {
    return this.request({ op: 'load' }) as Promise<PersistentState>;
  }

  /** `hint.awaited`: see core's WriteHint (only `io: 'split'` uses it, io/split-io.ts). */
  async write(batch: StorageBatch, hint?: WriteHint): Promise<void> {
    await this.request(
      hint?.awaited === true ? { op: 'write', batch, awaited: true } : { op: 'write', batch },
    );
    this.writes++;
  }

  /** Storage.readDecisions: in order with the writes issued before it; never fails the store. */
  readDecisions(from: number, max: number, maxBytes: number): Promise<Decided[]> {
    return this.request({ op: 'readDecisions', from, max, maxBytes }) as Promise<Decided[]>;
  }

  /** Storage.readAccepted: in order with the writes issued before it; never fails the store. */
  readAccepted(from: number, to: number): Promise<PValue[]> {
    return this.request({ op: 'readAccepted', from, to }) as Promise<PValue[]>;
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    checkMetaKey(key);
    return (await this.request({ op: 'getMeta', key })) as Uint8Array | undefined;
  }

  /** Bad arguments are refused before the write is queued: they never fail the store closed. */
  async setMeta(key: string, value: Uint8Array): Promise<void> {
    checkMetaKey(key);
    if (!(value instanceof Uint8Array)) {
      throw new InvalidStorageArgumentError(`setMeta ${key}: the value must be a Uint8Array`);
    }
    await this.request({ op: 'setMeta', key, value });
  }

  /** Closes after every request issued before it has run. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.io.close();
  }

  private async request(r: StoreRequest): Promise<unknown> {
    if (this.closed) throw new StorageFailedError('storage is closed');
    if (this.failure !== undefined) throw failedEarlier(this.failure);
    try {
      return await this.io.submit(r);
    } catch (e) {
      // The runner already failed closed; remember why, so later calls reject at once.
      if ((r.op === 'write' || r.op === 'setMeta') && e instanceof StorageFailedError) {
        this.failure ??= e.cause instanceof Error ? e.cause : e;
      }
      throw e;
    }
  }
}

/** The longest meta key taken (keys are names like `transport.libp2p.identity`). */
export const MAX_META_KEY_LENGTH = 1024;

function checkMetaKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_META_KEY_LENGTH) {
    throw new InvalidStorageArgumentError(
      `a meta key must be a string of 1 to ${MAX_META_KEY_LENGTH} characters`,
    );
  }
}
