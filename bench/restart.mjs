#!/usr/bin/env node
// Restart benchmark (issue 8, suite 4b): how long a peer with a long history takes to restart
// and serve a read. A 3-peer cluster in 3 processes (libp2p + Noise on 127.0.0.1, SQLite with
// its default io, default options: snapshot every 1,000 slots, 1,000 decisions retained)
// first decides 1,000,000 slots (one 100-byte command per slot: maxBatchCommands 1 on the
// proposer, C=256, default WINDOW 64; --window sets the log's WINDOW for the fill), then a follower is killed with SIGKILL and restarted on its database and
// address; measured: from the spawn of the new process (and from the request to start the node)
// until a linearizable read (confirmed by the leader with a majority) returns. The same restart
// is measured on a fresh cluster first, so that the cost of the history is separate from the
// cost of starting a process. Compaction is what keeps this short: the database keeps the newest
// snapshot and about a thousand decisions, not a million.
//
//   npm run bench -- restart [--runs 3] [--slots 1000000] [--keyspace 10000] [--conc 2048]
//                            [--window 1024] [--fill-durability full|normal-unsafe]
//
// --fill-durability normal-unsafe: the cluster fills the history without an fsync per batch (a
// million slots in a fraction of the time); the restarted peer opens its file with `full`.
//
// Writes bench/results/restart-<date>.json and appends a section to bench/REPORT.md.
import { rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { DEFAULT_STORAGE } from './lib/durability.mjs';
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
import { now } from './lib/load.mjs';
import { closeAll, PeerProcess, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '3' },
    slots: { type: 'string', default: '1000000' },
    keyspace: { type: 'string', default: '10000' },
    conc: { type: 'string', default: '256' },
    window: { type: 'string', default: '64' },
    'fill-durability': { type: 'string', default: 'full' },
  },
});
const RUNS = Number(opts.runs);
const SLOTS = Number(opts.slots);
const KEYSPACE = Number(opts.keyspace);
const CONC = Number(opts.conc);
// One command per slot, so that the history has as many slots as commands. --window sets the
// log's WINDOW (fixed when the log is created; default 64, the protocol's default).
const PROTOCOL = { maxBatchCommands: 1, window: Number(opts.window) };
// The cluster's durability while it fills the history (`normal-unsafe`: no fsync per batch, to
// decide a million slots in less time); every restart measured opens its file with `full`.
const FILL_DURABILITY = opts['fill-durability'] === 'normal-unsafe' ? 'normal-unsafe' : 'full';
const dir = join(tmpdir(), `synod-bench-restart-${process.pid}`);
const machine = machineInfo(tmpdir());
const busy = await busyPct(2000);
const load0 = loadavg()[0];
log(`restart bench: ${RUNS} restarts before and after ${SLOTS} slots; machine ${fmt(busy)}% busy`);

/** Bytes of a SQLite database with its WAL. @param {string} db */
function dbBytes(db) {
  let n = 0;
  for (const f of [db, `${db}-wal`]) {
    try {
      n += statSync(f).size;
    } catch {
      // absent
    }
  }
  return n;
}

/**
 * Kill a follower and restart it `RUNS` times; returns the timings.
 * @param {import('./lib/peer.mjs').PeerProcess[]} peers @param {string} phase
 */
async function restarts(peers, phase) {
  /** @type {Record<string, number | string>[]} */
  const out = [];
  for (let run = 0; run < RUNS; run++) {
    const leader = await waitStable(peers, 120_000);
    const i = peers.findIndex((p) => p !== leader);
    const victim = peers[i];
    const slotOut = (await victim.status()).status.slotOut;
    await victim.kill('SIGKILL');
    const bytes = dbBytes(victim.db);
    const back = new PeerProcess(victim.name, victim.db);
    peers[i] = back;
    const ready = await back.ready;
    const startAt = now();
    const started = await back.start({
      init: false,
      port: victim.port,
      keyspace: KEYSPACE,
      protocol: PROTOCOL,
    });
    const startedAt = now();
    const read = await back.request('read', { timeoutMs: 60_000 });
    const times = /** @type {{ openedAt: number, startedAt: number }} */ (started.times);
    const row = {
      phase,
      run,
      slotOut,
      dbBytes: bytes,
      moduleLoadMs: Number(ready.loadedAt) - back.spawnedAt,
      openMs: times.openedAt - startAt,
      startMs: startedAt - startAt,
      readMs: Number(read.at) - startedAt,
      startToReadMs: Number(read.at) - startAt,
      spawnToReadMs: Number(read.at) - back.spawnedAt,
      load1: loadavg()[0],
    };
    out.push(row);
    log(
      `${phase} run ${run + 1}: slot ${slotOut}, db ${fmt(bytes / 2 ** 20)} MiB: read served ` +
        `${fmt(row.startToReadMs)} ms after the start request (${fmt(row.spawnToReadMs)} ms after spawn; ` +
        `modules ${fmt(row.moduleLoadMs)}, open ${fmt(row.openMs)}, start ${fmt(row.startMs)}, read ${fmt(row.readMs)} ms)`,
    );
  }
  return out;
}

/** @type {Record<string, number | string>[]} */
const rows = [];
let fillMs = NaN;
let finalSlot = NaN;
rmSync(dir, { recursive: true, force: true });
const peers = await startCluster(dir, {
  keyspace: KEYSPACE,
  protocol: PROTOCOL,
  durability: FILL_DURABILITY,
});
try {
  rows.push(...(await restarts(peers, 'fresh')));
  const leader = await waitStable(peers, 120_000);
  const t0 = now();
  const chunk = 100_000;
  for (let done = 0; done < SLOTS; done += chunk) {
    const n = Math.min(chunk, SLOTS - done);
    await leader.request('fill', { count: n, conc: CONC }, 1_800_000);
    const s = (await leader.status()).status;
    log(`fill: slot ${s.slotOut} (${fmt(((done + n) / (now() - t0)) * 1000)} slots/s)`);
  }
  fillMs = now() - t0;
  finalSlot = (await leader.status()).status.slotOut;
  await Promise.all(
    peers.map((p) => p.request('waitApplied', { slot: finalSlot - 1, timeoutMs: 300_000 })),
  );
  rows.push(...(await restarts(peers, 'history')));
} finally {
  await closeAll(peers);
  rmSync(dir, { recursive: true, force: true });
}

const date = new Date().toISOString();
const results = ['fresh', 'history'].map((phase) => {
  const rs = rows.filter((r) => r.phase === phase);
  const pick = (/** @type {string} */ k) => summary(rs.map((r) => Number(r[k])));
  return {
    phase,
    slotOut: pick('slotOut'),
    dbMiB: summary(rs.map((r) => Number(r.dbBytes) / 2 ** 20)),
    moduleLoadMs: pick('moduleLoadMs'),
    openMs: pick('openMs'),
    startMs: pick('startMs'),
    readMs: pick('readMs'),
    startToReadMs: pick('startToReadMs'),
    spawnToReadMs: pick('spawnToReadMs'),
    load1: pick('load1'),
  };
});
const h = results[1];
const goal = {
  startToReadMs: h.startToReadMs.median,
  spawnToReadMs: h.spawnToReadMs.median,
  met: h.startToReadMs.median < 1000,
};
const file = saveResults('restart', date, {
  suite: 'restart',
  date,
  machine,
  busyBeforePct: busy,
  method: {
    runs: RUNS,
    slots: SLOTS,
    keyspace: KEYSPACE,
    conc: CONC,
    protocol: PROTOCOL,
    fillDurability: FILL_DURABILITY,
  },
  fillMs,
  finalSlot,
  results,
  goal,
  rows,
});
await appendReport([
  `## restart — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run, load average ${fmt(load0)};`,
  'the "load" column is the 1-minute load average when each measurement ended.',
  '',
  `Method: 3 peers in 3 processes (libp2p + Noise, ${DEFAULT_STORAGE}; default options:`,
  `snapshot every 1,000 slots, 1,000 decisions retained; WINDOW ${PROTOCOL.window}; app state: last value of each of`,
  `${KEYSPACE.toLocaleString('en-US')} keys). A follower is killed with SIGKILL and restarted on its database and address;`,
  'measured until a linearizable read on it returns (confirmed through the leader). First on a',
  `fresh cluster, then after ${SLOTS.toLocaleString('en-US')} slots were decided (one 100-byte command per slot, C=${CONC};`,
  `the fill took ${fmt(fillMs / 1000)} s, ${fmt((SLOTS / fillMs) * 1000)} slots/s, durability \`${FILL_DURABILITY}\` during the fill;`,
  `the restarted peer opens its file with \`full\`). ${RUNS} restarts each. Figures: median (min–max).`,
  '',
  ...table(
    [
      'history',
      'slot',
      'database MiB',
      'start → read ms',
      'open storage ms',
      'start node ms',
      'read ms',
      'spawn → read ms',
      'of which Node + modules ms',
      'load',
    ],
    results.map((r) => [
      r.phase === 'fresh' ? 'fresh log' : `${SLOTS.toLocaleString('en-US')} slots`,
      range(r.slotOut),
      range(r.dbMiB),
      `**${range(r.startToReadMs)}**`,
      range(r.openMs),
      range(r.startMs),
      range(r.readMs),
      range(r.spawnToReadMs),
      range(r.moduleLoadMs),
      range(r.load1),
    ]),
  ),
  '',
  '"start → read": from the request to open the storage, create the transport and start the node',
  'until the read returns ("start node" includes opening the storage; "read" is what follows:',
  'reconnecting to the members and the read itself). "spawn → read" adds the start of a new Node.js',
  'process and the loading of the modules (libp2p is most of it).',
  `Goal (restart with 1M slots of history and serve a read in < 1 s): ${goal.met ? 'met' : 'NOT met'} (${fmt(goal.startToReadMs)} ms from the start of the node; ${fmt(goal.spawnToReadMs)} ms including the process start).`,
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
