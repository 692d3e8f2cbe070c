#!/usr/bin/env node
// What a stat(2) of the WAL at every commit costs its fdatasync (issue 13, C=1): on Linux 6.13
// and later (multigrain timestamps), a stat marks the file's ctime as seen, so the next write
// gives the file a fine-grained mtime, dirtying its inode, and fdatasync writes the inode table
// block as well as the WAL's data. storage-sqlite's `io: 'split'` checked the WAL with a stat at
// every commit; it now reads /proc/self/fd instead (split-io.ts, `identify`).
//
// One process commits as `io: 'split'` does (WAL, synchronous=NORMAL, exclusive locking, one
// 100-byte row per transaction, then fdatasync of the WAL on a descriptor of its own), paced
// like a follower at C=1 (one commit per --period-us), with one of these between the commit and
// its sync:
//   stat      statSync of the WAL's path (the check before this change)
//   readlink  readlinkSync of /proc/self/fd/<the WAL's descriptor> (the check now)
//   none      no check
// Scenarios alternate within each round, each on a fresh file. Prints each window's p50 of
// commit + check + fdatasync, then the medians. With --trace (root, tracefs mounted at
// /sys/kernel/tracing), also the share of syncs that wrote metadata (block requests flagged M).
//
//   node bench/fsync-stat.mjs [--rounds 5] [--seconds 2] [--period-us 1000] [--trace]
import { existsSync, fdatasyncSync, mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { median, sleep } from './lib/common.mjs';
import { MSG, referenceDb } from './lib/floor.mjs';

const { values: opts } = benchArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    'period-us': { type: 'string', default: '1000' },
    trace: { type: 'boolean', default: false },
  },
});

const TRACING = '/sys/kernel/tracing';
if (opts.trace && !existsSync(join(TRACING, 'trace'))) {
  throw new Error(
    `--trace needs tracefs at ${TRACING} (as root: mount -t tracefs nodev ${TRACING})`,
  );
}
const traceWrite = (/** @type {string} */ f, /** @type {string} */ v) =>
  writeFileSync(join(TRACING, f), v);

/** @type {Record<string, (walPath: string, fd: number) => void>} */
const CHECKS = {
  stat: (walPath) => void statSync(walPath),
  readlink: (_walPath, fd) => void readlinkSync(`/proc/self/fd/${fd}`),
  none: () => undefined,
};

/**
 * One window of paced commits with `check` between commit and sync: the p50 (ms) and, traced,
 * the share of syncs that wrote metadata.
 * @param {string} dir @param {keyof typeof CHECKS} check
 */
function windowOf(dir, check) {
  const path = join(dir, `${check}-${Date.now()}.db`);
  const db = referenceDb(path, 'NORMAL');
  db.exec('CREATE TABLE accepted (slot INTEGER PRIMARY KEY, value BLOB NOT NULL) STRICT');
  const put = db.prepare('INSERT INTO accepted (slot, value) VALUES (?, ?)');
  const value = Buffer.alloc(MSG, 0x5a);
  // Fill the WAL past a checkpoint first, as a store in use has: SQLite then rewrites the WAL
  // from its start, so a commit's fdatasync has no new blocks (and no new size) to record.
  for (let i = 0; i < 3000; i++) put.run(-1 - i, value);
  const walPath = `${path}-wal`;
  const fd = openSync(walPath, 'r');
  const between = CHECKS[check];
  const period = Number(opts['period-us']) / 1000;
  if (opts.trace) {
    traceWrite('trace', '');
    traceWrite('tracing_on', '1');
  }
  /** @type {number[]} */
  const lat = [];
  const end = performance.now() + Number(opts.seconds) * 1000;
  let next = performance.now();
  let slot = 1;
  while (performance.now() < end) {
    // Spin to the boundary: a timer is too coarse for a 1 ms period.
    while (performance.now() < next);
    const t = performance.now();
    put.run(slot++, value);
    between(walPath, fd);
    fdatasyncSync(fd);
    lat.push(performance.now() - t);
    next = t + period;
  }
  let metaShare = NaN;
  if (opts.trace) {
    traceWrite('tracing_on', '0');
    const own = readFileSync(join(TRACING, 'trace'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('block_rq_issue') && l.includes(`-${process.pid} `));
    const meta = own.filter((l) => / W[A-Z]*M[A-Z]* /.test(l)).length;
    metaShare = meta / lat.length;
  }
  closeSync(fd);
  db.close();
  return { p50: median(lat), metaShare };
}

if (opts.trace) {
  traceWrite('events/block/block_rq_issue/enable', '1');
  traceWrite('buffer_size_kb', '65536');
}
const dir = mkdtempSync(join(tmpdir(), 'synod-fsync-stat-'));
const names = /** @type {(keyof typeof CHECKS)[]} */ (Object.keys(CHECKS));
/** @type {Map<string, { p50: number[], meta: number[] }>} */
const out = new Map(names.map((k) => [k, { p50: [], meta: [] }]));
try {
  for (let r = 0; r < Number(opts.rounds); r++) {
    const line = [];
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const w = windowOf(dir, name);
      const o = /** @type {{ p50: number[], meta: number[] }} */ (out.get(name));
      o.p50.push(w.p50);
      o.meta.push(w.metaShare);
      line.push(
        `${name} ${w.p50.toFixed(3)} ms` +
          (opts.trace ? ` (metadata in ${(100 * w.metaShare).toFixed(0)}% of syncs)` : ''),
      );
      await sleep(300);
    }
    console.log(`round ${r + 1}: ${line.join('; ')}; load ${loadavg()[0].toFixed(2)}`);
  }
} finally {
  if (opts.trace) traceWrite('events/block/block_rq_issue/enable', '0');
  rmSync(dir, { recursive: true, force: true });
}
const none = median(/** @type {{ p50: number[] }} */ (out.get('none')).p50);
for (const name of names) {
  const { p50, meta } = /** @type {{ p50: number[], meta: number[] }} */ (out.get(name));
  console.log(
    `${name}: commit + check + fdatasync p50 ${median(p50).toFixed(3)} ms (median of ${p50.length} windows), ` +
      `${(median(p50) / none).toFixed(2)}x none` +
      (opts.trace ? `; metadata written in ${(100 * median(meta)).toFixed(0)}% of syncs` : ''),
  );
}
