import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import {
  APPLICATION_ID,
  DEFAULT_IO,
  DEFAULT_PAGE_CACHE_BYTES,
  CorruptDatabaseError,
  InvalidStorageOptionsError,
  LogIdMismatchError,
  NewerSchemaError,
  NotSynodDatabaseError,
  OpenFailedError,
  openSqliteStorage,
  SCHEMA_VERSION,
  StorageLockedError,
  StorageOpenError,
  type SqliteStorageOptions,
} from '../src/index.js';
import { MigrationFailedError } from '../src/errors.js';
import { MIGRATIONS } from '../src/migrations.js';
import { openDatabase } from '../src/open.js';
import { resolveOptions } from '../src/options.js';
import { bytes, fingerprint, rejectionOf } from './helpers.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function makeStore(path: string, opts: SqliteStorageOptions = { logId: 'log-a' }) {
  const s = await openSqliteStorage(path, opts);
  await s.write({
    incarnation: 1,
    promises: [{ config: 0, ballot: { round: 2, leader: 'p' } }],
    accepted: [{ config: 0, ballot: { round: 2, leader: 'p' }, slot: 1, value: bytes(10) }],
    decisions: [{ slot: 1, value: bytes(20) }],
    snapshot: { slot: 0, data: bytes(100) },
  });
  await s.close();
}

/** Opening `path` is refused with `type`, and the file is left byte for byte as it was. */
async function expectRefused(
  path: string,
  type: new (...args: never[]) => StorageOpenError,
  code: string,
  opts: SqliteStorageOptions = { logId: 'log-a' },
) {
  const before = fingerprint(path);
  const err = await rejectionOf(openSqliteStorage(path, opts));
  expect(err).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(StorageOpenError);
  expect(err.code).toBe(code);
  expect(fingerprint(path)).toBe(before);
  return err;
}

describe('opening a new file', () => {
  it('creates the schema, records the log id, and runs WAL with synchronous=FULL (NORMAL when the split io syncs the WAL itself)', async () => {
    const path = tmp.file();
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect(s.migratedFrom).toBe(0);
    expect(s.logId).toBe('log-a');
    const info = s.info();
    expect(info).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      journalMode: 'wal',
      synchronous: DEFAULT_IO === 'split' ? 'normal' : 'full',
      lockingMode: 'exclusive',
      durability: 'full',
    });
    const inline = await openSqliteStorage(tmp.file(), { io: 'inline' });
    expect(inline.info()).toMatchObject({ io: 'inline', synchronous: 'full' });
    await inline.close();
    await s.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT value FROM peer_info WHERE key = 'log_id'").pluck().get()).toBe(
      'log-a',
    );
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'accepted',
      'decided_pvalues',
      'decisions',
      'meta',
      'node_state',
      'peer_info',
      'peer_stores',
      'promises',
      'replica_progress',
      'snapshot',
      'snapshot_chunks',
    ]);
    db.close();
  });

  it('runs synchronous=NORMAL only when asked for by name', async () => {
    const s = await openSqliteStorage(tmp.file(), { durability: 'normal-unsafe' });
    expect(s.info()).toMatchObject({ synchronous: 'normal', durability: 'normal-unsafe' });
    await s.close();
  });

  it('creates a new file and its WAL owner-only (0600), whatever the umask; an existing file keeps its mode', async () => {
    // The file holds the log and, for @synod/peer, the private key (docs/security.md): another
    // user must not read it, even in a directory that others may list.
    const old = process.umask(0o022);
    try {
      const path = tmp.file();
      await makeStore(path);
      const s = await openSqliteStorage(path, { logId: 'log-a' });
      await s.write({ seq: 2 });
      for (const f of [path, `${path}-wal`])
        expect(f + ' ' + (statSync(f).mode & 0o777).toString(8)).toBe(f + ' 600');
      await s.close();
      const shared = tmp.file();
      writeFileSync(shared, '');
      chmodSync(shared, 0o640);
      await (await openSqliteStorage(shared)).close();
      expect((statSync(shared).mode & 0o777).toString(8)).toBe('640');
    } finally {
      process.umask(old);
    }
  });

  it('reports a path it cannot open with OpenFailedError', async () => {
    const err = await rejectionOf(openSqliteStorage(join(tmp.dir, 'no', 'such', 'dir', 'x.db')));
    expect(err).toBeInstanceOf(OpenFailedError);
    expect(err.code).toBe('storage-open-failed');
  });

  it('bounds the page cache at 2 MiB unless told otherwise', async () => {
    const a = await openSqliteStorage(tmp.file());
    expect(a.info().pageCacheBytes).toBe(DEFAULT_PAGE_CACHE_BYTES);
    await a.close();
    const b = await openSqliteStorage(tmp.file(), { pageCacheBytes: 8 << 20 });
    expect(b.info().pageCacheBytes).toBe(8 << 20);
    await b.close();
    const err = await rejectionOf(openSqliteStorage(tmp.file(), { pageCacheBytes: 1000 }));
    expect(err).toBeInstanceOf(InvalidStorageOptionsError);
  });

  it('rejects invalid options', async () => {
    const err = await rejectionOf(
      openSqliteStorage(tmp.file(), { durability: 'off' as 'full', logId: 'x' }),
    );
    expect(err).toBeInstanceOf(InvalidStorageOptionsError);
    expect(err.code).toBe('storage-invalid-options');
  });

  it('rejects an unknown option (a typo) and an empty path, creating nothing', async () => {
    const path = tmp.file();
    const typo = { logId: 'x', durabilty: 'normal-unsafe' } as SqliteStorageOptions;
    const err = await rejectionOf(openSqliteStorage(path, typo));
    expect(err).toBeInstanceOf(InvalidStorageOptionsError);
    expect(err.message).toContain('unknown option durabilty');
    expect(existsSync(path)).toBe(false);
    // SQLite would open '' as a private temporary database, forgotten on close.
    const empty = await rejectionOf(openSqliteStorage('', { logId: 'x' }));
    expect(empty).toBeInstanceOf(InvalidStorageOptionsError);
    expect(empty.code).toBe('storage-invalid-options');
  });
});

describe('opening an existing file', () => {
  it('reopens its own file with everything in it', async () => {
    const path = tmp.file();
    await makeStore(path);
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect(s.migratedFrom).toBe(SCHEMA_VERSION);
    const st = await s.load();
    expect(st.incarnation).toBe(1);
    expect(st.decisions.map((d) => d.slot)).toEqual([1]);
    await s.close();
  });

  it('refuses a file of another log, changing nothing', async () => {
    const path = tmp.file();
    await makeStore(path);
    const err = await expectRefused(path, LogIdMismatchError, 'storage-log-mismatch', {
      logId: 'log-b',
    });
    expect(err).toMatchObject({ expected: 'log-b', found: 'log-a' });
  });

  it('binds a file without a log id to the first one given', async () => {
    const path = tmp.file();
    await makeStore(path, {});
    const s = await openSqliteStorage(path);
    expect(s.logId).toBeUndefined();
    await s.close();
    const s2 = await openSqliteStorage(path, { logId: 'log-c' });
    expect(s2.logId).toBe('log-c');
    await s2.close();
    await expectRefused(path, LogIdMismatchError, 'storage-log-mismatch', { logId: 'log-d' });
    const s3 = await openSqliteStorage(path);
    expect(s3.logId).toBe('log-c');
    await s3.close();
  });

  it('refuses a file of a newer schema, changing nothing', async () => {
    const path = tmp.file();
    await makeStore(path);
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const err = await expectRefused(path, NewerSchemaError, 'storage-newer-schema');
    expect(err).toMatchObject({ found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
  });

  it('refuses another SQLite database, changing nothing', async () => {
    const path = tmp.file();
    const db = new Database(path);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('hello');
    db.close();
    await expectRefused(path, NotSynodDatabaseError, 'storage-not-synod');
    const db2 = new Database(path);
    db2.pragma('application_id = 1234');
    db2.close();
    await expectRefused(path, NotSynodDatabaseError, 'storage-not-synod');
  });

  it('refuses a file that is not SQLite at all, changing nothing', async () => {
    const path = tmp.file();
    writeFileSync(path, randomBytes(10_000));
    await expectRefused(path, NotSynodDatabaseError, 'storage-not-synod');
    const small = tmp.file();
    writeFileSync(small, 'just some text\n');
    await expectRefused(small, NotSynodDatabaseError, 'storage-not-synod');
  });

  it('refuses a file that fails PRAGMA quick_check, changing nothing', async () => {
    const path = tmp.file();
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    const value = bytes(200, 1);
    for (let i = 0; i < 20; i++) {
      await s.write({
        decisions: Array.from({ length: 50 }, (_, j) => ({ slot: i * 50 + j + 1, value })),
      });
    }
    await s.close();
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    // Scribble over a page in the middle of the decisions table.
    const fd = openSync(path, 'r+');
    writeSync(
      fd,
      Buffer.alloc(pageSize / 2, 0xa5),
      0,
      pageSize / 2,
      Math.floor(pages / 2) * pageSize + 8,
    );
    closeSync(fd);
    const err = await expectRefused(path, CorruptDatabaseError, 'storage-corrupt');
    expect((err as CorruptDatabaseError).problems.length).toBeGreaterThan(0);
  });
});

describe('a crash while creating files', () => {
  it('never leaves a file that does not open', async () => {
    const dir = tmp.file('creating');
    mkdirSync(dir);
    const url = new URL('../dist/index.js', import.meta.url).href;
    // A child creates stores one after another until it is killed, at a random moment once it
    // has created its first (with `io: 'worker'` a store opens in tens of ms: its thread starts).
    for (let round = 0; round < 8; round++) {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { openSqliteStorage } = await import(${JSON.stringify(url)});
           for (let i = 0; ; i++) {
             const s = await openSqliteStorage(${JSON.stringify(dir)} + '/r${round}-' + i + '.db', { logId: 'c' });
             await s.write({ incarnation: 1 });
             await s.close();
             if (i === 0) console.log('created');
           }`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise((resolve) => child.stdout.once('data', resolve));
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 100));
      child.kill('SIGKILL');
      await exited;
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.db'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const s = await openSqliteStorage(join(dir, f), { logId: 'c' });
      const st = await s.load();
      expect([0, 1]).toContain(st.incarnation);
      await s.close();
    }
  }, 60_000);
});

describe('one opener at a time', () => {
  it('refuses a second connection in the same process until the first closes', async () => {
    const path = tmp.file();
    const a = await openSqliteStorage(path, { logId: 'log-a' });
    const err = await rejectionOf(openSqliteStorage(path, { logId: 'log-a' }));
    expect(err).toBeInstanceOf(StorageLockedError);
    expect(err.code).toBe('storage-locked');
    await a.write({ incarnation: 5 });
    await a.close();
    const b = await openSqliteStorage(path, { logId: 'log-a' });
    expect((await b.load()).incarnation).toBe(5);
    await b.close();
  });

  it('refuses while another process holds the file, and a killed holder leaves no stale lock', async () => {
    const path = tmp.file();
    await makeStore(path);
    const url = new URL('../dist/index.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openSqliteStorage } = await import(${JSON.stringify(url)});
         await openSqliteStorage(${JSON.stringify(path)}, { logId: 'log-a' });
         console.log('open'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('open')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    });
    const err = await rejectionOf(openSqliteStorage(path, { logId: 'log-a' }));
    expect(err).toBeInstanceOf(StorageLockedError);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect((await s.load()).incarnation).toBe(1);
    await s.close();
  });
});

describe('migrations', () => {
  it('migrates a version-1 file (snapshot in one blob) to the current schema', async () => {
    const path = tmp.file();
    // The fixture: a file exactly as version 1 of this package wrote it.
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN');
    MIGRATIONS[0]!.up(db, { snapshotChunkBytes: 1 << 20 });
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO peer_info VALUES ('log_id', 'log-a')").run();
    db.prepare('UPDATE node_state SET incarnation = 4, watermark = 3').run();
    db.prepare("INSERT INTO promises VALUES (0, 7, 'p')").run();
    db.prepare("INSERT INTO accepted VALUES (3, 0, 7, 'p', ?)").run(Buffer.from([3, 3]));
    db.prepare('INSERT INTO decisions VALUES (11, ?)').run(Buffer.from([11]));
    const snap = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    db.prepare('INSERT INTO snapshot VALUES (1, 10, ?)').run(snap);
    db.prepare("INSERT INTO meta VALUES ('identity', ?)").run(Buffer.from([1, 2, 3]));
    db.exec('COMMIT');
    db.close();

    const s = await openSqliteStorage(path, { logId: 'log-a', snapshotChunkBytes: 4096 });
    expect(s.migratedFrom).toBe(1);
    expect(s.info().schemaVersion).toBe(SCHEMA_VERSION);
    const st = await s.load();
    expect(st).toMatchObject({
      incarnation: 4,
      watermark: 3,
      promises: [{ config: 0, ballot: { round: 7, leader: 'p' } }],
    });
    expect(st.accepted.map((p) => [p.slot, [...p.value]])).toEqual([[3, [3, 3]]]);
    expect(st.decisions.map((d) => [d.slot, [...d.value]])).toEqual([[11, [11]]]);
    expect(st.snapshot?.slot).toBe(10);
    expect(Buffer.from(st.snapshot!.data).equals(snap)).toBe(true);
    expect([...((await s.getMeta('identity')) ?? [])]).toEqual([1, 2, 3]);
    await s.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM snapshot_chunks').pluck().get()).toBe(3);
    raw.close();
    const again = await openSqliteStorage(path, { logId: 'log-a' });
    expect(again.migratedFrom).toBe(SCHEMA_VERSION);
    await again.close();
  });

  it('migrates a version-2 file to version 3: seq 0, not rolled back, nothing known of others', async () => {
    const path = tmp.file();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN');
    MIGRATIONS[0]!.up(db, { snapshotChunkBytes: 1 << 20 });
    MIGRATIONS[1]!.up(db, { snapshotChunkBytes: 1 << 20 });
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 2');
    db.prepare("INSERT INTO peer_info VALUES ('log_id', 'log-a')").run();
    db.prepare('UPDATE node_state SET incarnation = 5, watermark = 2').run();
    db.exec('COMMIT');
    db.close();

    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect(s.migratedFrom).toBe(2);
    const st = await s.load();
    expect(st).toMatchObject({ incarnation: 5, watermark: 2, seq: 0, peerStores: [] });
    expect(st.amnesia).toBeUndefined();
    await s.write({
      seq: 1,
      amnesia: 'rolled back',
      peerStores: [{ peer: 'b', run: 1, start: 0, seq: 4 }],
    });
    await s.close();
    const again = await openSqliteStorage(path, { logId: 'log-a' });
    expect(await again.load()).toMatchObject({
      seq: 1,
      amnesia: 'rolled back',
      peerStores: [{ peer: 'b', run: 1, start: 0, seq: 4 }],
    });
    await again.close();
  });

  it('migrates a version-3 file to version 4: its decisions stay; a decision from the accepted pvalue is then stored once', async () => {
    const path = tmp.file();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN');
    for (const m of MIGRATIONS.slice(0, 3)) m.up(db, { snapshotChunkBytes: 1 << 20 });
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 3');
    db.prepare("INSERT INTO peer_info VALUES ('log_id', 'log-a')").run();
    db.prepare('INSERT INTO snapshot VALUES (1, 0, 0)').run();
    db.prepare("INSERT INTO accepted VALUES (1, 0, 7, 'p', ?)").run(Buffer.from([1]));
    db.prepare("INSERT INTO accepted VALUES (2, 0, 7, 'p', ?)").run(Buffer.from([2, 2]));
    db.prepare('INSERT INTO decisions VALUES (1, ?)').run(Buffer.from([1]));
    db.exec('COMMIT');
    db.close();

    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect(s.migratedFrom).toBe(3);
    expect((await s.load()).decisions.map((d) => d.slot)).toEqual([1]);
    await s.write({ decidedAccepted: [2] });
    await s.close();
    const raw = new Database(path, { readonly: true });
    // Slot 2's value is in its accepted row only, and tools still see it decided.
    expect(raw.prepare('SELECT count(*) FROM decisions').pluck().get()).toBe(1);
    expect(raw.prepare('SELECT slot_out FROM replica_progress').pluck().get()).toBe(3);
    raw.close();
    const again = await openSqliteStorage(path, { logId: 'log-a' });
    const st = await again.load();
    expect(st.decisions.map((d) => [d.slot, [...d.value]])).toEqual([
      [1, [1]],
      [2, [2, 2]],
    ]);
    expect(st.accepted.map((p) => p.slot)).toEqual([1, 2]);
    await again.close();
  });

  it('rolls a failing migration back, leaving the file as it was', async () => {
    const path = tmp.file();
    await makeStore(path);
    const before = fingerprint(path);
    const failing = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        description: 'a migration that fails half-way',
        up(db: Database.Database) {
          db.exec('CREATE TABLE half_done (x INTEGER) STRICT; DELETE FROM decisions;');
          throw new Error('boom');
        },
      },
    ];
    const err = await rejectionOf(
      Promise.resolve().then(() =>
        openDatabase(path, resolveOptions(path, { logId: 'log-a' }), failing),
      ),
    );
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect(err.code).toBe('storage-migration-failed');
    expect(fingerprint(path)).toBe(before);
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    expect((await s.load()).decisions).toHaveLength(1);
    await s.close();
  });

  it('keeps a replica_progress view of slot_out for tools', async () => {
    const path = tmp.file();
    const s = await openSqliteStorage(path);
    const v = bytes(1);
    await s.write({
      snapshot: { slot: 4, data: v },
      decisions: [5, 6, 7, 9].map((slot) => ({ slot, value: v })),
    });
    await s.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT snapshot_slot, slot_out FROM replica_progress').get()).toEqual({
      snapshot_slot: 4,
      slot_out: 8,
    });
    db.close();
  });
});
