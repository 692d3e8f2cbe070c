/**
 * io: 'split' with its fdatasyncs held by the test (split-io.ts): which writes a sync settles,
 * what a failed sync fails, and what a close waits for. The pool's fdatasync is replaced for
 * this file only (syncBuiltinESMExports updates the `node:fs` bindings split-io.ts imported), so
 * each sync starts, and ends when the test says, with the real fdatasync's result or an error.
 * A write given no hint never syncs on the caller's thread, so every sync here goes to the pool.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { StorageFailedError } from '@synod/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStorage, type SqliteStorage } from '../src/index.js';
import { rejectionOf } from './helpers.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();
const realFdatasync = fs.fdatasync;
/** The syncs started and not yet let go, oldest first. */
const held: { fd: number; done: (err: NodeJS.ErrnoException | null) => void }[] = [];

beforeAll(() => {
  if (process.platform !== 'linux') throw new Error('split io runs on Linux only');
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, done: (e: Error | null) => void) => {
    held.push({ fd, done });
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  fs.fdatasync = realFdatasync;
  syncBuiltinESMExports();
  tmp.remove();
});

/** Let the oldest held sync go: the real fdatasync, or `err` in its place. */
async function release(err?: NodeJS.ErrnoException): Promise<void> {
  const s = held.shift();
  if (s === undefined) throw new Error('no sync is held');
  await new Promise<void>((resolve) =>
    realFdatasync(s.fd, (e) => {
      s.done(err ?? e);
      resolve();
    }),
  );
  await settled();
}

/**
 * A few turns of the loop: long enough for the store to act on what it was given (it settles
 * in the callback of the sync and in microtasks), so that a write still pending after it is one
 * the store holds back, not one it has not reached yet.
 */
const settled = () => new Promise<void>((r) => setTimeout(r, 5));

/** Wait, with a deadline, until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after 5 s`);
    await settled();
  }
}

const syncsHeld = (n: number) => until(() => held.length >= n, `${n} syncs held`);

/** A write's settling, as it happens: 'pending' until it does. */
function track(p: Promise<unknown>) {
  const t = {
    state: 'pending' as 'pending' | 'resolved' | 'rejected',
    error: undefined as unknown,
  };
  p.then(
    () => (t.state = 'resolved'),
    (e: unknown) => ((t.state = 'rejected'), (t.error = e)),
  );
  return t;
}

async function open(): Promise<SqliteStorage> {
  const s = await openSqliteStorage(tmp.file(), { io: 'split' });
  expect(s.info().io).toBe('split');
  return s;
}

describe('io: split, with its syncs held', () => {
  it('settles a write only after a sync that started after its commit, and a read behind it after it', async () => {
    const s = await open();
    const a = track(s.write({ seq: 1 }));
    await syncsHeld(1);
    // B commits while A's sync runs: that sync does not cover it.
    const b = track(s.write({ seq: 2 }));
    const read = track(s.getMeta('k'));
    await settled();
    expect([a.state, b.state, read.state]).toEqual(['pending', 'pending', 'pending']);
    await release();
    await until(() => a.state !== 'pending', 'A settled');
    expect([a.state, b.state, read.state]).toEqual(['resolved', 'pending', 'pending']);
    await syncsHeld(1);
    await release();
    await until(() => read.state !== 'pending', 'the read settled');
    expect([b.state, read.state]).toEqual(['resolved', 'resolved']);
    expect(held).toHaveLength(0);
    await s.close();
  });

  it('fails closed on a failed sync: the writes it covered, those waiting behind it and every later one', async () => {
    const s = await open();
    const c = track(s.write({ seq: 1 }));
    await syncsHeld(1);
    const d = track(s.write({ seq: 2 }));
    await settled();
    await release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await until(() => d.state !== 'pending', 'D settled');
    expect([c.state, d.state]).toEqual(['rejected', 'rejected']);
    expect(c.error).toBeInstanceOf(StorageFailedError);
    expect((c.error as Error).cause).toMatchObject({ code: 'EIO' });
    const e = await rejectionOf(s.write({ seq: 3 }));
    expect(e).toBeInstanceOf(StorageFailedError);
    expect(e.message).toMatch(/failed earlier/);
    expect(held).toHaveLength(0);
    await s.close().catch(() => undefined);
    // Nothing after the failed sync was acknowledged; what reached the disk may be read back,
    // which is allowed (an unacknowledged write may or may not survive).
  });

  it('closes only once every write before the close is synced', async () => {
    const s = await open();
    const w = track(s.write({ seq: 7 }));
    await syncsHeld(1);
    const closed = track(s.close());
    await settled();
    expect([w.state, closed.state]).toEqual(['pending', 'pending']);
    await release();
    await until(() => closed.state !== 'pending', 'closed');
    expect([w.state, closed.state]).toEqual(['resolved', 'resolved']);
  });
});
