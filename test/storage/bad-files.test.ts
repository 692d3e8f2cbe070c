/**
 * Storage bad input (issue 9), beyond what packages/storage-sqlite/test/open.test.ts covers (a
 * foreign SQLite file, random bytes instead of a database, one scribbled page, a newer schema,
 * another log's file): database files truncated at every kind of point, random bytes written
 * over random places of a real peer's file, and a WAL that belongs to another database. Real
 * files, real SQLite, WALs left by SIGKILLed processes.
 *
 * What must hold: a clear typed error on open (a StorageOpenError with a stable code), never a
 * silent reset, never a wrong answer, the file left as it was. Two gaps are written down here as
 * `it.fails` (they pass while the gap exists, and start failing the day it is closed, which is
 * the signal to turn them into ordinary tests): SQLite keeps no checksum of its pages, so bytes
 * overwritten inside a record are read back as data; and SQLite replays any WAL it finds next
 * to a database, whoever wrote it. See docs/security.md ("Data at rest").
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SynodError, type PersistentState } from '@synod/core';
import { openSqliteStorage, StorageOpenError } from '@synod/storage-sqlite';
import { createLibp2pTransport } from '@synod/transport-libp2p';
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'synod-badfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (name = 'db') => join(dir, `${name}-${++n}.db`);
const WAL_WRITER = fileURLToPath(new URL('./fixtures/wal-writer.mjs', import.meta.url));

const PAGE = 4096;

/** A store with a realistic mix of acceptor and replica state, closed (no WAL left). */
async function makeStore(path: string, logId = 'log-a', fill = 1): Promise<void> {
  const s = await openSqliteStorage(path, { logId });
  for (let i = 0; i < 20; i++) {
    await s.write({
      incarnation: i + 1,
      promises: [{ config: 0, ballot: { round: i, leader: `leader-${fill}` } }],
      accepted: [
        {
          config: 0,
          ballot: { round: i, leader: `leader-${fill}` },
          slot: 5000 + i,
          value: new Uint8Array(40).fill(fill + i),
        },
      ],
      decisions: Array.from({ length: 50 }, (_, j) => ({
        slot: i * 50 + j + 1,
        value: new Uint8Array(200).fill((fill + j) & 0xff),
      })),
      ...(i === 10 ? { snapshot: { slot: 0, data: new Uint8Array(3000).fill(fill) } } : {}),
    });
  }
  await s.setMeta('identity-ish', new Uint8Array([fill, 2, 3]));
  await s.close();
}

function canonical(st: PersistentState): string {
  return JSON.stringify(st, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
  );
}

/** Open and load: the state, or the error (typed or not). */
async function openAndLoad(
  path: string,
  logId = 'log-a',
): Promise<{ ok: true; state: string } | { ok: false; err: Error }> {
  try {
    const s = await openSqliteStorage(path, { logId });
    try {
      return { ok: true, state: canonical(await s.load()) };
    } finally {
      await s.close();
    }
  } catch (err) {
    return { ok: false, err: err as Error };
  }
}

/** The raw error a damaged schema gives today (see the KNOWN BUG below). */
function isSchemaGap(err: Error): boolean {
  return (
    !(err instanceof SynodError) &&
    /no such (column|table)|has no column|malformed database schema/.test(err.message)
  );
}

function fingerprint(path: string): string {
  const h = createHash('sha256');
  for (const p of [path, `${path}-wal`]) {
    h.update(existsSync(p) && statSync(p).size > 0 ? readFileSync(p) : 'absent');
  }
  return h.digest('hex');
}

/** The state a fresh copy of `path` loads. */
async function goodState(path: string): Promise<string> {
  const copy = file('good');
  copyFileSync(path, copy);
  const r = await openAndLoad(copy);
  if (!r.ok) throw r.err;
  return r.state;
}

describe('a truncated database file', () => {
  it('is refused with a typed error wherever it is cut, and left as it was', async () => {
    const path = file();
    await makeStore(path);
    const size = statSync(path).size;
    const original = readFileSync(path);
    const good = await goodState(path);
    // Cut at page boundaries (whole pages lost) and inside pages; the header page included.
    // (A cut inside the last page is the checksum gap below: the missing bytes read as zeros.)
    const cuts = new Set<number>([2, 50, 99, 100, PAGE - 1, PAGE, PAGE + 1, size - PAGE]);
    for (let p = 2; p * PAGE < size; p += 3) cuts.add(p * PAGE);
    for (let i = 0; i < 12; i++) cuts.add(2 + Math.floor(Math.random() * (size - PAGE - 2)));
    for (const cut of cuts) {
      const t = file('cut');
      writeFileSync(t, original.subarray(0, cut));
      const before = fingerprint(t);
      const r = await openAndLoad(t);
      // Cutting off the free space at the end loses nothing: then it must load as it was.
      if (r.ok) expect(r.state, `cut at ${cut} of ${size}: a wrong answer`).toBe(good);
      else {
        expect(r.err, `cut at ${cut}: ${String(r.err)}`).toBeInstanceOf(StorageOpenError);
        expect((r.err as StorageOpenError).code).toMatch(/^storage-(corrupt|not-synod)$/);
      }
      expect(fingerprint(t), `cut at ${cut}: the file changed`).toBe(before);
    }
  });

  it('cut to zero bytes (or one) is a new, empty store (as a crash while creating leaves): it comes back under a new peer id, so it cannot vote as the peer it was', async () => {
    for (const cut of [0, 1]) await wipedComesBackAsStranger(cut);
  });
});

async function wipedComesBackAsStranger(cut: number): Promise<void> {
  {
    const path = file();
    await makeStore(path);
    const before = await openSqliteStorage(path, { logId: 'log-a' });
    const t1 = await createLibp2pTransport({ storage: before, listen: [], mdns: false });
    const id = t1.id;
    await t1.stop();
    await before.close();
    truncateSync(path, cut);
    const after = await openSqliteStorage(path, { logId: 'log-a' });
    const st = await after.load();
    expect(st.snapshot).toBeNull();
    expect(st.promises).toEqual([]);
    const t2 = await createLibp2pTransport({ storage: after, listen: [], mdns: false });
    // The identity lives in the same file: a wiped file is a stranger, not an amnesiac acceptor.
    expect(t2.id).not.toBe(id);
    await t2.stop();
    await after.close();
  }
}

describe('random bytes written over a real peer file', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 150);

  it('never crash the opener, refuse only with typed errors and change nothing when they refuse', async () => {
    const path = file();
    await makeStore(path);
    const original = readFileSync(path);
    const good = await goodState(path);
    const tally = { refused: 0, intact: 0, wrong: 0, schemaGap: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.nat({ max: original.length - 1 }),
            fc.uint8Array({ minLength: 1, maxLength: 64 }),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (writes) => {
          const b = Buffer.from(original);
          for (const [at, bytes] of writes) b.set(bytes.subarray(0, b.length - at), at);
          const t = file('rnd');
          writeFileSync(t, b);
          const before = fingerprint(t);
          const r = await openAndLoad(t);
          if (r.ok) {
            if (r.state === good) tally.intact++;
            else tally.wrong++;
          } else if (isSchemaGap(r.err)) {
            // KNOWN GAP, below: a damaged schema escapes as a raw SqliteError.
            tally.schemaGap++;
          } else {
            tally.refused++;
            expect(r.err, String(r.err)).toBeInstanceOf(SynodError);
            expect(fingerprint(t)).toBe(before);
          }
          rmSync(t, { force: true });
        },
      ),
      { numRuns: runs },
    );
    console.info(
      `random overwrites: ${JSON.stringify(tally)} (wrong: read back as data, see below)`,
    );
    expect(tally.refused).toBeGreaterThan(0);
  }, 120_000);

  it('damage to the structure (the header, page headers, b-tree pages) is refused as corrupt', async () => {
    const path = file();
    await makeStore(path);
    const original = readFileSync(path);
    const pages = original.length / PAGE;
    // Page 1's b-tree header (offset 100) and the header of every other page (offset 0),
    // overwritten with bytes that cannot be a valid page type.
    for (let p = 0; p < pages; p++) {
      const b = Buffer.from(original);
      const at = p === 0 ? 100 : p * PAGE;
      b.fill(0xee, at, at + 12);
      const t = file('hdr');
      writeFileSync(t, b);
      const r = await openAndLoad(t);
      // A free page's header means nothing: a page in use must be noticed.
      if (r.ok) {
        expect(r.state, `page ${p + 1}`).toBe(await goodState(path));
        continue;
      }
      expect(r.err).toBeInstanceOf(StorageOpenError);
      expect((r.err as StorageOpenError).code).toBe('storage-corrupt');
    }
  }, 60_000);

  // Bytes overwritten in the schema text on page 1 (here the column name `round` of table
  // `accepted` becomes `rXund`) pass PRAGMA quick_check. Preparing the store's statements is
  // what notices it: before the fix (issue 9) that threw a raw SqliteError after switching the
  // file to WAL and left the connection open (the file locked); now open.ts prepares them inside
  // its checks and refuses the file as corrupt, unchanged and released.
  it('a damaged schema is refused with a typed error, and the file is released', async () => {
    const path = file();
    await makeStore(path);
    const b = readFileSync(path);
    const at = b.indexOf(Buffer.from('round INTEGER'));
    expect(at).toBeGreaterThan(0);
    b.write('rXund', at);
    writeFileSync(path, b);
    const r = await openAndLoad(path);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.err).toBeInstanceOf(StorageOpenError);
      expect((r.err as StorageOpenError).code).toBe('storage-corrupt');
    }
    // Left as it was (not switched to WAL), and released: opening it again gives the same
    // answer, not storage-locked.
    expect(readFileSync(path).equals(b)).toBe(true);
    const again = await openAndLoad(path);
    expect(again.ok).toBe(false);
    if (!again.ok) expect((again.err as StorageOpenError).code).toBe('storage-corrupt');
  });

  // KNOWN GAP (reported on issue 9): SQLite keeps no checksum of its pages, and PRAGMA
  // quick_check looks at structure, not at record payloads. Bytes overwritten inside a decision's
  // value, a promise's ballot or an accepted pvalue are loaded as if they were data: a wrong
  // answer; so are the bytes of a last page cut short (read as zeros). Closing it needs per-row (or per-page, e.g. SQLite's cksumvfs) checksums verified on
  // load. This test flips to failing once that exists: then make it an ordinary test.
  it.fails('never give a wrong answer: a file cut inside its last page is refused', async () => {
    const path = file();
    await makeStore(path);
    const good = await goodState(path);
    truncateSync(path, statSync(path).size - 1);
    const r = await openAndLoad(path);
    if (r.ok) expect(r.state).toBe(good);
  });

  it.fails('never give a wrong answer: a payload overwritten is refused too', async () => {
    const path = file();
    await makeStore(path);
    const original = readFileSync(path);
    const good = await goodState(path);
    // Find a page with decision payloads: scribble in the middle of the file's data pages.
    const b = Buffer.from(original);
    const at = Math.floor(original.length / 2) + 1000;
    b.set(randomBytes(8), at);
    const t = file('payload');
    writeFileSync(t, b);
    const r = await openAndLoad(t);
    if (r.ok) expect(r.state).toBe(good);
  });
});

describe('a WAL from another database', () => {
  /** Leave `path`-wal behind: a child process writes to `path` and is SIGKILLed. */
  function leaveWal(path: string, logId: string, round: number): void {
    const r = spawnSync(process.execPath, [WAL_WRITER, path, logId, String(round)], {
      encoding: 'utf8',
    });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
  }

  it('its own WAL, left by a SIGKILL, is replayed: every acknowledged write is there', async () => {
    const path = file();
    await makeStore(path);
    leaveWal(path, 'log-a', 900);
    const s = await openSqliteStorage(path, { logId: 'log-a' });
    const st = await s.load();
    expect(st.promises).toEqual([{ config: 0, ballot: { round: 904, leader: 'wal-writer' } }]);
    expect(st.decisions.some((d) => d.slot === 9004)).toBe(true);
    await s.close();
  });

  // KNOWN GAP (reported on issue 9): SQLite replays a -wal file next to a database whatever
  // database wrote it (a WAL has no identity of its database, only of itself). A peer's file
  // with another peer's WAL copied beside it (a backup restored without its -wal, then the
  // other's copied in; a sync tool) opens with a mix of both: here the promises and decisions
  // of the other file, silently. With the other peer's log id it still opens, because the WAL
  // does not touch the page that holds the log id. Closing it: a per-file nonce written in
  // every transaction and checked against the main file read without its WAL (immutable=1).
  it.fails('is refused with a typed error, never replayed into this database', async () => {
    const a = file('a');
    await makeStore(a, 'log-a', 1);
    const b = file('b');
    await makeStore(b, 'log-b', 2);
    leaveWal(b, 'log-b', 100);
    const before = await goodState(a);
    copyFileSync(`${b}-wal`, `${a}-wal`);
    const r = await openAndLoad(a, 'log-a');
    if (r.ok) expect(r.state).toBe(before);
    else expect(r.err).toBeInstanceOf(StorageOpenError);
  });

  it('(the gap above, shown) another database WAL changes what this one loads', async () => {
    const a = file('a');
    await makeStore(a, 'log-a', 1);
    const b = file('b');
    await makeStore(b, 'log-b', 2);
    leaveWal(b, 'log-b', 100);
    const before = await goodState(a);
    copyFileSync(`${b}-wal`, `${a}-wal`);
    const r = await openAndLoad(a, 'log-a');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.state).not.toBe(before);
      expect(r.state).toContain('wal-writer');
    }
  });
});
