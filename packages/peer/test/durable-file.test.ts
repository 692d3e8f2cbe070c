/**
 * The durable-file helpers on a power-cut filesystem (@synod/power-cut-fs): what they make
 * survives a cut, and the plain calls they replace do not. Needs FUSE (fails, saying what to
 * install, where it cannot mount).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerCutFs } from '@synod/power-cut-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirDurable, renameDurable, syncDir, writeFileAtomic } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'synod-durable-'));
let disk: PowerCutFs;
let n = 0;
beforeAll(async () => {
  disk = await PowerCutFs.mount(join(root, 'disk'));
});
afterAll(async () => {
  await disk?.unmount();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh directory on the disk, already durable. */
function scratch(): string {
  const d = join(disk.mountpoint, `t${++n}`);
  mkdirSync(d);
  syncDir(disk.mountpoint);
  return d;
}

describe('durable files and directories survive a power cut', () => {
  // Each test compares the plain call and the helper in two directories of their own: syncing
  // a directory makes every pending change in it durable, the plain call's included.
  it('makeDirDurable: a new data directory (and its parents) survive; mkdir -p alone does not', async () => {
    const [plain, durable] = [scratch(), scratch()];
    mkdirSync(join(plain, 'a', 'data'), { recursive: true });
    makeDirDurable(join(durable, 'a', 'data'));
    expect(statSync(join(durable, 'a', 'data')).mode & 0o777).toBe(0o700);
    await disk.cut();
    expect(readdirSync(plain)).toEqual([]);
    expect(existsSync(join(durable, 'a', 'data'))).toBe(true);
  });

  it('makeDirDurable on an existing directory still syncs its parent (made unsynced earlier)', async () => {
    const d = scratch();
    mkdirSync(join(d, 'old'));
    makeDirDurable(join(d, 'old'));
    await disk.cut();
    expect(existsSync(join(d, 'old'))).toBe(true);
  });

  it('renameDurable: the file is in its new place after a cut; a plain rename is undone', async () => {
    const [plain, durable] = [scratch(), scratch()];
    for (const d of [plain, durable]) {
      makeDirDurable(join(d, 'left'));
      writeFileAtomic(join(d, 'f'), 'f', { durable: true });
    }
    renameSync(join(plain, 'f'), join(plain, 'left', 'f'));
    renameDurable(join(durable, 'f'), join(durable, 'left', 'f'));
    await disk.cut();
    expect(readdirSync(plain).sort()).toEqual(['f', 'left']);
    expect(readdirSync(join(plain, 'left'))).toEqual([]);
    expect(readdirSync(durable)).toEqual(['left']);
    expect(readFileSync(join(durable, 'left', 'f'), 'utf8')).toBe('f');
  });

  it('writeFileAtomic durable: the new contents after a cut; writeFileSync: not even the file', async () => {
    const [plain, durable] = [scratch(), scratch()];
    writeFileSync(join(plain, 'f'), 'lost');
    writeFileAtomic(join(durable, 'f'), 'v1', { durable: true, mode: 0o600 });
    writeFileAtomic(join(durable, 'f'), 'v2', { durable: true, mode: 0o600 });
    await disk.cut();
    expect(readdirSync(plain)).toEqual([]);
    expect(readdirSync(durable)).toEqual(['f']);
    expect(readFileSync(join(durable, 'f'), 'utf8')).toBe('v2');
    expect(statSync(join(durable, 'f')).mode & 0o777).toBe(0o600);
  });

  it('writeFileAtomic not durable: old, new, or short after a torn cut, never a mix; one temp name', async () => {
    const d = scratch();
    writeFileAtomic(join(d, 'f'), 'old', { durable: true });
    for (let seed = 1; seed <= 6; seed++) {
      writeFileAtomic(join(d, 'f'), 'new contents', { durable: false });
      expect(readFileSync(join(d, 'f'), 'utf8')).toBe('new contents');
      await disk.cut({ torn: true, seed });
      const names = readdirSync(d);
      expect(names.filter((x) => x !== 'f.tmp')).toEqual(['f']);
      // A torn cut may keep the rename but not the bytes: the file then reads short or empty,
      // which is why only files rewritten at every start may skip the fsync.
      expect(['old', 'new contents', '', '\0'.repeat(12)]).toContain(
        readFileSync(join(d, 'f'), 'utf8'),
      );
      writeFileAtomic(join(d, 'f'), 'old', { durable: true });
    }
  });
});
