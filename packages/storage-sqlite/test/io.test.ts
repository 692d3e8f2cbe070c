/**
 * The store's three ways to reach its connection (io: 'split', the default on Linux, 'inline'
 * and 'worker'):
 * group commit of overlapping writes, the option itself, and a worker that never keeps a
 * process alive on its own. Ordering and failure across the thread are in the conformance
 * suite (test/conformance.test.ts runs it in each mode).
 */
import { spawn } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_IO,
  InvalidStorageOptionsError,
  openSqliteStorage,
  type StorageIo,
} from '../src/index.js';
import { bytes, rejectionOf } from './helpers.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe.each(['worker', 'inline', 'split'] as const satisfies readonly StorageIo[])(
  'io: %s',
  (io) => {
    it('commits writes issued together in fewer transactions, every one of them durable', async () => {
      const path = tmp.file();
      const s = await openSqliteStorage(path, { io });
      expect(s.info().io).toBe(io);
      const n = 64;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          s.write({ decisions: [{ slot: i + 1, value: bytes(100, i) }] }),
        ),
      );
      expect(s.writes).toBe(n);
      expect(s.commits).toBeGreaterThan(0);
      expect(s.commits).toBeLessThan(n);
      await s.close();
      const r = await openSqliteStorage(path, { io });
      expect((await r.load()).decisions.map((d) => d.slot)).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
      await r.close();
    });

    // SQLite resolves the link and keeps its WAL beside the file linked to: a store that looks
    // for the WAL beside the link finds none (io split then failed every write), or a stale one
    // that is not the file SQLite writes.
    it('opens a file through a symbolic link, with its WAL beside the file linked to', async () => {
      const real = tmp.file();
      const link = tmp.file();
      symlinkSync(real, link);
      const s = await openSqliteStorage(link, { io });
      await s.write({ incarnation: 1 }, { awaited: true });
      await s.write({ incarnation: 2 });
      await s.close();
      const r = await openSqliteStorage(real, { io });
      expect((await r.load()).incarnation).toBe(2);
      await r.close();
      // Its WAL removed, the store fails closed (the check looks at the WAL SQLite writes).
      const t = await openSqliteStorage(link, { io });
      await t.write({ incarnation: 3 });
      unlinkSync(`${real}-wal`);
      const err = await rejectionOf(t.write({ incarnation: 4 }));
      expect(err.message).toMatch(/WAL file was removed or replaced/);
      await t.close();
    });

    it('opened by a relative path, keeps writing after the process changes directory', async () => {
      const home = process.cwd();
      process.chdir(tmp.dir);
      let s: Awaited<ReturnType<typeof openSqliteStorage>>;
      try {
        s = await openSqliteStorage(`relative-${io}.db`, { io });
      } finally {
        process.chdir(home);
      }
      await s.write({ incarnation: 1 });
      await s.close();
      const r = await openSqliteStorage(join(tmp.dir, `relative-${io}.db`), { io });
      expect((await r.load()).incarnation).toBe(1);
      await r.close();
    });
  },
);

describe('io: split, a write the caller waits for with nothing else in flight (WriteHint awaited)', () => {
  it("is synced on the caller's thread while syncs are quick, without a turn of the loop", async () => {
    if (process.platform !== 'linux') throw new Error('split io runs on Linux only');
    const path = tmp.file();
    const s = await openSqliteStorage(path, { io: 'split' });
    let seq = 0;
    const turned = async (awaited: boolean) => {
      let turn = false;
      setImmediate(() => (turn = true));
      await s.write({ seq: ++seq }, awaited ? { awaited } : undefined);
      return turn;
    };
    // The pool's fdatasync calls back in a later turn; the caller's own sync does not (unless
    // the sync before took 20 ms or more: then it goes to the pool too; a few tries).
    expect(await turned(false)).toBe(true);
    let here = false;
    for (let i = 0; i < 20 && !here; i++) here = !(await turned(true));
    expect(here).toBe(true);
    // With a sync in flight, an awaited write waits for it and a sync of its own, in order.
    const order: number[] = [];
    await Promise.all([
      s.write({ seq: 100 }).then(() => order.push(100)),
      s.write({ seq: 101 }, { awaited: true }).then(() => order.push(101)),
    ]);
    expect(order).toEqual([100, 101]);
    await s.close();
    const r = await openSqliteStorage(path, { io: 'split' });
    expect((await r.load()).seq).toBe(101);
    await r.close();
  });
});

describe('the io option', () => {
  it('defaults to DEFAULT_IO, and says which it runs', async () => {
    const s = await openSqliteStorage(tmp.file());
    expect(s.info().io).toBe(DEFAULT_IO);
    await s.close();
  });

  it('refuses anything else', async () => {
    const err = await rejectionOf(openSqliteStorage(tmp.file(), { io: 'thread' as StorageIo }));
    expect(err).toBeInstanceOf(InvalidStorageOptionsError);
    expect(err.code).toBe('storage-invalid-options');
  });

  it('with a worker, does not keep a process alive once nothing is outstanding, even left open', async () => {
    const url = new URL('../dist/index.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openSqliteStorage } = await import(${JSON.stringify(url)});
         const s = await openSqliteStorage(${JSON.stringify(tmp.file())}, { io: 'worker' });
         await s.write({ incarnation: 1 });
         console.log('written');`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(out).toContain('written');
    expect(code).toBe(0);
  });
});
