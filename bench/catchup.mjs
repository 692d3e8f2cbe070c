#!/usr/bin/env node
// Catch-up benchmark (issue 8, suite 4a): a 3-peer cluster in 3 processes (libp2p + Noise on
// 127.0.0.1, SQLite with its default io, default options); one follower is shut down, the leader's
// app commits 100,000 commands of 100 B (C=256 outstanding) while it is away, then the follower
// restarts on its database and the time until it is current is measured: until it has applied
// every command the leader had applied when it came back. The app state is realistic in size
// (the benchmark state machine keeps the last value of each of 10,000 keys: about 1.1 MB), so a
// peer that missed more than the log retains catches up from a snapshot, then from decisions.
//
//   npm run bench -- catchup [--runs 3] [--commands 100000] [--keyspace 10000]
//                            [--scenarios batched,one-per-slot]
//
// Writes bench/results/catchup-<date>.json and appends a section to bench/REPORT.md.
import { rmSync } from 'node:fs';
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
import { DEFAULT_STORAGE } from './lib/durability.mjs';
import { now } from './lib/load.mjs';
import { closeAll, PeerProcess, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '3' },
    commands: { type: 'string', default: '100000' },
    keyspace: { type: 'string', default: '10000' },
    conc: { type: 'string', default: '256' },
    scenarios: { type: 'string', default: 'batched,one-per-slot' },
  },
});
const RUNS = Number(opts.runs);
const COMMANDS = Number(opts.commands);
const KEYSPACE = Number(opts.keyspace);
const CONC = Number(opts.conc);
const dir = join(tmpdir(), `synod-bench-catchup-${process.pid}`);
const machine = machineInfo(tmpdir());
const busy = await busyPct(2000);
const load0 = loadavg()[0];
log(`catchup bench: ${RUNS} runs of ${COMMANDS} commands missed; machine ${fmt(busy)}% busy`);

const ALL_SCENARIOS = [
  { name: 'batched', label: 'default options (many commands per slot)', protocol: {} },
  {
    name: 'one-per-slot',
    label: 'maxBatchCommands 1 on the leader (one command per slot: 100k slots)',
    protocol: { maxBatchCommands: 1 },
  },
];
const SCENARIOS = ALL_SCENARIOS.filter((s) => opts.scenarios.split(',').includes(s.name));

/** @type {Record<string, number | string | boolean | null>[]} */
const runs = [];
for (const sc of SCENARIOS) {
  const dirS = join(dir, sc.name);
  rmSync(dirS, { recursive: true, force: true });
  const peers = await startCluster(dirS, { keyspace: KEYSPACE, protocol: sc.protocol });
  try {
    for (let run = 0; run < RUNS; run++) {
      const leader = await waitStable(peers, 120_000);
      const i = peers.findIndex((p) => p !== leader);
      const away = peers[i];
      const before = (await away.status()).status.slotOut;
      await away.close();
      const fill = await leader.request('fill', { count: COMMANDS, conc: CONC }, 900_000);
      const ls = await leader.status();
      log(
        `${sc.name} run ${run + 1}: ${COMMANDS} commands committed in ${fmt(Number(fill.ms))} ms while ` +
          `${away.name} was away (slots ${before} -> ${ls.status.slotOut})`,
      );
      const back = new PeerProcess(away.name, away.db);
      peers[i] = back;
      await back.ready;
      const startAt = now();
      await back.start({ init: false, port: away.port, keyspace: KEYSPACE, protocol: sc.protocol });
      const startedAt = now();
      const target = (await leader.status()).sm.count;
      const done = await back.request('waitApplied', { count: target, timeoutMs: 300_000 });
      const bs = await back.status();
      const ls2 = await leader.status();
      const row = {
        scenario: sc.name,
        run,
        missedSlots: ls.status.slotOut - before,
        missedCommands: COMMANDS,
        fillMs: Number(fill.ms),
        spawnToCurrentMs: Number(done.at) - back.spawnedAt,
        startToCurrentMs: Number(done.at) - startAt,
        startMs: startedAt - startAt,
        catchupAfterStartMs: Number(done.at) - startedAt,
        hashesEqual: bs.sm.count === ls2.sm.count ? bs.sm.hash === ls2.sm.hash : null,
        load1: loadavg()[0],
        snapshotSlot: bs.status.snapshotSlot,
        leaderSnapshotSlot: ls2.status.snapshotSlot,
        resumedFrom: before,
      };
      runs.push(row);
      log(
        `${sc.name} run ${run + 1}: ${away.name} current ${fmt(row.startToCurrentMs)} ms after its start ` +
          `(${fmt(row.spawnToCurrentMs)} ms after its process was spawned); state equal: ${String(row.hashesEqual)}`,
      );
    }
  } finally {
    await closeAll(peers);
    rmSync(dirS, { recursive: true, force: true });
  }
}
rmSync(dir, { recursive: true, force: true });

const date = new Date().toISOString();
const results = SCENARIOS.map((sc) => {
  const rs = runs.filter((r) => r.scenario === sc.name);
  const pick = (/** @type {string} */ k) => summary(rs.map((r) => Number(r[k])));
  const missedSlots = pick('missedSlots');
  return {
    scenario: sc.name,
    label: sc.label,
    startToCurrentMs: pick('startToCurrentMs'),
    spawnToCurrentMs: pick('spawnToCurrentMs'),
    startMs: pick('startMs'),
    catchupAfterStartMs: pick('catchupAfterStartMs'),
    fillMs: pick('fillMs'),
    load1: pick('load1'),
    missedSlots,
    path:
      missedSlots.max < 1000
        ? 'decisions only (fewer missed slots than the 1,000 retained)'
        : 'snapshot, then decisions (more missed slots than the 1,000 retained)',
    equal: rs.every((r) => r.hashesEqual !== false),
  };
});
const goal = {
  medianMs: results[0].startToCurrentMs.median,
  worstScenarioMs: Math.max(...results.map((r) => r.startToCurrentMs.median)),
  met: Math.max(...results.map((r) => r.startToCurrentMs.median)) < 3000,
};
const file = saveResults('catchup', date, {
  suite: 'catchup',
  date,
  machine,
  busyBeforePct: busy,
  method: { runs: RUNS, commands: COMMANDS, keyspace: KEYSPACE, conc: CONC, commandBytes: 100 },
  results,
  goal,
  runs,
});
await appendReport([
  `## catchup — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run, load average ${fmt(load0)};`,
  'the "load" column is the 1-minute load average when each measurement ended.',
  '',
  `Method: 3 peers in 3 processes (libp2p + Noise, ${DEFAULT_STORAGE}; default options:`,
  "snapshot every 1,000 slots, 1,000 decisions retained). A follower shuts down; the leader's app",
  `commits ${COMMANDS.toLocaleString('en-US')} commands of 100 B (C=${CONC}); the follower restarts on its database and`,
  'its address, and is current once it has applied everything the leader had applied when it',
  `came back. App state: the last value of each of ${KEYSPACE.toLocaleString('en-US')} keys (about ${fmt((KEYSPACE * 108) / 2 ** 20)} MiB).`,
  `${RUNS} runs per scenario, each scenario on its own cluster.`,
  'Figures: median (min–max).',
  '',
  ...table(
    [
      'scenario',
      'missed slots',
      'catch-up path',
      'node start → current ms',
      'of which start ms',
      'spawn → current ms',
      'load',
      'state equal',
    ],
    results.map((r) => [
      r.label,
      range(r.missedSlots),
      r.path,
      `**${range(r.startToCurrentMs)}**`,
      range(r.startMs),
      range(r.spawnToCurrentMs),
      range(r.load1),
      r.equal ? 'yes' : 'NO',
    ]),
  ),
  '',
  '"node start → current": from the request to open the storage, create the transport and start',
  'the node until the replica is current; "spawn → current" adds Node.js start-up and module',
  `loading of the new process. The fill (${COMMANDS.toLocaleString('en-US')} commands committed while the peer was away) took ` +
    results.map((r) => `${range(r.fillMs)} ms (${r.scenario})`).join(' and ') +
    '.',
  `Goal (catch-up of 100k commands in < 3 s): ${goal.met ? 'met' : 'NOT met'} (${results.map((r) => `${fmt(r.startToCurrentMs.median)} ms ${r.scenario}`).join(', ')}).`,
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
