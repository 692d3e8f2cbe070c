#!/usr/bin/env node
// Is C=1 ≤ 1.5x the floor reachable on this machine at all (issue 13)? Three figures in
// alternating windows of one run:
//   floor  issue 13's floor: one durable commit (back to back) + the first of two replies over
//          Synod's transport (lib/floor.mjs measureFloor)
//   ideal  phase 2 with no protocol: one process sends a 100-byte request to two others over
//          the same transport, then commits its own vote; each of the others commits before it
//          answers; done at a majority of the three votes (lib/floor.mjs idealRounds). Each
//          commit is the floor's transaction, synced as Synod syncs it (an fdatasync of the WAL);
//          the same transport and three processes on two cores and one disk as a C=1 Synod
//          command, and nothing else: what any implementation pays here.
//   synod  a 3-peer Synod cluster at C=1, as `cluster` runs it (fresh cluster, warmed at C=64)
// Prints each window's p50 (and CPU per command of the leader and a follower), then the medians,
// ideal / floor and synod / floor, and appends a section to bench/REPORT.md.
//
//   node bench/ideal-round.mjs [--passes 3] [--seconds 5] [--samples 3000]
//
// SYNOD_IDEAL_SYNC=full: the ideal round commits with SQLite's own sync (synchronous=FULL, an
// fsync), as the floor's commit does, instead of an fdatasync of the WAL, as Synod does.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  fmt,
  machineInfo,
  machineLine,
  median,
  procTicks,
  sleep,
  table,
  versionsLine,
} from './lib/common.mjs';
import { idealRounds, measureFloor } from './lib/floor.mjs';
import { now } from './lib/load.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    passes: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    samples: { type: 'string', default: '3000' },
  },
});
const SECONDS = Number(opts.seconds);
const SAMPLES = Number(opts.samples);
const work = mkdtempSync(join(tmpdir(), 'synod-bench-ideal-'));

/**
 * A window's p50, and CPU µs per command of the leader (the sender) and the mean follower (echo).
 * @typedef {{ p50: number, leaderCpuUs: number, followerCpuUs: number }} Window
 */

/** @param {number} pass @returns {Promise<Window>} */
async function synodWindow(pass) {
  const peers = await startCluster(join(work, `synod-${pass}`));
  try {
    const leader = await waitStable(peers);
    await leader.request('loadStart', { conc: 64, size: 100, from: Infinity });
    await sleep(3000);
    await leader.request('loadStop', {}, 300_000);
    const from = now() + 1000;
    await leader.request('loadStart', { conc: 1, size: 100, from });
    await sleep(1000);
    const ticks0 = peers.map((p) => procTicks(p.pid));
    await sleep(SECONDS * 1000);
    const ticks = peers.map((p, i) => (procTicks(p.pid) - ticks0[i]) * 10_000);
    /** @type {import('./lib/load.mjs').LoadResult} */
    const r = /** @type {any} */ (await leader.request('loadStop', {}, 300_000));
    // The commands of the CPU window: the load's rate over its counted window.
    const commands = (r.counted / (r.stopAt - from)) * SECONDS * 1000;
    const followers = ticks.filter((_, i) => peers[i] !== leader);
    return {
      p50: r.latency.p50,
      leaderCpuUs: ticks[peers.indexOf(leader)] / commands,
      followerCpuUs: followers.reduce((a, b) => a + b, 0) / followers.length / commands,
    };
  } finally {
    await closeAll(peers);
  }
}

/** @type {Record<'floor' | 'ideal' | 'synod', Window[]>} */
const seen = { floor: [], ideal: [], synod: [] };
/** @type {Record<'floor' | 'ideal' | 'synod', number[]>} */
const loads = { floor: [], ideal: [], synod: [] };
const machine = machineInfo(tmpdir());
const date = new Date().toISOString();
/** @type {Record<'floor' | 'ideal' | 'synod', (pass: number) => Promise<Window>>} */
const windows = {
  floor: async () => ({
    p50: (await measureFloor(work, { samples: SAMPLES })).floorMs,
    leaderCpuUs: NaN,
    followerCpuUs: NaN,
  }),
  ideal: async () => {
    const r = await idealRounds(work, SAMPLES);
    return {
      p50: r.p50,
      leaderCpuUs: r.senderCpuUs,
      followerCpuUs: (r.echoCpuUs[0] + r.echoCpuUs[1]) / 2,
    };
  },
  synod: synodWindow,
};
/** @param {Window[]} ws @param {keyof Window} k */
const med = (ws, k) => median(ws.map((w) => w[k]));
try {
  for (let pass = 0; pass < Number(opts.passes); pass++) {
    /** @type {('floor' | 'ideal' | 'synod')[]} */
    const order = pass % 2 === 0 ? ['floor', 'ideal', 'synod'] : ['synod', 'ideal', 'floor'];
    for (const name of order) {
      const w = await windows[name](pass);
      seen[name].push(w);
      loads[name].push(loadavg()[0]);
      const cpu = Number.isNaN(w.leaderCpuUs)
        ? ''
        : `, CPU µs/command: leader ${w.leaderCpuUs.toFixed(0)}, follower ${w.followerCpuUs.toFixed(0)}`;
      console.log(
        `pass ${pass + 1} ${name.padEnd(5)} p50 ${w.p50.toFixed(3)} ms${cpu} (load ${loadavg()[0].toFixed(2)})`,
      );
    }
  }
  const floor = med(seen.floor, 'p50');
  const ideal = med(seen.ideal, 'p50');
  const synod = med(seen.synod, 'p50');
  console.log(
    `medians: floor ${floor.toFixed(3)} ms; ideal ${ideal.toFixed(3)} ms (${(ideal / floor).toFixed(2)}x the floor); ` +
      `synod ${synod.toFixed(3)} ms (${(synod / floor).toFixed(2)}x the floor, ${(synod / ideal).toFixed(2)}x ideal); ` +
      `the goal is 1.5x the floor = ${(1.5 * floor).toFixed(3)} ms`,
  );
  console.log(
    `CPU µs per command, leader / follower: ideal ${med(seen.ideal, 'leaderCpuUs').toFixed(0)} / ${med(seen.ideal, 'followerCpuUs').toFixed(0)}, ` +
      `synod ${med(seen.synod, 'leaderCpuUs').toFixed(0)} / ${med(seen.synod, 'followerCpuUs').toFixed(0)}`,
  );
  /** @param {'floor' | 'ideal' | 'synod'} n @param {string} what */
  const row = (n, what) => {
    const p = med(seen[n], 'p50');
    const cpu = (/** @type {keyof Window} */ k) => (n === 'floor' ? '' : fmt(med(seen[n], k)));
    const lo = Math.min(...seen[n].map((w) => w.p50));
    const hi = Math.max(...seen[n].map((w) => w.p50));
    return [
      n,
      what,
      `${fmt(p)} (${fmt(lo)}–${fmt(hi)})`,
      `${(p / floor).toFixed(2)}x`,
      cpu('leaderCpuUs'),
      cpu('followerCpuUs'),
      fmt(median(loads[n])),
    ];
  };
  await appendReport([
    `## ideal-round — ${date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    machineLine(machine),
    versionsLine(machine),
    '',
    'Is C=1 ≤ 1.5x the floor reachable on this machine at all (issue 13)? Three windows, alternating in',
    `one run, ${opts.passes} passes (\`node bench/ideal-round.mjs\`): the floor of issue 13; phase 2 with no protocol`,
    "over the floor's own parts (one process sends a 100-byte request to two others over Synod's transport",
    'and commits its own vote, each other commits before it answers, done at a majority of the three',
    'votes; commits fdatasync the WAL as Synod does); and a fresh 3-peer Synod cluster at C=1, warmed.',
    'Figures: median (min–max) of the passes; CPU per command (utime + stime of the process).',
    '',
    ...table(
      ['window', 'what', 'p50 ms', '/ floor', 'leader CPU µs', 'follower CPU µs', 'load'],
      [
        row('floor', 'one commit (back to back) + the first of two replies over the transport'),
        row('ideal', 'phase 2 with no protocol: the same commits and transport, three processes'),
        row('synod', 'Synod at C=1'),
      ],
      'llrrrrr',
    ),
    '',
    `The goal is 1.5x the floor = ${fmt(1.5 * floor)} ms. Phase 2 with no protocol at all is ${(ideal / floor).toFixed(2)}x the floor;`,
    `Synod is ${(synod / ideal).toFixed(2)}x that.`,
  ]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
