#!/usr/bin/env node
// Core benchmark (issue 8, suite 6): the protocol alone, three nodes in one process on core's
// MemoryNetwork and MemoryStorage (no disk, no sockets, no encryption), a closed-loop load of
// 100-byte commands from the leader's app with 1, 8, 64, 256 and 1024 outstanding: commands/s,
// latency, and CPU per command (all three nodes share this process, so CPU time / commands is
// the whole cluster's protocol cost of one command). One extra run per profiled level is
// profiled (V8 CPU profiler over the measured window); the hottest functions go to the report.
//
// With --op read the load is linearizable reads (leader.read) instead of commands, with --op mix
// each client alternates a command and a read: the read path's cost and garbage (issue 13).
//
//   npm run bench -- core [--runs 3] [--seconds 3] [--levels 1,8,64,256,1024] [--profile 256,1024]
//                         [--op write|read|mix]
//
// Writes bench/results/core-<date>.json and appends a section to bench/REPORT.md.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { benchArgs } from './lib/args.mjs';
import { initLog, MemoryNetwork, MemoryStorage, startNode } from '@synod/core';
import { BenchStateMachine } from './lib/bench-sm.mjs';
import {
  appendReport,
  BENCH_DIR,
  fmt,
  log,
  machineInfo,
  machineLine,
  range,
  saveResults,
  sleep,
  stamp,
  summary,
  table,
  versionsLine,
  waitQuiet,
} from './lib/common.mjs';
import { startCpuProfile } from './lib/cpu-profile.mjs';
import { now, startLoad } from './lib/load.mjs';
import { summarizeProfile } from './lib/profile.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '0.5' },
    levels: { type: 'string', default: '1,8,64,256,1024' },
    profile: { type: 'string', default: '256,1024' },
    op: { type: 'string', default: 'write' },
  },
});
const OP = opts.op;
if (!['write', 'read', 'mix'].includes(OP)) throw new Error(`--op ${OP}: write, read or mix`);
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const LEVELS = opts.levels.split(',').map(Number);
const PROFILE = opts.profile === '' ? [] : opts.profile.split(',').map(Number);
const SIZE = 100;

async function cluster() {
  const net = new MemoryNetwork();
  const ids = ['a', 'b', 'c'];
  const storages = ids.map(() => new MemoryStorage());
  await initLog(storages[0], 'a', new BenchStateMachine());
  const nodes = await Promise.all(
    ids.map((id, i) =>
      startNode({
        id,
        storage: storages[i],
        transport: net.connect(id),
        stateMachine: new BenchStateMachine(),
      }),
    ),
  );
  await nodes[0].addPeer('b');
  await nodes[0].addPeer('c');
  return nodes;
}

let gcMs = 0;
// Full (mark-compact) GCs: garbage promoted to the old generation shows as many of them.
let fullGcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    const d = /** @type {unknown} */ (/** @type {{ detail?: unknown }} */ (e).detail);
    if (typeof d === 'object' && d !== null && 'kind' in d)
      if (d.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++;
  }
}).observe({ entryTypes: ['gc'] });

/**
 * What one client does per operation: a command, a linearizable read, or the two in turn.
 * @param {import('@synod/core').SynodNode<BenchStateMachine>} leader
 */
function operation(leader) {
  const read = (/** @type {object} */ o) => leader.read((sm) => sm.count, o);
  if (OP === 'read') return (/** @type {Uint8Array} */ _cmd, /** @type {object} */ o) => read(o);
  if (OP === 'write')
    return (/** @type {Uint8Array} */ cmd, /** @type {object} */ o) => leader.propose(cmd, o);
  let n = 0;
  return (/** @type {Uint8Array} */ cmd, /** @type {object} */ o) =>
    n++ % 2 === 0 ? leader.propose(cmd, o) : read(o);
}

/**
 * One measured load on a fresh cluster.
 * @param {number} conc @param {string} [profileFile]
 */
async function measure(conc, profileFile) {
  const nodes = await cluster();
  const leader = nodes[0];
  const from = now() + WARMUP * 1000;
  const load = startLoad(operation(leader), { conc, size: SIZE, from });
  await sleep(WARMUP * 1000);
  const gc0 = gcMs;
  const full0 = fullGcs;
  const prof = profileFile !== undefined ? await startCpuProfile() : undefined;
  await sleep(SECONDS * 1000);
  const r = await load.stop();
  if (prof !== undefined && profileFile !== undefined) await prof.stop(profileFile);
  const gc = gcMs - gc0;
  const full = fullGcs - full0;
  const window = (r.stopAt - from) / 1000;
  const t0 = now();
  while (nodes.some((n) => n.stateMachine.count !== leader.stateMachine.count) && now() - t0 < 5000)
    await sleep(5);
  const counts = nodes.map((n) => n.stateMachine.count);
  const hashes = new Set(nodes.map((n) => n.stateMachine.hash));
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const slots = leader.status().slotOut;
  for (const n of nodes) await n.stop();
  const lat = r.latency;
  return {
    conc,
    commandsPerSec: r.counted / window,
    p50: lat.p50,
    p99: lat.p99,
    p999: lat.p999,
    cpuUsPerCommand: r.cpuUs / r.counted,
    cpuPct: r.cpuUs / 1e4 / window,
    gcPct: (100 * gc) / 1000 / window,
    fullGcsPerSec: full / window,
    // Commands only (a read takes no slot).
    commandsPerSlot: (OP === 'write' ? r.total : OP === 'mix' ? r.total / 2 : 0) / slots,
    heapMiB,
    errors: r.errors,
    replicasAgree: hashes.size === 1 && new Set(counts).size === 1,
    counts,
  };
}

const machine = machineInfo();
log(`core bench: ${RUNS} runs x ${SECONDS} s per level ${LEVELS.join(',')}`);
const quiet = await waitQuiet();
/** @type {Record<number, Awaited<ReturnType<typeof measure>>[]>} */
const runs = {};
for (let run = 0; run < RUNS; run++) {
  for (const conc of LEVELS) {
    const r = await measure(conc);
    (runs[conc] ??= []).push(r);
    log(
      `run ${run + 1} C=${conc}: ${fmt(r.commandsPerSec)} cmd/s p50 ${fmt(r.p50)} ms ` +
        `p99 ${fmt(r.p99)} ms, ${fmt(r.cpuUsPerCommand)} µs CPU/cmd, gc ${fmt(r.gcPct)}% ` +
        `(${fmt(r.fullGcsPerSec)} full/s), ` +
        `${fmt(r.commandsPerSlot)} cmd/slot`,
    );
  }
}

const date = new Date().toISOString();
const profDir = join(BENCH_DIR, 'profiles');
/** @type {{ conc: number, file: string, summary: ReturnType<typeof summarizeProfile> }[]} */
const profiles = [];
for (const conc of PROFILE) {
  mkdirSync(profDir, { recursive: true });
  const file = join(profDir, `core-C${conc}-${stamp(new Date(date))}.cpuprofile`);
  const r = await measure(conc, file);
  log(`profiled C=${conc}: ${fmt(r.commandsPerSec)} cmd/s -> ${file}`);
  profiles.push({ conc, file, summary: summarizeProfile(file) });
}

const results = LEVELS.map((conc) => {
  const rs = runs[conc];
  return {
    conc,
    commandsPerSec: summary(rs.map((r) => r.commandsPerSec)),
    p50: summary(rs.map((r) => r.p50)),
    p99: summary(rs.map((r) => r.p99)),
    p999: summary(rs.map((r) => r.p999)),
    cpuUsPerCommand: summary(rs.map((r) => r.cpuUsPerCommand)),
    gcPct: summary(rs.map((r) => r.gcPct)),
    fullGcsPerSec: summary(rs.map((r) => r.fullGcsPerSec)),
    commandsPerSlot: summary(rs.map((r) => r.commandsPerSlot)),
    agree: rs.every((r) => r.replicasAgree),
    runs: rs,
  };
});
const file = saveResults('core', date, {
  suite: 'core',
  date,
  machine,
  quietBeforePct: quiet,
  method: { runs: RUNS, secondsPerRun: SECONDS, warmupS: WARMUP, commandBytes: SIZE, op: OP },
  results,
  profiles: profiles.map((p) => ({
    conc: p.conc,
    file: p.file,
    busyMs: p.summary.totalMs - p.summary.idleMs,
    gcMs: p.summary.gcMs,
    areas: p.summary.areas.slice(0, 12),
    self: p.summary.self.slice(0, 30),
    inclusive: p.summary.inclusive.slice(0, 40),
  })),
});

const ms = (/** @type {number} */ x) => fmt(x);
await appendReport([
  `## core${OP === 'write' ? '' : ` (--op ${OP})`} — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  `Load: the machine was ${fmt(quiet)}% busy (all cores) just before the run; other sessions share it.`,
  '',
  'Method: three nodes in one process on `MemoryNetwork` + `MemoryStorage` (no disk, sockets or',
  `encryption): the protocol and runtime alone. A fresh cluster per measurement; closed loop of`,
  `${SIZE}-byte commands from the leader's app, C outstanding; ${WARMUP} s warm-up, then ${SECONDS} s`,
  `measured; ${RUNS} runs per level, interleaved. CPU µs/command is this process's CPU time (all`,
  'three nodes and the load generator) over the commands committed: the protocol cost of one',
  'command across the cluster. Figures: median (min–max) over the runs.',
  ...(OP === 'write'
    ? []
    : [
        OP === 'read'
          ? 'Operations are linearizable reads (`leader.read`), not commands: the columns count reads.'
          : 'Each client alternates a command and a linearizable read: the columns count both.',
      ]),
  '',
  ...table(
    [
      'C',
      'commands/s',
      'p50 ms',
      'p99 ms',
      'p999 ms',
      'CPU µs/command',
      'GC % of wall',
      'full GCs/s',
      'commands/slot',
    ],
    results.map((r) => [
      String(r.conc),
      range(r.commandsPerSec),
      range(r.p50, ms),
      range(r.p99, ms),
      range(r.p999, ms),
      range(r.cpuUsPerCommand),
      range(r.gcPct),
      range(r.fullGcsPerSec),
      range(r.commandsPerSlot),
    ]),
  ),
  '',
  ...profiles.flatMap((p) => {
    const busy = p.summary.totalMs - p.summary.idleMs;
    return [
      `Profile at C=${p.conc} (${fmt(busy)} ms busy, GC ${fmt((100 * p.summary.gcMs) / busy)}%): ` +
        'self time of the hottest functions, % of busy time —',
      ...p.summary.self
        .slice(0, 8)
        .map((f) => `- ${fmt((100 * f.ms) / busy)}% \`${f.fn}\` (${f.area})`),
      '',
    ];
  }),
  `Raw data: bench/results/${file}; profiles (not committed): bench/profiles/.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
