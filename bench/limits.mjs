#!/usr/bin/env node
// Limits benchmark (issue 8, suite 5): the physical references of this machine, measured in the
// same run as the other suites: (a) raw SQLite durable commits with the storage's pragmas (WAL,
// synchronous=FULL, exclusive locking), one transaction per batch of 1 and of 100 rows of 100 B;
// (b) raw node:net loopback round trip of a 100-byte message between two processes; (c) the
// "first of two replies" round trip among three processes (one sends to two, waits for the
// first answer: what a leader waits for from a majority of three), over raw TCP and over Synod's
// libp2p transport (TCP + Noise + yamux). The floor of one command is (c) over the transport +
// one fsync'd commit of (a) at batch 1 (issue 13; the cluster suite measures it again in its own
// run and compares its p50 at 1 outstanding with that).
//
//   npm run bench -- limits [--runs 5] [--seconds 1] [--samples 3000]
//
// Writes bench/results/limits-<date>.json and appends a section to bench/REPORT.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
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
import { MSG, rawRoundTrips, sqliteCommits, transportFirstOfTwo } from './lib/floor.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    samples: { type: 'string', default: '3000' },
  },
});

await main();

async function main() {
  const RUNS = Number(opts.runs);
  const SECONDS = Number(opts.seconds);
  const SAMPLES = Number(opts.samples);
  const work = mkdtempSync(join(tmpdir(), 'synod-bench-limits-'));
  const machine = machineInfo(work);
  const busy = await busyPct(2000);
  const load0 = loadavg()[0];
  log(`limits bench: ${RUNS} runs; machine ${fmt(busy)}% busy`);

  /** @type {Record<string, ReturnType<typeof sqliteCommits>[]>} */
  const sqlite = { 1: [], 100: [] };
  /** @type {{ p50: number, p99: number, p999: number }[]} */
  const rtt2 = [];
  /** @type {{ p50: number, p99: number, p999: number }[]} */
  const rtt3 = [];
  /** @type {{ p50: number, p99: number, p999: number }[]} */
  const rttTransport = [];
  try {
    let n = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const batch of [1, 100]) {
        const r = sqliteCommits(join(work, `raw-${n++}.db`), batch, SECONDS);
        sqlite[batch].push(r);
        log(
          `run ${run + 1} sqlite batch ${batch}: ${fmt(r.commitsPerSec)} commits/s, p50 ${fmt(r.p50)} ms`,
        );
      }
      const raw = await rawRoundTrips(SAMPLES);
      rtt2.push(raw.rttTwoProcesses);
      rtt3.push(raw.firstOfTwo);
      const tr = await transportFirstOfTwo(SAMPLES);
      rttTransport.push(tr);
      log(
        `run ${run + 1} rtt: 2 processes p50 ${fmt(raw.rttTwoProcesses.p50)} ms; first of two p50 ` +
          `${fmt(raw.firstOfTwo.p50)} ms (raw TCP), ${fmt(tr.p50)} ms (Synod's libp2p transport)`,
      );
    }
  } finally {
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
    transportFirstOfTwo: rt(rttTransport),
  };
  const fsync = results.sqlite[0].p50.median;
  const majority = results.transportFirstOfTwo.p50.median;
  const floorInfo = {
    fsyncMs: fsync,
    majorityRttMs: majority,
    commitFloorMs: fsync + majority,
    rawTcpFloorMs: fsync + results.rttFirstOfTwo.p50.median,
    rule: "p50 of the first of two replies over Synod's libp2p transport + p50 of one durable SQLite commit (batch 1)",
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
    `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run; load average ${fmt(load0)} before, ${fmt(loadavg()[0])} after.`,
    '',
    `Method: ${RUNS} runs, each of: raw better-sqlite3 durable commits for ${SECONDS} s (WAL,`,
    "synchronous=FULL, exclusive locking: the storage's pragmas; one transaction of 1 or 100",
    `upserted ${MSG}-byte rows per commit, a new file each time); ${SAMPLES} sequential round trips of a`,
    `${MSG}-byte message over raw node:net loopback (TCP_NODELAY) to an echo server in a second process;`,
    `and ${SAMPLES} rounds in which one process sends to two echo processes and waits for the first`,
    "answer (a leader waiting for a majority of three), over raw TCP and over Synod's libp2p transport",
    '(TCP + Noise + yamux, Synod frames, echo peers in their own processes). Figures: median (min–max) over the runs.',
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
          'first of two replies, 3 processes, raw TCP',
          '—',
          range(results.rttFirstOfTwo.p50),
          range(results.rttFirstOfTwo.p99),
        ],
        [
          "first of two replies, 3 processes, Synod's libp2p transport",
          '—',
          range(results.transportFirstOfTwo.p50),
          range(results.transportFirstOfTwo.p99),
        ],
      ],
    ),
    '',
    `Floor of one command at 1 outstanding (first of two replies over the transport + one fsync'd commit, p50s):`,
    `${fmt(majority)} + ${fmt(fsync)} = **${fmt(floorInfo.commitFloorMs)} ms** (over raw TCP: ${fmt(floorInfo.rawTcpFloorMs)} ms).`,
    `Raw data: bench/results/${file}.`,
  ]);
  console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
}
