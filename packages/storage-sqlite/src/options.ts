/**
 * Options of `openSqliteStorage`, with their defaults and checks.
 */
import { InvalidStorageOptionsError } from './errors.js';

/**
 * How hard each write is pushed to the disk before `write` resolves.
 *
 * - `full` (the default): every batch is on the disk before the node acknowledges anything that
 *   depends on it: WAL with `synchronous=FULL` (on macOS with F_FULLFSYNC), or with `io: 'split'`
 *   `synchronous=NORMAL` and the store's own fdatasync of the WAL after each commit. A promise or vote
 *   survives a process crash, a kernel panic and a power cut. This is what Paxos needs: an
 *   acceptor that forgets a vote after a power cut can let two values be chosen.
 * - `normal-unsafe`: WAL with `synchronous=NORMAL`: commits are not fsynced (only checkpoints
 *   are). Survives a process crash, but a power cut or an OS crash may lose the last batches,
 *   and with them promises and votes already sent: safety is lost. Several times faster on slow
 *   disks. Only for throwaway logs, tests and benchmarks.
 */
export type Durability = 'full' | 'normal-unsafe';

/**
 * Which thread owns the connection and runs each transaction and its fsync.
 *
 * - `inline` (the default outside Linux): the caller's thread (better-sqlite3 is synchronous):
 *   each commit blocks the event loop for its fsync.
 * - `split` (the default on Linux): the transaction on the caller's thread, its fsync on libuv's
 *   thread pool (io/split-io.ts; as durable as `inline`): the event loop is free while the disk
 *   syncs, without a thread hand-off of each batch. Linux only; elsewhere it means `inline`.
 * - `worker`: a worker thread, so the event loop never blocks on the disk: a peer keeps
 *   receiving and sending while it syncs, and writes issued meanwhile are committed together.
 *   Each write then costs two thread hand-offs, which a busy machine makes slow.
 *
 * Why `split` by default: the pipelined runtime keeps turning while its writes are in flight,
 * and a leader whose loop is blocked in its own fsync reads its followers' P2b only after it.
 * In 7 alternating cluster passes of each on 2026-12-04 (2 cores, load 5–14, issue 13's
 * latency note) `split` had a median C=1 p50 of 2.80 ms (2.59–3.92) against `inline`'s 4.78
 * (2.34–8.31), and committed a median 19.6k cmd/s at C=256 against 15.1k. `worker` pays two
 * thread hand-offs per write, which a busy machine makes slow (on 2026-12-03 `inline` committed
 * 1.1–3.6x its commands). Compare: `npm run bench -- cluster --io split,inline,worker`.
 */
export type StorageIo = 'worker' | 'inline' | 'split';

export interface SqliteStorageOptions {
  /**
   * The id of the log this file belongs to. A new file records it; an existing file with
   * another log id is refused (LogIdMismatchError); an existing file with none records it.
   * Omit it only in tools that inspect any file; the store's `logId` tells what was found.
   */
  logId?: string;
  /** Default `full`. See Durability. */
  durability?: Durability;
  /** Default `split` on Linux, `inline` elsewhere (DEFAULT_IO). See StorageIo. */
  io?: StorageIo;
  /**
   * Path to a better_sqlite3.node built for another runtime (Electron's ABI), passed to
   * better-sqlite3's constructor.
   */
  nativeBinding?: string;
  /** Snapshots are stored in chunks of this many bytes. Default 1 MiB. */
  snapshotChunkBytes?: number;
  /**
   * A quota: writes that would grow the database past this size fail (as on a full disk),
   * and the store fails closed. Default: no quota beyond the disk.
   */
  maxDatabaseBytes?: number;
  /**
   * How long to wait for another connection to release the file at open, in ms. Default 0:
   * a second opener is refused at once with StorageLockedError.
   */
  lockTimeoutMs?: number;
  /**
   * The most memory SQLite's page cache of this file may hold. Default 2 MiB (SQLite's own
   * default; better-sqlite3 compiles in 16 MB). See DEFAULT_PAGE_CACHE_BYTES.
   */
  pageCacheBytes?: number;
}

export interface ResolvedOptions {
  readonly logId: string | undefined;
  readonly durability: Durability;
  readonly io: StorageIo;
  readonly nativeBinding: string | undefined;
  readonly snapshotChunkBytes: number;
  readonly maxDatabaseBytes: number | undefined;
  readonly lockTimeoutMs: number;
  readonly pageCacheBytes: number;
}

export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/**
 * SQLite's page cache bound. The store appends and reads back only at open and for catch-up,
 * so a large cache holds pages nobody reads again: with better-sqlite3's compiled-in 16 MB,
 * the cache of a peer at C=1024 (100 KB batches) filled to 16 MB and stayed resident. 2 MiB,
 * SQLite's own default, keeps the b-tree's inner pages; the rest comes from the OS's file cache.
 */
export const DEFAULT_PAGE_CACHE_BYTES = 2 * 1024 * 1024;

/** See StorageIo; `npm run bench -- cluster --io split,inline,worker` compares them. */
export const DEFAULT_IO: StorageIo = process.platform === 'linux' ? 'split' : 'inline';

/** Every option there is: any other key is a typo that would silently change nothing. */
const OPTION_KEYS: ReadonlySet<string> = new Set<keyof SqliteStorageOptions>([
  'logId',
  'durability',
  'io',
  'nativeBinding',
  'snapshotChunkBytes',
  'maxDatabaseBytes',
  'lockTimeoutMs',
  'pageCacheBytes',
]);

export function resolveOptions(path: string, o: SqliteStorageOptions = {}): ResolvedOptions {
  // SQLite takes '' for a private temporary database: a store that forgets on close.
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidStorageOptionsError(String(path), 'the path must be a non-empty string');
  }
  if (typeof o !== 'object' || o === null) {
    throw new InvalidStorageOptionsError(path, 'the options must be an object');
  }
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidStorageOptionsError(path, `unknown option ${key}`);
  }
  const durability = o.durability ?? 'full';
  if (durability !== 'full' && durability !== 'normal-unsafe') {
    throw new InvalidStorageOptionsError(path, `unknown durability ${String(durability)}`);
  }
  const io = o.io ?? DEFAULT_IO;
  if (io !== 'worker' && io !== 'inline' && io !== 'split') {
    throw new InvalidStorageOptionsError(
      path,
      `io must be 'worker', 'inline' or 'split', got ${String(io)}`,
    );
  }
  const chunk = o.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
  if (!Number.isInteger(chunk) || chunk < 1024 || chunk > 256 * 1024 * 1024) {
    throw new InvalidStorageOptionsError(
      path,
      `snapshotChunkBytes must be an integer in [1024, 256 MiB], got ${chunk}`,
    );
  }
  const max = o.maxDatabaseBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 64 * 1024)) {
    throw new InvalidStorageOptionsError(path, `maxDatabaseBytes must be an integer >= 64 KiB`);
  }
  const lock = o.lockTimeoutMs ?? 0;
  if (!Number.isInteger(lock) || lock < 0) {
    throw new InvalidStorageOptionsError(path, `lockTimeoutMs must be an integer >= 0`);
  }
  const cache = o.pageCacheBytes ?? DEFAULT_PAGE_CACHE_BYTES;
  if (!Number.isInteger(cache) || cache < 64 * 1024 || cache > 1024 * 1024 * 1024) {
    throw new InvalidStorageOptionsError(
      path,
      `pageCacheBytes must be an integer in [64 KiB, 1 GiB], got ${cache}`,
    );
  }
  if (o.logId !== undefined && (typeof o.logId !== 'string' || o.logId.length === 0)) {
    throw new InvalidStorageOptionsError(path, 'logId must be a non-empty string');
  }
  return {
    logId: o.logId,
    durability,
    // The split io syncs with fdatasync, which is not macOS's F_FULLFSYNC; and with durability
    // normal-unsafe there is no sync to move off the loop.
    io: io === 'split' && (process.platform !== 'linux' || durability !== 'full') ? 'inline' : io,
    nativeBinding: o.nativeBinding,
    snapshotChunkBytes: chunk,
    maxDatabaseBytes: max,
    lockTimeoutMs: lock,
    pageCacheBytes: cache,
  };
}
