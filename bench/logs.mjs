#!/usr/bin/env node
// Many logs per peer (issue 16): 3 host processes on 127.0.0.1 (@synod/peer's createHost: one
// libp2p node and one data directory each, each log its own core and SQLite file, durability
// `full`: every commit synced, by the store's own fdatasync of the WAL with the default io
// 'split' on Linux), every log a 3-member group of the three, created by host 0 (its leader)
// and joined by the others with invites.
//
// - Busy: the committed commands/s of 1 log under a closed loop of `--conc` proposals of 100
//   bytes, then of `--busy` logs (10) sharing the same total load (conc / busy each), in the
//   same run; goal: the busy logs together ≥ 80% of the one log. Then the busy logs each as
//   busy as the one log (`--conc` each), the other reading of "10 busy logs".
// - Idle: each host's CPU (% of one core, utime + stime from /proc) and RSS over `--idle`
//   seconds with 1 log, then with `--logs` logs (50), nothing written; per idle log = the
//   difference / (logs − 1); goal ≤ 0.2% of a core and ≤ 2 MB each.
//
// The 1-minute load average is printed beside each figure (the machine is shared).
//
//   npm run bench -- logs [--logs 50] [--busy 10] [--conc 40] [--seconds 10] [--warmup 2]
//                         [--idle 20] [--durability full|normal-unsafe]
//
// Writes bench/results/logs-<date>.json and appends a section to bench/REPORT.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  fmt,
  log,
  machineInfo,
  machineLine,
  procTicks,
  rssMiB,
  saveResults,
  sleep,
  table,
} from './lib/common.mjs';
import { makeLog as makeLogOn, startHosts, waitReady as waitReadyOf } from './lib/hosts.mjs';

const { values: o } = benchArgs({
  options: {
    logs: { type: 'string', default: '50' },
    busy: { type: 'string', default: '10' },
    conc: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    idle: { type: 'string', default: '20' },
    durability: { type: 'string', default: 'full' },
  },
});
const nLogs = Number(o.logs);
const nBusy = Number(o.busy);
const conc = Number(o.conc);
const TICK_MS = 10; // /proc jiffies (USER_HZ = 100)
const load1 = () => Number(loadavg()[0].toFixed(1));
const date = new Date().toISOString();
const dir = mkdtempSync(join(tmpdir(), 'synod-bench-logs-'));

/** Each host's CPU (% of one core) and RSS (MiB) over `seconds` of nothing written. */
async function idle(/** @type {number} */ seconds) {
  const t0 = hosts.map((h) => procTicks(h.pid));
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const ms = performance.now() - w0;
  return hosts.map((h, i) => ({
    host: h.name,
    cpuPct: (100 * (procTicks(h.pid) - t0[i]) * TICK_MS) / ms,
    rssMiB: rssMiB(h.pid),
    load1: load1(),
  }));
}

/** Committed commands/s of `names` under `per` proposals in flight on each. */
async function busy(/** @type {string[]} */ names, per = conc) {
  const from = performance.timeOrigin + performance.now() + Number(o.warmup) * 1000;
  await hosts[0].request('load', { names, conc: per, size: 100, from });
  await sleep((Number(o.warmup) + Number(o.seconds)) * 1000);
  const r = await hosts[0].request('stopLoad', {}, 120_000);
  const per_log =
    /** @type {Record<string, { counted: number, firstStart: number, lastEnd: number }>} */ (
      r.logs
    );
  let counted = 0;
  let first = Infinity;
  let last = 0;
  for (const l of Object.values(per_log)) {
    counted += l.counted;
    first = Math.min(first, l.firstStart);
    last = Math.max(last, l.lastEnd);
  }
  const perSec = counted / ((last - first) / 1000);
  return { logs: names.length, concPerLog: per, counted, perSec, load1: load1() };
}

const result = { date, machine: machineInfo(dir), options: o };
/** @type {import('./lib/peer.mjs').PeerProcess[]} */
let hosts = [];
try {
  hosts = await startHosts(dir, ['h0', 'h1', 'h2'], { durability: o.durability });
  const makeLog = (/** @type {string} */ name) => makeLogOn(hosts[0], hosts.slice(1), name);
  const waitReady = (/** @type {string[]} */ names) => waitReadyOf(hosts, names);
  const names = Array.from({ length: nLogs }, (_, i) => `log${i}`);

  // One log: idle, then busy.
  await makeLog(names[0]);
  await waitReady([names[0]]);
  await sleep(2000);
  const idle1 = await idle(Number(o.idle));
  log(`idle, 1 log: ${JSON.stringify(idle1)}`);
  const one = await busy([names[0]]);
  log(`busy, 1 log: ${fmt(one.perSec)}/s (load ${one.load1})`);

  // The busy logs, then the rest, idle.
  // Two logs made at a time (each: a create and two joins).
  const batch = 2;
  /** @type {Awaited<ReturnType<typeof busy>> | undefined} */
  let many;
  /** @type {Awaited<ReturnType<typeof busy>> | undefined} */
  let manyEach;
  for (let i = 1; i < nLogs; i += batch) {
    await Promise.all(names.slice(i, i + batch).map((n) => makeLog(n)));
    if (i + batch >= nBusy && i < nBusy) {
      await waitReady(names.slice(0, nBusy));
      const busyNames = names.slice(0, nBusy);
      many = await busy(busyNames, Math.max(1, Math.round(conc / nBusy)));
      log(
        `busy, ${nBusy} logs sharing ${conc} in flight: ${fmt(many.perSec)}/s (load ${many.load1})`,
      );
      manyEach = await busy(busyNames);
      log(
        `busy, ${nBusy} logs, ${conc} in flight each: ${fmt(manyEach.perSec)}/s (load ${manyEach.load1})`,
      );
    }
    log(`${Math.min(nLogs, i + batch)} logs made`);
  }
  await waitReady(names);
  await sleep(5000);
  const idleN = await idle(Number(o.idle));
  log(`idle, ${nLogs} logs: ${JSON.stringify(idleN)}`);

  const perLog = idleN.map((x, i) => ({
    host: x.host,
    cpuPct: (x.cpuPct - idle1[i].cpuPct) / (nLogs - 1),
    rssMiB: (x.rssMiB - idle1[i].rssMiB) / (nLogs - 1),
  }));
  if (many === undefined || manyEach === undefined)
    throw new Error(`--busy ${nBusy} must be 2 to --logs ${nLogs}`);
  Object.assign(result, {
    idle1,
    idleN,
    perLog,
    busyOne: one,
    busyMany: many,
    busyManyEach: manyEach,
  });
  const ratio = many.perSec / one.perSec;
  const ratioEach = manyEach.perSec / one.perSec;
  const worstCpu = Math.max(...perLog.map((p) => p.cpuPct));
  const worstRss = Math.max(...perLog.map((p) => p.rssMiB));
  Object.assign(result, { ratio, ratioEach, worstCpu, worstRss });
  const file = saveResults('logs', date, result);
  const met = (/** @type {boolean} */ b) => (b ? 'met' : 'NOT met');
  await appendReport([
    `## logs — ${date.slice(0, 16)} (many logs per peer, issue 16)`,
    '',
    machineLine(result.machine),
    `3 host processes (createHost), every log a 3-member group created by h0, whose process runs the load (forwarded where leadership moved); durability ${o.durability}; results in bench/results/${file}.`,
    '',
    ...table(
      [
        'host',
        'CPU, 1 log',
        `CPU, ${nLogs} logs`,
        'RSS, 1 log',
        `RSS, ${nLogs} logs`,
        'per idle log',
        'load',
      ],
      idleN.map((x, i) => [
        x.host,
        `${fmt(idle1[i].cpuPct)}%`,
        `${fmt(x.cpuPct)}%`,
        `${fmt(idle1[i].rssMiB)} MiB`,
        `${fmt(x.rssMiB)} MiB`,
        `${fmt(perLog[i].cpuPct)}% · ${fmt(perLog[i].rssMiB)} MiB`,
        `${idle1[i].load1} / ${x.load1}`,
      ]),
    ),
    '',
    `Idle, per log (worst host): ${fmt(worstCpu)}% of a core (goal ≤ 0.2%: ${met(worstCpu <= 0.2)}), ${fmt(worstRss)} MiB (goal ≤ 2 MB: ${met(worstRss <= 2 / 1.048576)}).`,
    '',
    ...table(
      ['logs', 'proposals in flight per log', 'commands/s (all logs)', 'load'],
      [one, many, manyEach].map((b) => [
        String(b.logs),
        String(b.concPerLog),
        fmt(b.perSec),
        String(b.load1),
      ]),
    ),
    '',
    `${nBusy} busy logs sharing the one log's ${conc} proposals in flight reach ${Math.round(ratio * 100)}% of its throughput (goal ≥ 80%: ${met(ratio >= 0.8)}); each as busy as the one log (${conc} in flight each): ${Math.round(ratioEach * 100)}%.`,
  ]);
  log(
    `per idle log: ${fmt(worstCpu)}% CPU, ${fmt(worstRss)} MiB; ${nBusy} logs / 1 log = ${Math.round(ratio * 100)}%`,
  );
} finally {
  await Promise.all(hosts.map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
}
