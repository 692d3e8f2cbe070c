/**
 * The power-cut filesystem forgets exactly what a real power cut may forget — unsynced file
 * contents; creations, renames and unlinks whose directory was not synced — and nothing that
 * was synced. Scenario by scenario, then random operation sequences against the rule written as
 * a model (durability-model.ts). A process killed without a cut loses nothing (the page cache
 * outlives it), which is why SIGKILL tests cannot find a missing fsync and this can.
 *
 * Needs FUSE: where it cannot mount, the tests fail with what to install (never skip).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerCutFs } from '../src/index.js';
import { DurabilityModel, type Dir } from './durability-model.js';

const root = mkdtempSync(join(tmpdir(), 'synod-powercut-'));
let fs: PowerCutFs;
let n = 0;

beforeAll(async () => {
  fs = await PowerCutFs.mount(join(root, 'mnt'));
});
afterAll(async () => {
  await fs?.unmount();
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, data: string | Buffer, o: { sync?: boolean; at?: number } = {}) {
  const fd = openSync(path, o.at !== undefined ? 'r+' : 'w');
  writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data, 0, undefined, o.at ?? 0);
  if (o.sync === true) fsyncSync(fd);
  closeSync(fd);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/** A fresh directory for one test, made durable (created, and its parent synced). */
function scratch(): string {
  const dir = join(fs.mountpoint, `t${++n}`);
  mkdirSync(dir);
  fsyncPath(fs.mountpoint);
  return dir;
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('a power cut forgets what was not made durable, and only that', () => {
  it('file contents: unsynced writes are forgotten, synced ones kept', async () => {
    const d = scratch();
    write(join(d, 'f'), 'synced!', { sync: true });
    fsyncPath(d);
    write(join(d, 'f'), 'XY', { at: 0 }); // not synced
    truncateSync(join(d, 'f'), 20); // nor this
    expect(read(join(d, 'f'))).toBe('XYnced!' + '\0'.repeat(13));
    const r = await fs.cut();
    expect(r.files).toBeGreaterThan(0);
    expect(read(join(d, 'f'))).toBe('synced!');
  });

  it('a failed sync (failSyncs): EIO once; its blocks stay visible but no later sync makes them durable', async () => {
    const d = scratch();
    const f = join(d, 'f');
    // Two blocks, synced; then block 0 and a block 2 written, not synced.
    write(f, 'A'.repeat(8192), { sync: true });
    fsyncPath(d);
    write(f, 'B', { at: 0 });
    write(f, 'C', { at: 8192 });
    await fs.failSyncs(1);
    const fd = openSync(f, 'r');
    try {
      expect(() => fsyncSync(fd)).toThrow(/EIO/);
    } finally {
      closeSync(fd);
    }
    // Reported once: the next sync succeeds, and the data still reads as written.
    fsyncPath(f);
    expect(read(f)).toBe('B' + 'A'.repeat(8191) + 'C');
    // Block 1 written after the failure: that one a sync makes durable.
    write(f, 'D', { at: 4096 });
    fsyncPath(f);
    await fs.cut();
    // The size was synced; blocks 0 and 2 never reached the disk (block 2 was a hole).
    expect(read(f)).toBe('A'.repeat(4096) + 'D' + 'A'.repeat(4095) + '\0');
  });

  it('a new file synced in a directory that was not: gone', async () => {
    const d = scratch();
    write(join(d, 'new'), 'data', { sync: true });
    await fs.cut();
    expect(readdirSync(d)).toEqual([]);
  });

  it('a new file whose directory was synced but not itself: there, and empty', async () => {
    const d = scratch();
    write(join(d, 'new'), 'data');
    fsyncPath(d);
    await fs.cut();
    expect(read(join(d, 'new'))).toBe('');
  });

  it('written, synced, directory synced: kept', async () => {
    const d = scratch();
    write(join(d, 'kept'), 'data', { sync: true });
    fsyncPath(d);
    await fs.cut();
    expect(read(join(d, 'kept'))).toBe('data');
  });

  it('write temp, fsync, rename: the old version until the directory is synced', async () => {
    const d = scratch();
    write(join(d, 'cfg'), 'v1', { sync: true });
    fsyncPath(d);
    write(join(d, 'cfg.tmp'), 'v2', { sync: true });
    renameSync(join(d, 'cfg.tmp'), join(d, 'cfg'));
    expect(read(join(d, 'cfg'))).toBe('v2');
    await fs.cut();
    expect(readdirSync(d).sort()).toEqual(['cfg']);
    expect(read(join(d, 'cfg'))).toBe('v1');
    // Now the whole recipe, with the directory synced: the new version survives.
    write(join(d, 'cfg.tmp'), 'v2', { sync: true });
    renameSync(join(d, 'cfg.tmp'), join(d, 'cfg'));
    fsyncPath(d);
    await fs.cut();
    expect(read(join(d, 'cfg'))).toBe('v2');
  });

  it('unlink: the file comes back (with its synced contents) unless the directory is synced', async () => {
    const d = scratch();
    write(join(d, 'x'), 'keep me', { sync: true });
    fsyncPath(d);
    unlinkSync(join(d, 'x'));
    await fs.cut();
    expect(read(join(d, 'x'))).toBe('keep me');
    unlinkSync(join(d, 'x'));
    fsyncPath(d);
    await fs.cut();
    expect(existsSync(join(d, 'x'))).toBe(false);
  });

  it('mkdir: a new directory (and all in it) is gone unless its parent is synced', async () => {
    const d = scratch();
    mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
    write(join(d, 'sub', 'deeper', 'f'), 'x', { sync: true });
    fsyncPath(join(d, 'sub', 'deeper'));
    fsyncPath(join(d, 'sub'));
    await fs.cut(); // d itself was never synced after the mkdir
    expect(readdirSync(d)).toEqual([]);
    mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
    write(join(d, 'sub', 'deeper', 'f'), 'x', { sync: true });
    for (const p of [join(d, 'sub', 'deeper'), join(d, 'sub'), d]) fsyncPath(p);
    await fs.cut();
    expect(read(join(d, 'sub', 'deeper', 'f'))).toBe('x');
  });

  it('chmod is durable only once the file is synced', async () => {
    const d = scratch();
    write(join(d, 'f'), 'x', { sync: true });
    fsyncPath(d);
    const mode = statSync(join(d, 'f')).mode & 0o777;
    chmodSync(join(d, 'f'), 0o600);
    await fs.cut();
    expect(statSync(join(d, 'f')).mode & 0o777).toBe(mode);
  });

  it('a process killed without a cut loses nothing: the page cache outlives it', async () => {
    const d = scratch();
    const path = join(d, 'unsynced');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(path)}, 'x'.repeat(10000)); console.log('written'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(read(path)).toHaveLength(10000);
    // What the kill did not lose, the power cut does: nothing of it was synced.
    await fs.cut();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to cut while a file is still open (a power cut kills its process too)', async () => {
    const d = scratch();
    const fd = openSync(join(d, 'open'), 'w');
    const started = Date.now();
    const cut = fs.cut();
    setTimeout(() => closeSync(fd), 200);
    await cut; // waited for the close
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((await fs.stats()).open).toBe(0);
  });

  it('a torn cut keeps or loses each unsynced 512-byte sector whole, never synced data', async () => {
    const d = scratch();
    const sectors = 16;
    const old = Buffer.alloc(sectors * 512, 'o');
    write(join(d, 'f'), old, { sync: true });
    write(join(d, 'g'), 'synced elsewhere', { sync: true });
    fsyncPath(d);
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      write(join(d, 'f'), Buffer.alloc(sectors * 512, 'n'), { at: 0 });
      await fs.cut({ torn: true, seed });
      const got = readFileSync(join(d, 'f'));
      expect(got.length).toBe(sectors * 512);
      let pattern = '';
      for (let s = 0; s < sectors; s++) {
        const sector = got.subarray(s * 512, (s + 1) * 512).toString();
        expect(['o'.repeat(512), 'n'.repeat(512)]).toContain(sector);
        pattern += sector[0];
      }
      outcomes.add(pattern.includes('o') && pattern.includes('n') ? 'mixed' : pattern[0]!);
      expect(read(join(d, 'g'))).toBe('synced elsewhere');
      // Back to all-old, durably, for the next round.
      write(join(d, 'f'), old, { sync: true });
    }
    expect(outcomes.has('mixed')).toBe(true);
  });

  it('a torn cut of an appended file: the old size or the new, each new sector whole or zeros', async () => {
    const d = scratch();
    write(join(d, 'log'), 'line 1\n', { sync: true });
    fsyncPath(d);
    const appended = Buffer.from('line 2\n'.repeat(300));
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 10; seed++) {
      write(join(d, 'log'), appended, { at: 7 });
      await fs.cut({ torn: true, seed });
      const got = readFileSync(join(d, 'log'));
      sizes.add(got.length);
      expect(got.subarray(0, 7).toString()).toBe('line 1\n');
      expect([7, 7 + appended.length]).toContain(got.length);
      const full = Buffer.concat([Buffer.from('line 1\n'), appended]);
      for (let at = 0; at < got.length; at += 512) {
        const sector = got.subarray(at, at + 512);
        const kept = sector.equals(full.subarray(at, at + sector.length));
        const zeros = sector.subarray(at === 0 ? 7 : 0).every((b) => b === 0);
        expect(kept || zeros).toBe(true);
      }
      truncateSync(join(d, 'log'), 7);
      fsyncPath(join(d, 'log'));
    }
    expect(sizes.size).toBe(2);
  });
});

type Op =
  | { op: 'create' | 'fsync' | 'unlink'; dir: Dir; name: string }
  | { op: 'write'; dir: Dir; name: string; offset: number; length: number; byte: number }
  | { op: 'truncate'; dir: Dir; name: string; size: number }
  | { op: 'fsyncDir'; dir: Dir }
  | { op: 'rename'; dir: Dir; name: string; toDir: Dir; to: string };

const dirArb = fc.constantFrom<Dir>('root', 'sub');
const nameArb = fc.constantFrom('a', 'b', 'c');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constantFrom('create', 'fsync', 'unlink' as const),
    dir: dirArb,
    name: nameArb,
  }),
  fc.record({
    op: fc.constant('write' as const),
    dir: dirArb,
    name: nameArb,
    offset: fc.integer({ min: 0, max: 12_000 }),
    length: fc.integer({ min: 1, max: 6000 }),
    byte: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    op: fc.constant('truncate' as const),
    dir: dirArb,
    name: nameArb,
    size: fc.integer({ min: 0, max: 15_000 }),
  }),
  fc.record({ op: fc.constant('fsyncDir' as const), dir: dirArb }),
  fc.record({
    op: fc.constant('rename' as const),
    dir: dirArb,
    name: nameArb,
    toDir: dirArb,
    to: nameArb,
  }),
);

function listing(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f !== 'sub')
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
}

describe('random operation sequences against the rule (a model)', () => {
  it('after a cut the filesystem holds exactly what the model says a disk holds', async () => {
    const seed = Number(process.env.SYNOD_POWERCUT_SEED ?? 20_251_203);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const base = scratch();
        mkdirSync(join(base, 'sub'));
        fsyncPath(base);
        const path = (dir: Dir, name?: string) =>
          join(base, ...(dir === 'sub' ? ['sub'] : []), ...(name !== undefined ? [name] : []));
        const m = new DurabilityModel();
        for (const o of ops) {
          if (o.op === 'fsyncDir') {
            fsyncPath(path(o.dir));
            m.fsyncDir(o.dir);
            continue;
          }
          if (o.op === 'create') {
            closeSync(openSync(path(o.dir, o.name), 'a'));
            m.create(o.dir, o.name);
            continue;
          }
          if (!m.has(o.dir, o.name)) continue; // the model decides what exists
          const p = path(o.dir, o.name);
          if (o.op === 'fsync') {
            fsyncPath(p);
            m.fsync(o.dir, o.name);
          } else if (o.op === 'unlink') {
            unlinkSync(p);
            m.unlink(o.dir, o.name);
          } else if (o.op === 'write') {
            const data = Buffer.alloc(o.length, o.byte);
            write(p, data, { at: o.offset });
            m.write(o.dir, o.name, o.offset, data);
          } else if (o.op === 'truncate') {
            truncateSync(p, o.size);
            m.truncate(o.dir, o.name, o.size);
          } else if (o.op === 'rename') {
            renameSync(p, path(o.toDir, o.to));
            m.rename(o.dir, o.name, o.toDir, o.to);
          }
        }
        for (const d of ['root', 'sub'] as const) expect(listing(path(d))).toEqual(m.current(d));
        await fs.cut();
        for (const d of ['root', 'sub'] as const) expect(listing(path(d))).toEqual(m.afterCut(d));
        rmSync(base, { recursive: true });
        await fs.sync();
      }),
      { seed, numRuns: 100 },
    );
  }, 120_000);
});
