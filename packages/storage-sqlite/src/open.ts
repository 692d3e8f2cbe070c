/**
 * Opening a database file: take the lock, recognise the file, check it, migrate it, and only
 * then switch on WAL. Every check runs inside one exclusive transaction, before anything is
 * written, so a refused file is left exactly as it was (never a silent reset), and a file that
 * fails half-way through a migration is rolled back.
 *
 * The lock: `locking_mode=EXCLUSIVE` makes this connection keep its exclusive file lock until it
 * closes, so a second opener (another process, or another connection in this one) is refused
 * with StorageLockedError instead of two peers writing one acceptor's state. The OS drops the
 * lock when the process dies, so a crash never leaves a stale lock behind. (It also keeps WAL's
 * index in heap memory: no -shm file.)
 */
import { closeSync, fchmodSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  CorruptDatabaseError,
  LogIdMismatchError,
  MigrationFailedError,
  NewerSchemaError,
  NotSynodDatabaseError,
  OpenFailedError,
  StorageLockedError,
  StorageOpenError,
} from './errors.js';
import {
  APPLICATION_ID,
  MIGRATIONS,
  SCHEMA_VERSION,
  migrate,
  type Migration,
} from './migrations.js';
import type { ResolvedOptions } from './options.js';
import { prepareStatements, type Statements } from './statements.js';

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The log id recorded in the file (undefined only if none was ever given). */
  readonly logId: string | undefined;
  /** The schema version the file had before opening (0 for a new file). */
  readonly migratedFrom: number;
  /** The file's identity, to notice it being removed or replaced while open. */
  readonly fileId: { readonly dev: number; readonly ino: number };
  /** The store's statements, prepared (which checks the schema against this version's). */
  readonly statements: Statements;
}

const LIBRARY = '@synod/storage-sqlite';

/** The SQLite error code of `e` (e.g. SQLITE_BUSY), if it is one. */
export function sqliteCode(e: unknown): string | undefined {
  return e instanceof Database.SqliteError ? e.code : undefined;
}

function classify(path: string, e: unknown): Error {
  if (e instanceof StorageOpenError) return e;
  const code = sqliteCode(e) ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageLockedError(path, { cause: e });
  }
  if (code === 'SQLITE_NOTADB')
    return new NotSynodDatabaseError(path, 'not an SQLite file', { cause: e });
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new CorruptDatabaseError(path, [String((e as Error).message)], { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new OpenFailedError(path, code === '' ? message : `${code}: ${message}`, { cause: e });
}

/**
 * Create `path` empty and readable by its owner alone (0600, whatever the umask), unless it
 * exists: the file holds the log and, for @synod/peer, the private key (docs/security.md), and
 * it may live in a directory that others can list. SQLite then opens it as a new database and
 * gives the WAL it creates the same mode. An existing file keeps the mode its owner gave it.
 */
function createOwnerOnly(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/**
 * Open (creating if needed) the database at `path`. `migrations` is a parameter only so that
 * tests can open with a shorter or a failing history.
 */
export function openDatabase(
  path: string,
  opts: ResolvedOptions,
  migrations: readonly Migration[] = MIGRATIONS,
): OpenedDatabase {
  const current = migrations[migrations.length - 1]?.version ?? SCHEMA_VERSION;
  let db: Database.Database;
  try {
    createOwnerOnly(path);
    db = new Database(path, {
      timeout: opts.lockTimeoutMs,
      ...(opts.nativeBinding !== undefined ? { nativeBinding: opts.nativeBinding } : {}),
    });
  } catch (e) {
    throw classify(path, e);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The schema is ours; never run SQL functions a crafted file's schema might name.
    db.pragma('trusted_schema = OFF');
    const { logId, migratedFrom } = inspectAndMigrate(db, path, opts, migrations, current);
    // A schema damaged in place (its text on page 1 overwritten) passes quick_check; preparing
    // the statements is what notices it. Before WAL, so a refused file is left as it was.
    let statements: Statements;
    try {
      statements = prepareStatements(db);
    } catch (e) {
      throw new CorruptDatabaseError(
        path,
        [`the schema does not match this version's: ${e instanceof Error ? e.message : String(e)}`],
        { cause: e },
      );
    }
    // A WAL left by an earlier run (a file created by this open, or left half-created by a
    // crash, is in rollback mode until the switch below: it has none).
    const hadWal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    // Only now, with the file known to be ours, may its journal mode change.
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode.toLowerCase() !== 'wal') throw new Error(`could not switch to WAL (got ${mode})`);
    applyDurability(db, opts);
    if (hadWal) checkpointAtOpen(db);
    const st = statSync(path);
    return { db, logId, migratedFrom, fileId: { dev: st.dev, ino: st.ino }, statements };
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // The rollback's own failure changes nothing: the original error is the news.
    }
    db.close();
    throw classify(path, e);
  }
}

function inspectAndMigrate(
  db: Database.Database,
  path: string,
  opts: ResolvedOptions,
  migrations: readonly Migration[],
  current: number,
): { logId: string | undefined; migratedFrom: number } {
  db.exec('BEGIN EXCLUSIVE');
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  const fresh = appId === 0 && version === 0 && objects === 0;
  if (!fresh) {
    if (appId !== APPLICATION_ID) {
      throw new NotSynodDatabaseError(
        path,
        appId === 0
          ? 'an SQLite database without the Synod application id'
          : `an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16)})`,
      );
    }
    const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    const bad = problems.map((r) => r.quick_check).filter((m) => m !== 'ok');
    if (bad.length > 0) throw new CorruptDatabaseError(path, bad);
    if (version > current) throw new NewerSchemaError(path, version, current);
    if (version < 1)
      throw new CorruptDatabaseError(path, ['Synod database without a schema version']);
  }
  const found = fresh
    ? undefined
    : (db.prepare("SELECT value FROM peer_info WHERE key = 'log_id'").pluck().get() as
        string | undefined);
  if (found !== undefined && opts.logId !== undefined && found !== opts.logId) {
    throw new LogIdMismatchError(path, opts.logId, found);
  }
  if (version < current) {
    try {
      migrate(db, version, migrations, { snapshotChunkBytes: opts.snapshotChunkBytes });
    } catch (e) {
      throw fresh ? e : new MigrationFailedError(path, version, current, { cause: e });
    }
  }
  if (fresh) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    const info = db.prepare('INSERT INTO peer_info (key, value) VALUES (?, ?)');
    info.run('created_at', new Date().toISOString());
    info.run('created_by', LIBRARY);
  }
  const logId = found ?? opts.logId;
  if (found === undefined && opts.logId !== undefined) {
    db.prepare("INSERT INTO peer_info (key, value) VALUES ('log_id', ?)").run(opts.logId);
  }
  db.exec('COMMIT');
  return { logId, migratedFrom: version };
}

/**
 * Copy what the WAL holds into the database file, synced, before anything is read from it. A
 * run that crashed may have left commits in the WAL that read back but are not on the disk: after
 * a failed fsync (EIO: the disk failed a write-back), Linux keeps the pages it could not write,
 * clean, and no later fsync writes them (PostgreSQL's "fsyncgate", 2018). That run failed closed
 * and acknowledged none of them; but this one would load them, act on them as durable, and
 * append after them, and a power cut would then take them and every later frame of the WAL, the
 * acknowledged ones too (test/failed-sync.test.ts). A checkpoint writes those pages anew, into
 * the database file, and syncs it. After a clean close the WAL is gone and this costs nothing;
 * after a crash it copies at most the WAL once.
 *
 * PASSIVE, not TRUNCATE: the WAL is left in place, and SQLite's next write restarts it as after
 * any complete checkpoint (a new header, synced). With TRUNCATE here the storage power-cut soak
 * found promises and watermarks gone backwards (io inline, 6 lanes: 506 violations in 300 cuts;
 * PASSIVE and no checkpoint: none); why, I did not find.
 */
function checkpointAtOpen(db: Database.Database): void {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  // The lock is exclusive: no reader can hold any frame back.
  if (r === undefined || r.busy !== 0 || r.checkpointed !== r.log)
    throw new Error(`could not checkpoint the WAL at open (${JSON.stringify(r)})`);
}

function applyDurability(db: Database.Database, opts: ResolvedOptions): void {
  // The split io commits without a sync and fdatasyncs the WAL itself (io/split-io.ts).
  const full = opts.durability === 'full' && opts.io !== 'split';
  db.pragma(full ? 'synchronous = FULL' : 'synchronous = NORMAL');
  if (process.platform === 'darwin' && opts.durability === 'full') {
    // macOS's fsync does not flush the drive's cache; F_FULLFSYNC does.
    db.pragma('fullfsync = ON');
    db.pragma('checkpoint_fullfsync = ON');
  }
  // A negative cache_size is in KiB (options.ts, DEFAULT_PAGE_CACHE_BYTES says why it is small).
  db.pragma(`cache_size = -${Math.ceil(opts.pageCacheBytes / 1024)}`);
  // A 20 MB snapshot passes through the WAL; give the space back after checkpoints.
  db.pragma('journal_size_limit = 67108864');
  if (opts.maxDatabaseBytes !== undefined) {
    const page = db.pragma('page_size', { simple: true }) as number;
    const pages = Math.max(1, Math.floor(opts.maxDatabaseBytes / page));
    // SQLite never sets the limit below the current size: a file already past the quota
    // opens, and its next growth fails.
    db.pragma(`max_page_count = ${pages}`);
  }
}
