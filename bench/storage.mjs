#!/usr/bin/env node
// Storage benchmark (issues 4 and 13): durable write batches/s and rows/s of SqliteStorage for
// batches of 1, 10, 100 and 1000 accepted pvalues of 100 B, next to a raw better-sqlite3 loop
// that writes the same rows into the same table with the same pragmas (WAL, synchronous=FULL,
// exclusive locking), one transaction per batch: the physical reference. SqliteStorage runs
// with its connection on a worker thread (`io: 'worker'`) and on the caller's thread
// (`io: 'inline'`), each
//   - closed loop: one write outstanding, awaited before the next (today's runtime), and
//   - pipelined: `--depth` writes outstanding (the pipelined runtime of issue 13), which the
//     store commits together when they wait for the disk together;
// and for each, the time the caller's event loop was busy per write (its event-loop
// utilisation over the run, divided by the writes): what a peer cannot spend receiving and
// sending. Goals: SqliteStorage within 80% of the raw loop's rows/s at batch 100; the worker
// pays if it keeps that while blocking the event loop far less.
//
// Then the writes of a peer at C=256: each batch one pvalue of `--slot-bytes` (a slot of 256
// commands) and the decision of the slot before it, recorded from the accepted pvalue
// (decidedAccepted: schema 4 marks the row) or with its value (the bytes written twice, as every
// decision was before schema 4), alternating: CPU per write and file bytes per slot.
//
//   npm run bench -- storage [--runs 5] [--seconds 1] [--sizes 1,10,100,1000] [--depth 8]
//                            [--slot-bytes 26000]
//
// Writes bench/results/storage-<date>.json and appends a section to bench/REPORT.md.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import Database from 'better-sqlite3';
import { openSqliteStorage } from '@synod/storage-sqlite';
import { referenceDb } from './lib/floor.mjs';
import {
  appendReport,
  busyPct,
  fmt,
  log,
  machineInfo,
  machineLine,
  range,
  saveResults,
  summary,
  table,
  versionsLine,
} from './lib/common.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '1,10,100,1000' },
    depth: { type: 'string', default: '8' },
    'slot-bytes': { type: 'string', default: '26000' },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const SIZES = opts.sizes.split(',').map(Number);
const DEPTH = Number(opts.depth);
const SLOT_BYTES = Number(opts['slot-bytes']);
const VALUE_BYTES = 100;
const work = mkdtempSync(join(tmpdir(), 'synod-bench-storage-'));
let fileNo = 0;
const newFile = () => join(work, `bench-${++fileNo}.db`);

/** One value per row, 100 bytes, as a vote for a small batch of commands would carry. */
const value = new Uint8Array(VALUE_BYTES).fill(0x5a);
const ballot = { round: 1, leader: 'bench-leader' };

/** @param {number} first @param {number} n @returns {import('@synod/core').StorageBatch} */
function batchOf(first, n) {
  /** @type {import('@synod/core').PValue[]} */
  const accepted = [];
  for (let i = 0; i < n; i++) accepted.push({ config: 0, ballot, slot: first + i, value });
  return { accepted };
}

/**
 * @typedef {{ batchesPerSec: number, rowsPerSec: number, loopBusyMsPerWrite: number,
 *   mainCpuMsPerWrite: number, commitsPerWrite: number, load1: number }} Run
 */

/**
 * CPU time (user + system, ms) of this process's main thread so far, from
 * /proc/self/task/<pid>/stat (10 ms ticks): what the caller's thread itself spent, without the
 * storage worker's thread (process.cpuUsage() counts both).
 */
function mainThreadCpuMs() {
  const s = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/**
 * SqliteStorage, `depth` writes outstanding, for SECONDS.
 * @param {'worker' | 'inline'} io @param {number} size @param {number} depth @returns {Promise<Run>}
 */
async function synodRun(io, size, depth) {
  const store = await openSqliteStorage(newFile(), { logId: 'bench', io });
  let slot = 1;
  let issued = 0;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  // `depth` chains, each issuing its next write when its last one completes.
  const chain = async () => {
    while (performance.now() < end) {
      const b = batchOf(slot, size);
      slot += size;
      issued++;
      await store.write(b);
    }
  };
  await Promise.all(Array.from({ length: depth }, chain));
  const s = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = mainThreadCpuMs() - cpu0;
  const commits = store.commits;
  await store.close();
  return {
    batchesPerSec: issued / s,
    rowsPerSec: (issued * size) / s,
    loopBusyMsPerWrite: elu.active / issued,
    mainCpuMsPerWrite: cpu / issued,
    commitsPerWrite: commits / issued,
    load1: loadavg()[0],
  };
}

/** The raw loop: one transaction per batch, synchronous. @param {number} size @returns {Run} */
function rawRun(size) {
  const db = referenceDb(newFile());
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
  let slot = 1;
  let batches = 0;
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let now = t0;
  while (now < end) {
    tx(slot, size);
    slot += size;
    batches++;
    now = performance.now();
  }
  db.close();
  const s = (now - t0) / 1000;
  return {
    batchesPerSec: batches / s,
    rowsPerSec: (batches * size) / s,
    loopBusyMsPerWrite: (now - t0) / batches,
    mainCpuMsPerWrite: (mainThreadCpuMs() - cpu0) / batches,
    commitsPerWrite: 1,
    load1: loadavg()[0],
  };
}

/**
 * A peer's writes at C=256 for SECONDS (inline, one outstanding): slot s's pvalue and slot s - 1's
 * decision, `how` it is recorded. File bytes: the database and its WAL at the end, per slot.
 * @param {'mark' | 'value'} how
 * @returns {Promise<{ mainCpuMsPerWrite: number, writesPerSec: number, fileBytesPerSlot: number, load1: number }>}
 */
async function slotRun(how) {
  const path = newFile();
  const store = await openSqliteStorage(path, { logId: 'bench', io: 'inline' });
  const big = new Uint8Array(SLOT_BYTES).fill(0x5a);
  let slot = 1;
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    /** @type {import('@synod/core').StorageBatch} */
    const b = { seq: slot, accepted: [{ config: 0, ballot, slot, value: big }] };
    if (slot > 1) {
      if (how === 'mark') b.decidedAccepted = [slot - 1];
      else b.decisions = [{ slot: slot - 1, value: big }];
    }
    await store.write(b);
    slot++;
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = mainThreadCpuMs() - cpu0;
  await store.close();
  const bytes = ['', '-wal'].reduce(
    (n, x) => n + (statSync(path + x, { throwIfNoEntry: false })?.size ?? 0),
    0,
  );
  const writes = slot - 1;
  return {
    mainCpuMsPerWrite: cpu / writes,
    writesPerSec: writes / s,
    fileBytesPerSlot: bytes / writes,
    load1: loadavg()[0],
  };
}

const VARIANTS = /** @type {const} */ ([
  { name: 'raw better-sqlite3 loop', key: 'raw', io: null, depth: 1 },
  { name: 'SqliteStorage inline, 1 outstanding', key: 'inline-1', io: 'inline', depth: 1 },
  { name: 'SqliteStorage worker, 1 outstanding', key: 'worker-1', io: 'worker', depth: 1 },
  {
    name: `SqliteStorage inline, ${DEPTH} outstanding`,
    key: `inline-${DEPTH}`,
    io: 'inline',
    depth: DEPTH,
  },
  {
    name: `SqliteStorage worker, ${DEPTH} outstanding`,
    key: `worker-${DEPTH}`,
    io: 'worker',
    depth: DEPTH,
  },
]);

const probe = new Database(':memory:');
const sqliteVersion = String(probe.prepare('SELECT sqlite_version()').pluck().get());
probe.close();
const machine = machineInfo(work);
const busy = await busyPct(2000);
const load0 = loadavg()[0];
log(
  `storage bench: ${RUNS} runs x ${SECONDS} s per size and variant, values of ${VALUE_BYTES} B; ` +
    `machine ${fmt(busy)}% busy, load ${fmt(load0)}`,
);

/** @type {Record<string, Record<string, Run[]>>} size -> variant -> runs */
const runs = {};
for (const size of SIZES) {
  runs[size] = Object.fromEntries(VARIANTS.map((v) => [v.key, []]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate the variants within each run, so that drift in the disk's speed hits all alike.
    for (const v of VARIANTS) {
      const r = v.io === null ? rawRun(size) : await synodRun(v.io, size, v.depth);
      runs[size][v.key].push(r);
    }
  }
  const line = VARIANTS.map((v) => {
    const rows = summary(runs[size][v.key].map((r) => r.rowsPerSec)).median;
    const busyMs = summary(runs[size][v.key].map((r) => r.loopBusyMsPerWrite)).median;
    const cpuMs = summary(runs[size][v.key].map((r) => r.mainCpuMsPerWrite)).median;
    const cpw = summary(runs[size][v.key].map((r) => r.commitsPerWrite)).median;
    return `${v.key} ${fmt(rows)} rows/s (busy ${fmt(busyMs)}, cpu ${fmt(cpuMs)} ms/write; ${fmt(cpw)} commits/write)`;
  }).join(' | ');
  log(`batch ${size}: ${line}`);
}
/** @type {Record<'mark' | 'value', Awaited<ReturnType<typeof slotRun>>[]>} */
const slotRuns = { mark: [], value: [] };
if (SLOT_BYTES > 0) {
  for (let run = 0; run < RUNS; run++) {
    for (const how of /** @type {const} */ (['mark', 'value']))
      slotRuns[how].push(await slotRun(how));
  }
  const line = (/** @type {'mark' | 'value'} */ how) => {
    const rs = slotRuns[how];
    return `${how}: cpu ${fmt(summary(rs.map((r) => r.mainCpuMsPerWrite)).median)} ms/write, ${fmt(summary(rs.map((r) => r.fileBytesPerSlot)).median / 1024)} KiB/slot`;
  };
  log(
    `slots of ${SLOT_BYTES} B with the previous slot's decision: ${line('mark')} | ${line('value')}`,
  );
}
rmSync(work, { recursive: true, force: true });

const slotResults =
  SLOT_BYTES > 0
    ? Object.fromEntries(
        /** @type {const} */ (['mark', 'value']).map((how) => {
          const rs = slotRuns[how];
          return [
            how,
            {
              mainCpuMsPerWrite: summary(rs.map((r) => r.mainCpuMsPerWrite)),
              writesPerSec: summary(rs.map((r) => r.writesPerSec)),
              fileBytesPerSlot: summary(rs.map((r) => r.fileBytesPerSlot)),
              load1: summary(rs.map((r) => r.load1)),
            },
          ];
        }),
      )
    : null;

const results = SIZES.map((size) => {
  const per = Object.fromEntries(
    VARIANTS.map((v) => {
      const rs = runs[size][v.key];
      return [
        v.key,
        {
          batchesPerSec: summary(rs.map((r) => r.batchesPerSec)),
          rowsPerSec: summary(rs.map((r) => r.rowsPerSec)),
          loopBusyMsPerWrite: summary(rs.map((r) => r.loopBusyMsPerWrite)),
          mainCpuMsPerWrite: summary(rs.map((r) => r.mainCpuMsPerWrite)),
          commitsPerWrite: summary(rs.map((r) => r.commitsPerWrite)),
          load1: summary(rs.map((r) => r.load1)),
        },
      ];
    }),
  );
  const raw = per.raw.rowsPerSec.median;
  return {
    batchSize: size,
    variants: per,
    ratioToRaw: Object.fromEntries(
      VARIANTS.map((v) => [v.key, per[v.key].rowsPerSec.median / raw]),
    ),
  };
});

const at100 = results.find((r) => r.batchSize === 100);
const goal =
  at100 === undefined
    ? null
    : {
        inline: at100.ratioToRaw['inline-1'],
        worker: at100.ratioToRaw['worker-1'],
        met: at100.ratioToRaw[`worker-1`] >= 0.8,
      };
// Does the worker pay? Same rows/s (within 10%) at one outstanding, far less event-loop time.
const pays = results.map((r) => ({
  batchSize: r.batchSize,
  rowsWorkerOverInline:
    r.variants['worker-1'].rowsPerSec.median / r.variants['inline-1'].rowsPerSec.median,
  busyWorkerOverInline:
    r.variants['worker-1'].loopBusyMsPerWrite.median /
    r.variants['inline-1'].loopBusyMsPerWrite.median,
}));
const date = new Date().toISOString();
const file = saveResults('storage', date, {
  suite: 'storage',
  date,
  machine: { ...machine, sqlite: sqliteVersion },
  busyBeforePct: busy,
  load1Before: load0,
  method: {
    runs: RUNS,
    secondsPerRun: SECONDS,
    valueBytes: VALUE_BYTES,
    durability: 'full',
    depth: DEPTH,
  },
  results,
  pays,
  goal,
  runs,
  slotBytes: SLOT_BYTES,
  slots: slotResults,
  slotRuns,
});

const cell = (/** @type {import('./lib/common.mjs').Stat} */ s) => range(s);
await appendReport([
  `## storage — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine, `, SQLite ${sqliteVersion}`),
  `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run, load average ${fmt(load0)}; ` +
    'the "load" column is the 1-minute load average at the end of each run.',
  '',
  `Method: for each batch size, ${RUNS} runs of ${SECONDS} s per variant, the variants alternating, each`,
  `on a new file: ${VALUE_BYTES}-byte accepted pvalues, durability \`full\` (WAL, synchronous=FULL, one`,
  'fsync per transaction). The raw loop upserts the same rows into the same table with the same',
  'pragmas, one transaction per batch, synchronously. SqliteStorage `io: inline` runs each',
  "transaction on the caller's thread; `io: worker` on its worker thread. With one write",
  'outstanding each write is awaited before the next is issued (how the runtime writes today);',
  `with ${DEPTH} outstanding, ${DEPTH} writers each issue their next write when their last completes,`,
  'and the store commits the writes that wait together in one transaction. "loop busy ms/write":',
  "the caller's event-loop utilisation over the run (active time) per write: time in which a peer",
  'could not receive, step or send (the raw loop: all of it); under CPU contention it includes time',
  'the thread waited for a core. "main-thread CPU ms/write": the CPU time of that thread alone',
  '(/proc/self/task, 10 ms ticks), without the worker thread. Figures: median (min–max) over the runs.',
  '',
  ...table(
    [
      'batch',
      'variant',
      'batches/s',
      'rows/s',
      'of raw rows/s',
      'loop busy ms/write',
      'main-thread CPU ms/write',
      'commits/write',
      'load',
    ],
    results.flatMap((r) =>
      VARIANTS.map((v) => {
        const x = r.variants[v.key];
        return [
          String(r.batchSize),
          v.name,
          cell(x.batchesPerSec),
          cell(x.rowsPerSec),
          `${Math.round(r.ratioToRaw[v.key] * 100)}%`,
          cell(x.loopBusyMsPerWrite),
          cell(x.mainCpuMsPerWrite),
          fmt(x.commitsPerWrite.median),
          fmt(x.load1.median),
        ];
      }),
    ),
    'rlrrrrrrr',
  ),
  '',
  goal === null
    ? 'Goal (>= 80% of raw rows/s at batch 100): not measured (size 100 not run).'
    : `Goal (>= 80% of raw rows/s at batch 100, one outstanding): worker ${Math.round(goal.worker * 100)}%, inline ${Math.round(goal.inline * 100)}%: ${goal.met ? 'met' : 'NOT met'} by the worker.`,
  'Worker against inline at one outstanding (rows/s ratio; event-loop busy time ratio): ' +
    pays
      .map(
        (p) =>
          `batch ${p.batchSize}: ${fmt(p.rowsWorkerOverInline)}x rows/s, ${fmt(p.busyWorkerOverInline)}x busy`,
      )
      .join('; ') +
    '.',
  ...(slotResults === null
    ? []
    : [
        '',
        `A peer's writes at C=256: each batch one pvalue of ${SLOT_BYTES} B (a slot of 256 commands) and`,
        "the previous slot's decision, inline, one outstanding, the two ways alternating (schema 4",
        'records a decision taken from the accepted pvalue as a mark; with its value, the bytes are',
        'written a second time, as every decision was before it). File: the database and its WAL at',
        'the end, per slot.',
        '',
        ...table(
          ['decision recorded', 'writes/s', 'main-thread CPU ms/write', 'file KiB/slot', 'load'],
          /** @type {const} */ (['mark', 'value']).map((how) => {
            const x = slotResults[how];
            return [
              how === 'mark' ? 'as a mark (decidedAccepted)' : 'with its value (decisions)',
              cell(x.writesPerSec),
              cell(x.mainCpuMsPerWrite),
              fmt(x.fileBytesPerSlot.median / 1024),
              fmt(x.load1.median),
            ];
          }),
          'lrrrr',
        ),
      ]),
  '',
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
