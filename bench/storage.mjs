#!/usr/bin/env node
// Storage benchmark (issue 4): durable write batches/s and rows/s of SqliteStorage for batches
// of 1, 10, 100 and 1000 accepted pvalues, next to a raw better-sqlite3 loop that writes the
// same rows into the same table with the same pragmas (WAL, synchronous=FULL, exclusive
// locking) in one transaction per batch: the physical reference. Goal: SqliteStorage within
// 80% of the raw loop's rows/s at batch 100.
//
//   npm run bench -- storage [--runs 5] [--seconds 1] [--sizes 1,10,100,1000]
//
// Needs the packages built (npm run build). Writes bench/results/storage-<date>.json and
// appends a section to bench/REPORT.md.
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openSqliteStorage } from '@synod/storage-sqlite';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '1,10,100,1000' },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const SIZES = opts.sizes.split(',').map(Number);
const VALUE_BYTES = 100;
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'synod-bench-storage-'));
let fileNo = 0;
const newFile = () => join(work, `bench-${++fileNo}.db`);

/** One value per row, 100 bytes, as a vote for a small batch of commands would carry. */
const value = new Uint8Array(VALUE_BYTES).fill(0x5a);

/**
 * Write batches of `size` rows for `SECONDS`; return batches and rows per second.
 * @param {(first: number, n: number) => void} writeBatch
 * @param {number} size
 */
function measure(writeBatch, size) {
  let slot = 1;
  let batches = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let now = t0;
  while (now < end) {
    writeBatch(slot, size);
    slot += size;
    batches++;
    now = performance.now();
  }
  const s = (now - t0) / 1000;
  return { batchesPerSec: batches / s, rowsPerSec: (batches * size) / s };
}

/** @param {number} size */
async function synodRun(size) {
  const store = await openSqliteStorage(newFile(), { logId: 'bench' });
  const ballot = { round: 1, leader: 'bench-leader' };
  const r = measure((first, n) => {
    /** @type {import('@synod/core').PValue[]} */
    const accepted = [];
    for (let i = 0; i < n; i++) accepted.push({ config: 0, ballot, slot: first + i, value });
    // write() settles synchronously (better-sqlite3); its promise only reports the outcome.
    store.write({ accepted }).catch((e) => {
      throw e;
    });
  }, size);
  if (store.failed !== undefined) throw store.failed;
  await store.close();
  return r;
}

/** @param {number} size */
function rawRun(size) {
  const db = new Database(newFile());
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('journal_size_limit = 67108864');
  db.exec(`CREATE TABLE accepted (
    slot INTEGER PRIMARY KEY, config INTEGER NOT NULL, round INTEGER NOT NULL,
    leader TEXT NOT NULL, value BLOB NOT NULL) STRICT`);
  const put = db.prepare(
    'INSERT INTO accepted (slot, config, round, leader, value) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (slot) DO UPDATE SET config = excluded.config, round = excluded.round, ' +
      'leader = excluded.leader, value = excluded.value',
  );
  const buf = Buffer.from(value);
  const tx = db.transaction((/** @type {number} */ first, /** @type {number} */ n) => {
    for (let i = 0; i < n; i++) put.run(first + i, 0, 1, 'bench-leader', buf);
  });
  const r = measure((first, n) => tx(first, n), size);
  db.close();
  return r;
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** @param {number[]} xs @returns {{ median: number, min: number, max: number }} */
const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** @param {string} path */
function filesystemOf(path) {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && path.startsWith(f[1]))
      .sort((a, b) => b[1].length - a[1].length);
    return mounts[0] ? `${mounts[0][2]} (${mounts[0][0]} on ${mounts[0][1]})` : 'unknown';
  } catch {
    return 'unknown';
  }
}

const probe = new Database(':memory:');
const sqliteVersion = String(probe.prepare('SELECT sqlite_version()').pluck().get());
probe.close();
const bsqlPackage = readFileSync(
  join(here, '..', 'node_modules', 'better-sqlite3', 'package.json'),
  'utf8',
);
const bsqlVersion = /"version":\s*"([^"]+)"/.exec(bsqlPackage)?.[1] ?? 'unknown';
const machine = {
  cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: `${process.platform} ${release()}`,
  node: process.version,
  betterSqlite3: bsqlVersion,
  sqlite: sqliteVersion,
  filesystem: filesystemOf(work),
};
console.log(`storage bench: ${RUNS} runs x ${SECONDS} s per size, values of ${VALUE_BYTES} B`);
console.log(JSON.stringify(machine));

/**
 * @typedef {{ median: number, min: number, max: number }} Stat
 * @typedef {{ batchesPerSec: Stat, rowsPerSec: Stat }} Side
 * @type {{ batchSize: number, synod: Side, raw: Side, ratio: number }[]}
 */
const results = [];
for (const size of SIZES) {
  const synod = [];
  const raw = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate, so that drift in the disk's speed hits both alike.
    raw.push(rawRun(size));
    synod.push(await synodRun(size));
  }
  const s = {
    batchesPerSec: summary(synod.map((r) => r.batchesPerSec)),
    rowsPerSec: summary(synod.map((r) => r.rowsPerSec)),
  };
  const r = {
    batchesPerSec: summary(raw.map((x) => x.batchesPerSec)),
    rowsPerSec: summary(raw.map((x) => x.rowsPerSec)),
  };
  const row = {
    batchSize: size,
    synod: s,
    raw: r,
    ratio: s.rowsPerSec.median / r.rowsPerSec.median,
  };
  results.push(row);
  console.log(
    `batch ${String(size).padStart(4)}: synod ${fmt(row.synod.batchesPerSec.median)} batches/s ` +
      `${fmt(row.synod.rowsPerSec.median)} rows/s | raw ${fmt(row.raw.batchesPerSec.median)} batches/s ` +
      `${fmt(row.raw.rowsPerSec.median)} rows/s | ${(row.ratio * 100).toFixed(0)}% of raw`,
  );
}
rmSync(work, { recursive: true, force: true });

/** @param {number} x */
function fmt(x) {
  return Math.round(x).toLocaleString('en-US');
}

const at100 = results.find((r) => r.batchSize === 100);
const goal = at100 === undefined ? null : at100.ratio >= 0.8;
const date = new Date().toISOString();
const out = {
  suite: 'storage',
  date,
  machine,
  method: { runs: RUNS, secondsPerRun: SECONDS, valueBytes: VALUE_BYTES, durability: 'full' },
  results,
  goal: { description: 'synod rows/s >= 80% of raw at batch 100', met: goal },
};
const file = join(here, 'results', `storage-${date.slice(0, 19).replace(/:/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);

const report = join(here, 'REPORT.md');
if (!existsSync(report)) writeFileSync(report, '# Benchmark reports\n\nNewest sections last.\n');
/** @param {{ median: number, min: number, max: number }} s */
const range = (s) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
appendFileSync(
  report,
  [
    '',
    `## storage — ${date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.kernel}; files on ${machine.filesystem}.`,
    `Versions: node ${machine.node}, better-sqlite3 ${machine.betterSqlite3}, SQLite ${machine.sqlite}.`,
    '',
    `Method: for each batch size, ${RUNS} alternating runs of ${SECONDS} s each, on a new file, of`,
    `(a) \`SqliteStorage.write({ accepted })\` with that many pvalues of ${VALUE_BYTES} B (durability`,
    '`full`: WAL, synchronous=FULL, one transaction and one fsync per batch), and (b) a raw',
    'better-sqlite3 loop upserting the same rows into the same table with the same pragmas, one',
    'transaction per batch. Figures: median (min–max) over the runs.',
    '',
    '| batch | synod batches/s | synod rows/s | raw batches/s | raw rows/s | synod/raw rows |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.batchSize} | ${range(r.synod.batchesPerSec)} | ${range(r.synod.rowsPerSec)} | ` +
        `${range(r.raw.batchesPerSec)} | ${range(r.raw.rowsPerSec)} | ${(r.ratio * 100).toFixed(0)}% |`,
    ),
    '',
    goal === null
      ? 'Goal (>= 80% of raw rows/s at batch 100): not measured (size 100 not run).'
      : `Goal (>= 80% of raw rows/s at batch 100): ${goal ? 'met' : 'NOT met'} (${(at100.ratio * 100).toFixed(0)}%).`,
    `Raw data: bench/results/${file.split('/').pop()}.`,
    '',
  ].join('\n'),
);
console.log(`wrote ${file} and a section of bench/REPORT.md`);
