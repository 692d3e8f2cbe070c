#!/usr/bin/env node
// Many logs per peer (issue 16): 3 host processes on 127.0.0.1 (@synod/peer's createHost: one
// libp2p node and one data directory each, each log its own core and SQLite file, WAL and
// synchronous=FULL), every log a 3-member group of the three, created by host 0 (its leader)
// and joined by the others with invites.
//
// - Busy: the committed commands/s of 1 log under a closed loop of `--conc` proposals of 100
//   bytes, then of `--busy` logs (10) sharing the same total load (conc / busy each), in the
//   same run; goal: the busy logs together ≥ 80% of the one log.
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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
import { freePort, PeerProcess } from './lib/peer.mjs';

const HOST_CHILD = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'host-child.mjs');
const { values: o } = parseArgs({
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

/** @type {PeerProcess[]} */
const hosts = ['h0', 'h1', 'h2'].map(
  (n) => new PeerProcess(n, join(dir, n, 'unused'), { child: HOST_CHILD }),
);

/** Create log `name` on host 0 and have hosts 1 and 2 join it. */
async function makeLog(/** @type {string} */ name) {
  const [h0, ...others] = hosts;
  await h0.request('create', { name });
  for (const h of others) {
    const { text } = await h0.request('invite', { name });
    await h.request('join', { name, invite: text }, 120_000);
  }
}

/** Until every host has `names` with 3 acceptors and all links up, and each log has a leader. */
async function waitReady(/** @type {string[]} */ names) {
  const deadline = Date.now() + Number(process.env.READY_MS ?? 300_000);
  for (;;) {
    const all = (await Promise.all(hosts.map((h) => h.request('status')))).map(
      (a) =>
        /** @type {Record<string, { acceptors: number, connected: number, leading: boolean }>} */ (
          a.logs
        ),
    );
    const ok = names.every((n) =>
      all.every(
        (logs) => logs[n] !== undefined && logs[n].acceptors === 3 && logs[n].connected === 2,
      ),
    );
    // Leadership may have moved off h0 (its proposals are then forwarded): any leader will do.
    const led = names.every((n) => all.some((logs) => logs[n]?.leading === true));
    if (ok && led) return;
    if (Date.now() > deadline) {
      throw new Error(`logs not ready in time: ${JSON.stringify(all)}`);
    }
    await sleep(200);
  }
}

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

/** Committed commands/s of `names` under `conc` proposals in flight in all, split evenly. */
async function busy(/** @type {string[]} */ names) {
  const per = Math.max(1, Math.round(conc / names.length));
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
try {
  await Promise.all(hosts.map((h) => h.ready));
  for (const h of hosts) {
    const port = await freePort();
    const a = await h.request('start', {
      dir: join(dir, h.name),
      port,
      durability: o.durability,
    });
    h.peer = String(a.peer);
  }
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
  for (let i = 1; i < nLogs; i += batch) {
    await Promise.all(names.slice(i, i + batch).map((n) => makeLog(n)));
    if (i + batch >= nBusy && i < nBusy) {
      await waitReady(names.slice(0, nBusy));
      many = await busy(names.slice(0, nBusy));
      log(`busy, ${nBusy} logs: ${fmt(many.perSec)}/s (load ${many.load1})`);
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
  if (many === undefined) throw new Error(`--busy ${nBusy} must be 2 to --logs ${nLogs}`);
  Object.assign(result, { idle1, idleN, perLog, busyOne: one, busyMany: many });
  const ratio = many.perSec / one.perSec;
  const worstCpu = Math.max(...perLog.map((p) => p.cpuPct));
  const worstRss = Math.max(...perLog.map((p) => p.rssMiB));
  Object.assign(result, { ratio, worstCpu, worstRss });
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
      [one, many].map((b) => [
        String(b.logs),
        String(b.concPerLog),
        fmt(b.perSec),
        String(b.load1),
      ]),
    ),
    '',
    `${nBusy} busy logs reach ${Math.round(ratio * 100)}% of one log's throughput (goal ≥ 80%: ${met(ratio >= 0.8)}).`,
  ]);
  log(
    `per idle log: ${fmt(worstCpu)}% CPU, ${fmt(worstRss)} MiB; ${nBusy} logs / 1 log = ${Math.round(ratio * 100)}%`,
  );
} finally {
  await Promise.all(hosts.map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
}
