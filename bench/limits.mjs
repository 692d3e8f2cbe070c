#!/usr/bin/env node
// Limits benchmark (issue 8, suite 5): the physical references of this machine, measured in the
// same run as the other suites: (a) raw SQLite durable commits with the storage's pragmas (WAL,
// synchronous=FULL, exclusive locking), one transaction per batch of 1 and of 100 rows of 100 B;
// (b) raw node:net loopback round trip of a 100-byte message between two processes; (c) the
// "first of two replies" round trip among three processes (one sends to two, waits for the
// first answer: what a leader waits for from a majority of three). The commit floor of one
// command is (c) + one fsync'd commit of (a) at batch 1: what Synod's p50 at 1 outstanding is
// compared to.
//
//   npm run bench -- limits [--runs 5] [--seconds 1] [--samples 3000]
//
// Writes bench/results/limits-<date>.json and appends a section to bench/REPORT.md.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  appendReport,
  busyPct,
  fmt,
  latencySummary,
  log,
  machineInfo,
  machineLine,
  range,
  saveResults,
  summary,
  table,
  versionsLine,
} from './lib/common.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    samples: { type: 'string', default: '3000' },
    child: { type: 'string' },
  },
});
const MSG = 100;

// ------------------------------------------------------------------ echo child

if (opts.child === 'echo') {
  // Echo every byte back: the messages are fixed-size, so no framing is needed.
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send?.({ port: typeof a === 'object' && a !== null ? a.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

/** @returns {Promise<{ port: number, child: import('node:child_process').ChildProcess }>} */
function startEcho() {
  const child = fork(fileURLToPath(import.meta.url), ['--child', 'echo'], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) =>
      resolve({ port: /** @type {{ port: number }} */ (m).port, child }),
    );
    child.once('exit', (code) => reject(new Error(`echo child exited ${code}`)));
  });
}

/** @param {number} port @returns {Promise<import('node:net').Socket>} */
function dial(port) {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/**
 * Round trips of a MSG-byte message to every socket in `socks`, waiting for the first `need`
 * complete answers each time. Returns the latencies in ms.
 * @param {import('node:net').Socket[]} socks @param {number} need @param {number} samples
 */
async function roundTrips(socks, need, samples) {
  const msg = Buffer.alloc(MSG, 0x5a);
  /** @type {number[]} */
  const lat = [];
  const got = socks.map(() => 0);
  /** @type {(() => void) | undefined} */
  let wake;
  socks.forEach((s, i) =>
    s.on('data', (/** @type {Buffer} */ d) => {
      got[i] += d.length;
      wake?.();
    }),
  );
  const expected = socks.map(() => 0);
  for (let i = 0; i < samples + 200; i++) {
    const t = performance.now();
    for (let k = 0; k < socks.length; k++) {
      expected[k] += MSG;
      socks[k].write(msg);
    }
    await new Promise((resolve) => {
      const check = () => {
        const done = got.filter((g, k) => g >= expected[k]).length;
        if (done >= need) {
          wake = undefined;
          resolve(undefined);
        }
      };
      wake = check;
      check();
    });
    if (i >= 200) lat.push(performance.now() - t);
    // Let late answers of the previous round arrive before the next round starts.
    while (got.some((g, k) => g < expected[k])) {
      await new Promise((resolve) => {
        wake = () => resolve(undefined);
      });
    }
  }
  return lat;
}

/**
 * Durable commits of `batch` rows per transaction for SECONDS; commits/s and ms per commit.
 * @param {string} file @param {number} batch @param {number} seconds
 */
function sqliteRun(file, batch, seconds) {
  const db = new Database(file);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE accepted (slot INTEGER PRIMARY KEY, config INTEGER NOT NULL, round INTEGER NOT NULL, ' +
      'leader TEXT NOT NULL, value BLOB NOT NULL) STRICT',
  );
  const put = db.prepare(
    'INSERT INTO accepted (slot, config, round, leader, value) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (slot) DO UPDATE SET value = excluded.value',
  );
  const value = Buffer.alloc(MSG, 0x5a);
  const tx = db.transaction((/** @type {number} */ first) => {
    for (let i = 0; i < batch; i++) put.run(first + i, 0, 1, 'bench-leader', value);
  });
  /** @type {number[]} */
  const lat = [];
  let slot = 1;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let t = t0;
  while (t < end) {
    tx(slot);
    slot += batch;
    const e = performance.now();
    lat.push(e - t);
    t = e;
  }
  db.close();
  const s = (t - t0) / 1000;
  return {
    commitsPerSec: lat.length / s,
    rowsPerSec: (lat.length * batch) / s,
    ...latencySummary(lat),
  };
}

async function main() {
  const RUNS = Number(opts.runs);
  const SECONDS = Number(opts.seconds);
  const SAMPLES = Number(opts.samples);
  const work = mkdtempSync(join(tmpdir(), 'synod-bench-limits-'));
  const machine = machineInfo(work);
  const busy = await busyPct(2000);
  log(`limits bench: ${RUNS} runs; machine ${fmt(busy)}% busy`);

  /** @type {Record<string, ReturnType<typeof sqliteRun>[]>} */
  const sqlite = { 1: [], 100: [] };
  /** @type {{ p50: number, p99: number, p999: number }[]} */
  const rtt2 = [];
  /** @type {{ p50: number, p99: number, p999: number }[]} */
  const rtt3 = [];
  const [e1, e2] = await Promise.all([startEcho(), startEcho()]);
  try {
    let n = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const batch of [1, 100]) {
        const r = sqliteRun(join(work, `raw-${n++}.db`), batch, SECONDS);
        sqlite[batch].push(r);
        log(
          `run ${run + 1} sqlite batch ${batch}: ${fmt(r.commitsPerSec)} commits/s, p50 ${fmt(r.p50)} ms`,
        );
      }
      const a = await dial(e1.port);
      const s2 = latencySummary(await roundTrips([a], 1, SAMPLES));
      a.destroy();
      rtt2.push(s2);
      const b = await dial(e1.port);
      const c = await dial(e2.port);
      const s3 = latencySummary(await roundTrips([b, c], 1, SAMPLES));
      b.destroy();
      c.destroy();
      rtt3.push(s3);
      log(
        `run ${run + 1} rtt: 2 processes p50 ${fmt(s2.p50)} ms; first of two p50 ${fmt(s3.p50)} ms`,
      );
    }
  } finally {
    e1.child.kill();
    e2.child.kill();
    rmSync(work, { recursive: true, force: true });
  }

  const sq = (/** @type {number} */ batch) => ({
    batch,
    commitsPerSec: summary(sqlite[batch].map((r) => r.commitsPerSec)),
    rowsPerSec: summary(sqlite[batch].map((r) => r.rowsPerSec)),
    p50: summary(sqlite[batch].map((r) => r.p50)),
    p99: summary(sqlite[batch].map((r) => r.p99)),
  });
  const rt = (/** @type {{ p50: number, p99: number, p999: number }[]} */ xs) => ({
    p50: summary(xs.map((r) => r.p50)),
    p99: summary(xs.map((r) => r.p99)),
    p999: summary(xs.map((r) => r.p999)),
  });
  const results = {
    sqlite: [sq(1), sq(100)],
    rttTwoProcesses: rt(rtt2),
    rttFirstOfTwo: rt(rtt3),
  };
  const fsync = results.sqlite[0].p50.median;
  const majority = results.rttFirstOfTwo.p50.median;
  const floorInfo = {
    fsyncMs: fsync,
    majorityRttMs: majority,
    commitFloorMs: fsync + majority,
    rule: 'p50 of the first-of-two-replies RTT + p50 of one durable SQLite commit (batch 1)',
  };
  const date = new Date().toISOString();
  const file = saveResults('limits', date, {
    suite: 'limits',
    date,
    machine,
    busyBeforePct: busy,
    method: { runs: RUNS, secondsPerSqliteRun: SECONDS, rttSamples: SAMPLES, messageBytes: MSG },
    results,
    floor: floorInfo,
  });
  await appendReport([
    `## limits — ${date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    machineLine(machine),
    versionsLine(machine),
    `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run.`,
    '',
    `Method: ${RUNS} runs, each of: raw better-sqlite3 durable commits for ${SECONDS} s (WAL,`,
    "synchronous=FULL, exclusive locking: the storage's pragmas; one transaction of 1 or 100",
    `upserted ${MSG}-byte rows per commit, a new file each time); ${SAMPLES} sequential round trips of a`,
    `${MSG}-byte message over raw node:net loopback (TCP_NODELAY) to an echo server in a second process;`,
    `and ${SAMPLES} rounds in which one process sends to two echo processes and waits for the first`,
    'answer (a leader waiting for a majority of three). Figures: median (min–max) over the runs.',
    '',
    ...table(
      ['reference', 'rate', 'p50 ms', 'p99 ms'],
      [
        ...results.sqlite.map((s) => [
          `SQLite durable commit, batch ${s.batch}`,
          `${range(s.commitsPerSec)} commits/s (${range(s.rowsPerSec)} rows/s)`,
          range(s.p50),
          range(s.p99),
        ]),
        [
          'node:net RTT, 2 processes',
          '—',
          range(results.rttTwoProcesses.p50),
          range(results.rttTwoProcesses.p99),
        ],
        [
          'first of two replies, 3 processes',
          '—',
          range(results.rttFirstOfTwo.p50),
          range(results.rttFirstOfTwo.p99),
        ],
      ],
    ),
    '',
    `Physical floor of one commit at 1 outstanding (majority RTT + one fsync'd commit, p50s):`,
    `${fmt(majority)} + ${fmt(fsync)} = **${fmt(floorInfo.commitFloorMs)} ms**. The cluster suite compares its p50 at C=1 with this.`,
    `Raw data: bench/results/${file}.`,
  ]);
  console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
}
