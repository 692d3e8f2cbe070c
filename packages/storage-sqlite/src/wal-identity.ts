/**
 * Whether a WAL file is still the one SQLite's connection writes: a WAL removed or replaced
 * under an open connection (by a tool, a restore, a sync client) is not noticed by SQLite, which
 * goes on writing and syncing the old file, now unreachable by its name. Its commits report
 * success and are gone at the next start. The store checks after every commit and fails closed
 * instead (io split checks its own descriptor, io/split-io.ts; inline and worker sqlite-file.ts).
 */
import { fstatSync, readlinkSync, statSync } from 'node:fs';

export function walReplacedError(): Error {
  return new Error('the WAL file was removed or replaced while open');
}

/**
 * What the WAL's descriptor was opened as: the kernel's name for it (Linux's /proc/self/fd), or
 * its inode where /proc is not mounted.
 *
 * Why not stat(2) the path at every commit, as before: on Linux 6.13 and later (multigrain
 * timestamps: ext4, xfs, btrfs, tmpfs), a stat marks the file's ctime as seen, so the next write
 * must give the file a new fine-grained mtime, which dirties its inode; fdatasync then writes the
 * inode table block too. One extra disk write and wait in every commit: on this machine's ext4 the
 * inode block went out at 62-72% of the syncs with a stat per commit and at 15-16% without (the
 * coarse clock tick), traced with tracefs (block_rq_issue, `WSM` requests) during `node
 * bench/latency.mjs`; `node bench/fsync-stat.mjs` shows the cost. readlink(2) of the descriptor
 * reads the dentry, not the inode's times.
 */
export type WalIdentity = { readonly link: string } | { readonly ino: number };

export function identify(fd: number): WalIdentity {
  try {
    return { link: readlinkSync(`/proc/self/fd/${fd}`) };
  } catch {
    return { ino: fstatSync(fd).ino };
  }
}

/**
 * Whether `fd` is still the file at `path`. Removed or replaced (renamed over), the file's name
 * in /proc ends in " (deleted)"; moved, it names the new path: either way it differs.
 */
export function isStill(identity: WalIdentity, fd: number, path: string): boolean {
  try {
    if ('link' in identity) return readlinkSync(`/proc/self/fd/${fd}`) === identity.link;
    return statSync(path).ino === identity.ino;
  } catch {
    return false;
  }
}
