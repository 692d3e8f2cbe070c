#!/usr/bin/env node
// Whether logs of one process starve each other through libuv's thread pool (4 threads unless
// UV_THREADPOOL_SIZE says otherwise): with `io: 'split'` (the default on Linux) each log's
// fdatasync runs on that pool, one at a time per log. A host with many logs (@synod/peer's
// createHost) has one SqliteStorage per log in one process, so `--heavy` logs writing large
// batches back to back can hold every pool thread while a `quiet` log's small commit waits
// behind them in the pool's queue, not at the disk.
//
// With `--quiet-dir` on another file system than the heavy logs' (a tmpfs: /dev/shm, whose
// fdatasync returns at once) the quiet log's own sync costs nothing, so what it waits is the
// pool's queue (and the event loop), not the disk: a log on a fast disk beside logs on a slow
// one.
//
// `--hog-mib` N > 0 also runs a process that writes N MiB and fdatasyncs it, back to back, in
// the heavy logs' directory: their disk turns slow (as a USB stick or a network disk is) while
// their own writes stay small and cheap in CPU, so the measured process is not busy itself.
//
// Each pass forks one process per pool size (`--pools`, alternating within the pass, each on
// fresh files) that opens `--heavy` + 1 stores (real SQLite files, durability full, io split):
// the heavy ones each keep 2 writes of one `--heavy-kib` KiB pvalue in flight; the quiet one
// writes a 100-byte pvalue every `--every-ms`, each awaited before the next (as a log at
// C=1 whose syncs have turned slow: without the `awaited` hint, on the pool). Reported per pool
// size: the quiet log's write latency (p50/p99/max), the heavy logs' MiB/s, the process's CPU
// (utime + stime) and the 1-minute load beside it.
//
//   npm run bench -- fsync-pool [--heavy 0,2,8] [--pools 4,16] [--passes 2] [--seconds 4]
//                               [--heavy-kib 256] [--every-ms 2] [--quiet-dir /dev/shm]
//                               [--hog-mib 0]
//
// Writes bench/results/fsync-pool-<date>.json and appends a section to bench/REPORT.md.
import { fork } from 'node:child_process';
import { fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  fmt,
  latencySummary,
  log,
  machineInfo,
  machineLine,
  median,
  saveResults,
  sleep,
  table,
} from './lib/common.mjs';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--hog') {
  // Until killed: dirty N MiB, sync them.
  const chunk = Buffer.alloc(Number(process.argv[4]) * 1048576, 3);
  const fd = openSync(join(String(process.argv[3]), 'hog'), 'w');
  for (;;) {
    writeSync(fd, chunk, 0, chunk.length, 0);
    fdatasyncSync(fd);
  }
}

if (process.argv[2] === '--child') {
  const { openSqliteStorage } = await import('@synod/storage-sqlite');
  const [dir, quietDir, heavy, heavyKib, everyMs, seconds] = process.argv.slice(3);
  const ballot = { round: 1, leader: 'p' };
  const open = (/** @type {string} */ name, at = String(dir)) =>
    openSqliteStorage(join(at, `${name}.db`), { logId: name }).then(async (s) => {
      await s.load();
      return s;
    });
  const quiet = await open('quiet', String(quietDir));
  const heavies = await Promise.all(
    Array.from({ length: Number(heavy) }, (_, i) => open(`heavy${i}`)),
  );
  const big = new Uint8Array(Number(heavyKib) * 1024).fill(7);
  const small = new Uint8Array(100).fill(1);
  let stop = false;
  let heavyBytes = 0;
  const heavyLoops = heavies.map(async (s) => {
    let slot = 1;
    /** @type {Promise<void>[]} */
    const inFlight = [];
    while (!stop) {
      inFlight.push(s.write({ accepted: [{ config: 0, ballot, slot: slot++, value: big }] }));
      if (inFlight.length >= 2) {
        await inFlight.shift();
        heavyBytes += big.length;
      }
    }
    await Promise.all(inFlight);
  });
  // Let the heavy logs fill the pool before the quiet one is measured.
  await sleep(300);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const bytes0 = heavyBytes;
  /** @type {number[]} */
  const lat = [];
  let slot = 1;
  while (performance.now() - t0 < Number(seconds) * 1000) {
    const w0 = performance.now();
    await quiet.write({ accepted: [{ config: 0, ballot, slot: slot++, value: small }] });
    lat.push(performance.now() - w0);
    await sleep(Number(everyMs));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const heavyMiBs = (heavyBytes - bytes0) / 1048576 / (ms / 1000);
  stop = true;
  await Promise.all(heavyLoops);
  await Promise.all([quiet, ...heavies].map((s) => s.close()));
  process.send?.({
    lat: latencySummary(lat),
    heavyMiBs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ms,
  });
  process.exit(0);
}

const { values: o } = benchArgs({
  options: {
    heavy: { type: 'string', default: '0,2,8' },
    pools: { type: 'string', default: '4,16' },
    passes: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '4' },
    'heavy-kib': { type: 'string', default: '256' },
    'every-ms': { type: 'string', default: '2' },
    'quiet-dir': { type: 'string', default: '' },
    'hog-mib': { type: 'string', default: '0' },
  },
});
const heavyCounts = o.heavy.split(',').map(Number);
const pools = o.pools.split(',').map(Number);
const load1 = () => Number(loadavg()[0].toFixed(1));
const date = new Date().toISOString();
const root = mkdtempSync(join(tmpdir(), 'synod-bench-fsync-pool-'));

/**
 * One run in a fresh process (the pool's size is read once, at its first use).
 * @param {number} heavy @param {number} pool
 */
function runOnce(heavy, pool) {
  const dir = mkdtempSync(join(root, `h${heavy}-p${pool}-`));
  const quietDir =
    o['quiet-dir'] === '' ? dir : mkdtempSync(join(o['quiet-dir'], 'synod-bench-fsync-pool-'));
  const hog = Number(o['hog-mib']) > 0 ? fork(SELF, ['--hog', dir, o['hog-mib']]) : undefined;
  const child = fork(
    SELF,
    ['--child', dir, quietDir, String(heavy), o['heavy-kib'], o['every-ms'], o.seconds],
    { env: { ...process.env, UV_THREADPOOL_SIZE: String(pool) } },
  );
  /** @type {Promise<Run>} */
  const answered = new Promise((resolve, reject) => {
    /** @type {Run | undefined} */
    let answer;
    child.on('message', (m) => (answer = /** @type {Run} */ (m)));
    child.on('error', reject);
    child.on('exit', (code) => {
      hog?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(quietDir, { recursive: true, force: true });
      if (code === 0 && answer !== undefined) resolve(answer);
      else reject(new Error(`child (heavy ${heavy}, pool ${pool}) exited ${code}`));
    });
  });
  return answered;
}

/** @typedef {{ lat: ReturnType<typeof latencySummary>, heavyMiBs: number, cpuMs: number, ms: number }} Run */
/** @type {Map<string, (Run & { load1: number })[]>} */
const runs = new Map();
const key = (/** @type {number} */ h, /** @type {number} */ p) => `${h}/${p}`;
try {
  for (let pass = 0; pass < Number(o.passes); pass++) {
    for (const heavy of heavyCounts) {
      // Alternate the order of the pool sizes from pass to pass.
      const order = pass % 2 === 0 ? pools : [...pools].reverse();
      for (const pool of order) {
        const r = await runOnce(heavy, pool);
        const row = { ...r, load1: load1() };
        runs.set(key(heavy, pool), [...(runs.get(key(heavy, pool)) ?? []), row]);
        log(
          `pass ${pass} heavy ${heavy} pool ${pool}: quiet p50 ${fmt(r.lat.p50)} ms p99 ${fmt(r.lat.p99)} ms max ${fmt(r.lat.max)} ms; heavy ${fmt(r.heavyMiBs)} MiB/s; cpu ${fmt(r.cpuMs)} ms; load ${row.load1}`,
        );
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const rows = [];
for (const heavy of heavyCounts) {
  for (const pool of pools) {
    const rs = runs.get(key(heavy, pool)) ?? [];
    rows.push({
      heavy,
      pool,
      p50: median(rs.map((r) => r.lat.p50)),
      p99: median(rs.map((r) => r.lat.p99)),
      max: Math.max(...rs.map((r) => r.lat.max)),
      heavyMiBs: median(rs.map((r) => r.heavyMiBs)),
      cpuPct: median(rs.map((r) => (100 * r.cpuMs) / r.ms)),
      load: rs.map((r) => r.load1).join(' / '),
    });
  }
}
const machine = machineInfo(root);
const result = { date, machine, options: o, runs: Object.fromEntries(runs), rows };
const file = saveResults('fsync-pool', date, result);
await appendReport([
  `## fsync-pool — ${date.slice(0, 16)} (logs of one process sharing libuv's pool)`,
  '',
  machineLine(machine),
  `One process per run, UV_THREADPOOL_SIZE = the pool; \`heavy\` logs each keep 2 writes of ${o['heavy-kib']} KiB in flight (io split: each log's fdatasync on the pool); the quiet log (files in ${o['quiet-dir'] === '' ? 'the same directory' : o['quiet-dir']}) writes 100 B every ${o['every-ms']} ms, awaited, without the awaited hint (its sync on the pool); ${o['hog-mib'] === '0' ? 'no disk hog' : `a process writing and syncing ${o['hog-mib']} MiB back to back beside the heavy logs`}. Medians of ${o.passes} alternating passes of ${o.seconds} s; max over them. Results in bench/results/${file}.`,
  '',
  ...table(
    ['heavy logs', 'pool', 'quiet p50', 'quiet p99', 'quiet max', 'heavy MiB/s', 'CPU', 'load'],
    rows.map((r) => [
      String(r.heavy),
      String(r.pool),
      `${fmt(r.p50)} ms`,
      `${fmt(r.p99)} ms`,
      `${fmt(r.max)} ms`,
      fmt(r.heavyMiBs),
      `${fmt(r.cpuPct)}%`,
      r.load,
    ]),
  ),
  '',
]);
