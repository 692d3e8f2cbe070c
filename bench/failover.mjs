#!/usr/bin/env node
// Failover benchmark (issue 8, suite 3): a 3-peer cluster in 3 processes (libp2p + Noise on
// 127.0.0.1, SQLite with its default io, default LAN options) under a closed-loop load of 100-byte
// commands from the app of a follower (C outstanding); the leader is killed with SIGKILL. The
// failover time is from the kill until commands commit again: the end of the longest gap
// between two commits after the kill (commands the old leader had already decided may still
// trickle in for a moment). Then the killed peer restarts on its own database and rejoins, and
// the next round kills whoever leads then. Draws the latency of every command against time
// around each kill.
//
//   npm run bench -- failover [--kills 10] [--conc 8]
//
// Writes bench/results/failover-<date>.json + .svg and appends a section to bench/REPORT.md.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  busyPct,
  fmt,
  log,
  machineInfo,
  machineLine,
  renderChart,
  saveResults,
  sleep,
  stamp,
  summary,
  table,
  versionsLine,
} from './lib/common.mjs';
import { DEFAULT_STORAGE } from './lib/durability.mjs';
import { now } from './lib/load.mjs';
import { closeAll, PeerProcess, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    kills: { type: 'string', default: '10' },
    conc: { type: 'string', default: '8' },
    before: { type: 'string', default: '1.5' },
    after: { type: 'string', default: '1.5' },
  },
});
const KILLS = Number(opts.kills);
const CONC = Number(opts.conc);
const BEFORE_S = Number(opts.before);
const AFTER_S = Number(opts.after);
const SIZE = 100;
const dir = join(tmpdir(), `synod-bench-failover-${process.pid}`);
const machine = machineInfo(tmpdir());
const busy = await busyPct(2000);
log(`failover bench: ${KILLS} kills under C=${CONC}; machine ${fmt(busy)}% busy`);

/**
 * @typedef {{ round: number, failoverMs: number, lastBeforeMs: number, outageMs: number,
 *   trickle: number, newLeaderSameAsLoadPeer: boolean, maxLatencyMs: number, errors: Record<string, number> }} Round
 * @type {Round[]}
 */
const rounds = [];
/** @type {{ round: number, t: number, latency: number }[]} */
const points = [];

rmSync(dir, { recursive: true, force: true });
let peers = await startCluster(dir);
try {
  for (let round = 0; round < KILLS; round++) {
    const leader = await waitStable(peers, 120_000);
    const loader = peers.find((p) => p !== leader && !p.exited);
    if (loader === undefined) throw new Error('no live follower');
    await loader.request('loadStart', { conc: CONC, size: SIZE, from: 0, timeline: true });
    await sleep(BEFORE_S * 1000);
    const before = (await loader.status()).sm.count;
    const killAt = now();
    await leader.kill('SIGKILL');
    // Wait until commands commit again (the count grows past what was in flight), then a while.
    const t0 = now();
    for (;;) {
      const c = (await loader.status()).sm.count;
      if (c > before + 4 * CONC + 20) break;
      if (now() - t0 > 60_000) throw new Error('no commit within 60 s of the kill');
      await sleep(10);
    }
    await sleep(AFTER_S * 1000);
    const r = /** @type {import('./lib/load.mjs').LoadResult} */ (
      /** @type {unknown} */ (await loader.request('loadStop', {}, 120_000))
    );
    // Commits in time order; the failover ends at the end of the longest gap after the kill.
    const order = Array.from(r.timelineDone.keys()).sort(
      (a, b) => r.timelineDone[a] - r.timelineDone[b],
    );
    const done = order.map((i) => r.timelineDone[i]);
    const lats = order.map((i) => r.timelineLat[i]);
    let gapEnd = -1;
    let gap = 0;
    let prev = killAt;
    let lastBefore = -Infinity;
    for (let i = 0; i < done.length; i++) {
      if (done[i] <= killAt) {
        lastBefore = done[i];
        continue;
      }
      if (done[i] - prev > gap) {
        gap = done[i] - prev;
        gapEnd = i;
      }
      prev = done[i];
    }
    if (gapEnd < 0) throw new Error('no commit after the kill');
    const trickle = done.filter((t, i) => t > killAt && i < gapEnd).length;
    const resumeAt = done[gapEnd];
    const newLeader = await waitStable(
      peers.filter((p) => p !== leader),
      60_000,
    ).catch(() => undefined);
    const row = {
      round,
      failoverMs: resumeAt - killAt,
      lastBeforeMs: killAt - lastBefore,
      outageMs: resumeAt - (gapEnd > 0 ? done[gapEnd - 1] : lastBefore),
      trickle,
      newLeaderSameAsLoadPeer: newLeader === loader,
      maxLatencyMs: Math.max(...lats.filter((_, i) => done[i] > killAt - 100)),
      errors: r.errors,
    };
    rounds.push(row);
    for (let i = 0; i < done.length; i++) {
      const t = done[i] - killAt;
      if (t >= -BEFORE_S * 1000 + 200 && t <= 3000) points.push({ round, t, latency: lats[i] });
    }
    log(
      `kill ${round + 1}: commits resumed ${fmt(row.failoverMs)} ms after the kill ` +
        `(${trickle} decided commands trickled in first; longest command ${fmt(row.maxLatencyMs)} ms)`,
    );
    // The killed peer restarts on its own database and rejoins.
    const i = peers.indexOf(leader);
    const again = new PeerProcess(leader.name, leader.db);
    await again.start({ init: false, port: leader.port });
    peers[i] = again;
  }
} finally {
  await closeAll(peers);
  rmSync(dir, { recursive: true, force: true });
}
peers = [];

const date = new Date().toISOString();
const f = summary(rounds.map((r) => r.failoverMs));
// Per 10 ms bucket, the slowest command that completed in it, per round.
/** @type {Map<string, { round: number, t: number, latency: number }>} */
const buckets = new Map();
for (const p of points) {
  const t = Math.floor(p.t / 10) * 10;
  const k = `${p.round}:${t}`;
  const b = buckets.get(k);
  if (b === undefined || p.latency > b.latency)
    buckets.set(k, { round: p.round + 1, t, latency: p.latency });
}
const chart = await renderChart(`failover-${stamp(new Date(date))}`, {
  title: `Latency of committed commands around a SIGKILL of the leader (t = 0), ${KILLS} kills`,
  width: 640,
  height: 320,
  layer: [
    {
      data: { values: [...buckets.values()] },
      mark: { type: 'line', strokeWidth: 1, point: { size: 6 } },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'ms since the kill' },
        y: {
          field: 'latency',
          type: 'quantitative',
          title: 'slowest command completing in each 10 ms, ms',
          scale: { type: 'log' },
        },
        color: { field: 'round', type: 'nominal', title: 'kill' },
      },
    },
    {
      data: { values: [{ t: 0 }] },
      mark: { type: 'rule', color: 'red', strokeDash: [4, 4] },
      encoding: { x: { field: 't', type: 'quantitative' } },
    },
  ],
});
const goal = { medianMs: f.median, maxMs: f.max, met: f.median < 1000 };
const file = saveResults('failover', date, {
  suite: 'failover',
  date,
  machine,
  busyBeforePct: busy,
  method: { kills: KILLS, conc: CONC, commandBytes: SIZE, beforeS: BEFORE_S, afterS: AFTER_S },
  failoverMs: f,
  goal,
  rounds,
  chart,
});
await appendReport([
  `## failover — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run.`,
  '',
  `Method: 3 peers in 3 processes (libp2p + Noise, ${DEFAULT_STORAGE}; default options:`,
  'heartbeat 100 ms, election timeout 300–600 ms plus 4x the heartbeat lateness seen lately, so',
  "longer on a busy machine: docs/protocol.md, Failure detection). A follower's app keeps",
  `${CONC} proposals of ${SIZE} B outstanding; after ${BEFORE_S} s the leader is killed with SIGKILL.`,
  'Failover time: from the kill until commands commit again (the end of the longest gap between',
  'commits after the kill; commands the old leader had already decided may arrive just after it).',
  `The killed peer then restarts on its database and rejoins; ${KILLS} kills, each of the leader`,
  'of that moment.',
  '',
  ...table(
    ['kill', 'failover ms', 'decided commands trickling in first', 'slowest command ms'],
    rounds.map((r) => [
      String(r.round + 1),
      fmt(r.failoverMs),
      String(r.trickle),
      fmt(r.maxLatencyMs),
    ]),
  ),
  '',
  `Failover: median **${fmt(f.median)} ms**, min ${fmt(f.min)}, max ${fmt(f.max)} ms over ${f.n} kills.`,
  `Goal (median < 1 s with the default LAN settings): ${goal.met ? 'met' : 'NOT met'} (${fmt(f.median)} ms).`,
  '',
  `![latency around the kills](results/${chart})`,
  '',
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
