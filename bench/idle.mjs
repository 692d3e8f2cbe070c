#!/usr/bin/env node
// Idle benchmark (issue 13): what a 3-peer cluster costs when nobody writes. 3 peers in 3
// processes (libp2p + Noise on 127.0.0.1, SQLite synchronous=FULL, default options: heartbeat
// 50 ms, election timeout 300–600 ms), settled, then left alone: the CPU of the three processes
// (utime + stime from /proc) as a share of one core, and whether the leader changed (ballots
// before and after). The runtime arms one timer at the protocol's next deadline; it has no
// polling tick.
//
//   npm run bench -- idle [--seconds 30] [--passes 2]
//
// Goal (issue 13): ≤ 5% of one core for the 3 peers together. Writes bench/results/idle-<date>.json
// and appends a section to bench/REPORT.md.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  appendReport,
  fmt,
  log,
  machineInfo,
  machineLine,
  saveResults,
  sleep,
  summary,
  versionsLine,
  watchMachine,
} from './lib/common.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    passes: { type: 'string', default: '2' },
    settle: { type: 'string', default: '3' },
  },
});
const SECONDS = Number(opts.seconds);
const PASSES = Number(opts.passes);
const SETTLE_S = Number(opts.settle);
const GOAL_PCT = 5;
const machine = machineInfo(tmpdir());

/** @typedef {{ pass: number, clusterPct: number, perPeerPct: Record<string, number>, systemBusyPct: number, loadavg: number, leaderBefore: string | null, leaderAfter: string | null, slotsBefore: number, slotsAfter: number }} Pass */
/** @type {Pass[]} */
const passes = [];
for (let pass = 0; pass < PASSES; pass++) {
  const dir = join(tmpdir(), `synod-bench-idle-${process.pid}-${pass}`);
  rmSync(dir, { recursive: true, force: true });
  const peers = await startCluster(dir);
  try {
    const leader = await waitStable(peers, 120_000);
    await sleep(SETTLE_S * 1000);
    const before = (await leader.status()).status;
    const w = watchMachine(Object.fromEntries(peers.map((p) => [p.name, p.pid])), 1000);
    await sleep(SECONDS * 1000);
    const m = w.stop();
    const afterAll = await Promise.all(peers.map((p) => p.status()));
    const after = afterAll.find((s) => s.status.leaderActive)?.status ?? afterAll[0].status;
    const clusterPct = Object.values(m.cpuPctOfOneCore).reduce((a, b) => a + b, 0);
    passes.push({
      pass,
      clusterPct,
      perPeerPct: m.cpuPctOfOneCore,
      systemBusyPct: m.systemBusyPct,
      loadavg: m.loadavg,
      leaderBefore: before.activeLeader,
      leaderAfter: after.activeLeader,
      slotsBefore: before.slotOut,
      slotsAfter: after.slotOut,
    });
    log(
      `idle pass ${pass + 1}: cluster ${fmt(clusterPct)}% of one core over ${SECONDS} s ` +
        `(machine ${fmt(m.systemBusyPct)}% busy, load ${fmt(m.loadavg)}); leader ` +
        `${before.activeLeader === after.activeLeader ? 'unchanged' : 'CHANGED'}`,
    );
  } finally {
    await closeAll(peers);
    rmSync(dir, { recursive: true, force: true });
  }
}

const date = new Date().toISOString();
const s = summary(passes.map((p) => p.clusterPct));
const changes = passes.filter((p) => p.leaderBefore !== p.leaderAfter).length;
const goal = { medianPct: s.median, met: s.median <= GOAL_PCT };
const file = saveResults('idle', date, {
  suite: 'idle',
  date,
  machine,
  method: { seconds: SECONDS, passes: PASSES, settleS: SETTLE_S },
  clusterPctOfOneCore: s,
  leaderChanges: changes,
  goal,
  passes,
});
await appendReport([
  `## idle — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  '',
  `Method: 3 peers in 3 processes (libp2p + Noise, SQLite synchronous=FULL, default options),`,
  `settled for ${SETTLE_S} s, then ${SECONDS} s without a command; CPU (utime + stime) of the three`,
  `processes as a share of one core. ${PASSES} passes, each on a fresh cluster.`,
  '',
  ...passes.map(
    (p) =>
      `- pass ${p.pass + 1}: **${fmt(p.clusterPct)}%** of one core (${Object.entries(p.perPeerPct)
        .map(([k, v]) => `${k} ${fmt(v)}%`)
        .join(', ')}); machine ${fmt(p.systemBusyPct)}% busy, load ${fmt(p.loadavg)}; leader ${
        p.leaderBefore === p.leaderAfter ? 'unchanged' : 'changed'
      }`,
  ),
  '',
  `Idle cluster: median **${fmt(s.median)}%** of one core. Goal (≤ ${GOAL_PCT}%): ${goal.met ? 'met' : 'NOT met'}.`,
  `Leader changes while idle: ${changes} of ${PASSES} passes.`,
  '',
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
