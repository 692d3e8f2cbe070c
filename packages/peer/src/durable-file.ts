/**
 * Files and directories that survive a power cut (issue 18). POSIX makes a file's contents
 * durable with fsync of the file, and its name — a creation, a rename, an unlink — only with
 * fsync of the directory that holds it. A directory just made is therefore lost with everything
 * in it unless its parent is synced; a file written with writeFile and renamed into place may
 * come back empty or old. SQLite syncs its own files and their directory; everything else a peer
 * writes goes through here. (docs/security.md lists every file and its rule.)
 *
 * Windows cannot open a directory to sync it (NTFS journals its metadata): there directories
 * are not synced, files still are.
 */
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

const CAN_SYNC_DIRS = process.platform !== 'win32';

/** Make the creations, renames and unlinks in `dir` durable. */
export function syncDir(dir: string): void {
  if (!CAN_SYNC_DIRS) return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * `mkdir -p` that survives a power cut: creates what is missing, then syncs the parent of every
 * directory on the way down to `dir`, `dir`'s own parent included even when `dir` already
 * existed (an earlier run may have made it without syncing).
 */
export function makeDirDurable(dir: string, mode = 0o700): void {
  const target = resolve(dir);
  const created: string[] = [];
  for (let d = target; !exists(d); d = dirname(d)) created.unshift(d);
  mkdirSync(target, { recursive: true, mode });
  const parents = new Set([...created, target].map((d) => dirname(d)));
  for (const p of parents) syncDir(p);
}

/**
 * rename(2) that survives a power cut. The destination's directory is synced before the
 * source's: a cut in between leaves the file under both names, never under neither.
 */
export function renameDurable(from: string, to: string): void {
  renameSync(from, to);
  syncDir(dirname(resolve(to)));
  if (dirname(resolve(from)) !== dirname(resolve(to))) syncDir(dirname(resolve(from)));
}

/**
 * Replace the whole file at `path` atomically: a reader (and, if `durable`, the disk after a
 * power cut) sees the old contents or the new, never a mix. The classic recipe: write a
 * temporary file beside it, fsync it, rename it over `path`, fsync the directory. The temporary
 * name is fixed (one writer per data directory, which the store's lock guarantees), so one left
 * by a crash is simply overwritten next time. With `durable: false` the fsyncs are skipped: for
 * files that are rewritten at every start anyway (the API's token and address).
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { durable: boolean; mode?: number },
): void {
  const tmp = `${path}.tmp`;
  const mode = options.mode ?? 0o600;
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode); // whatever the umask
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    if (options.durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (options.durable) renameDurable(tmp, path);
  else renameSync(tmp, path);
}
