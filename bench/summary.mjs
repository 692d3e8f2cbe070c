// Summary of a benchmark run (issues 8 and 13): reads the newest results of every suite in
// bench/results (with --since, only those written after that time: `npm run bench` passes the
// start of the run) and appends to bench/REPORT.md the goals of issue 13, each met or not with
// its figure, the Synod/etcd ratio per level, and the ratios to the physical limits. It measures
// nothing itself; `npm run bench` runs it last.
//
//   npm run bench -- summary [--since 2026-11-27T03:00:00Z]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { appendReport, fmt, log, parseJson, range, RESULTS_DIR, table } from './lib/common.mjs';

const { values: opts } = benchArgs({ options: { since: { type: 'string' } } });
const since = opts.since === undefined ? '' : new Date(opts.since).toISOString();

/**
 * The parts of each suite's results this summary reads.
 * @typedef {import('./lib/common.mjs').Stat} Stat
 * @typedef {{ file: string, date: string, machine: { gitHead?: string, coreDirty?: boolean },
 *   busyBeforePct?: number, quietBeforePct?: number, [k: string]: unknown }} Result
 * @typedef {{ commandsPerSec: Stat, p50: Stat }} SystemLevel
 * @typedef {{ conc: number, synod?: SystemLevel, etcd?: SystemLevel, ratio: number,
 *   p50Ratio: number }} ClusterLevel
 * @typedef {Result & { results: ClusterLevel[], floor?: { floorMs: Stat },
 *   chart?: string, goals: {
 *     throughput256: { ratio: number, cpuUsPerCommand: number, met: boolean } | null,
 *     latency1: { p50: number, etcdP50: number, floorMs: number, vsFloor: number, met: boolean } | null,
 *     idle: { cpuPctOfOneCore: number, etcd: number, met: boolean } | null,
 *     leaderChanges: { minutes: number, changes: number, met: boolean } | null,
 *     rss1024: { peakMiB: number, met: boolean } | null } }} ClusterResult
 * @typedef {Result & { floor: { commitFloorMs: number },
 *   results: { sqlite: { batch: number, rowsPerSec: Stat }[] } }} LimitsResult
 * @typedef {Result & { method: { runs: number }, goal: { conc: number, totalS: number, met: boolean },
 *   results: { conc: number, totalS: Stat, allEqual: boolean }[] }} TraceResult
 * @typedef {Result & { method: { kills: number }, failoverMs: Stat, goal: { met: boolean },
 *   chart?: string }} FailoverResult
 * @typedef {Result & { method: { commands: number }, goal: { met: boolean },
 *   results: { scenario: string, startToCurrentMs: Stat }[] }} CatchupResult
 * @typedef {Result & { method: { slots: number }, goal: { met: boolean },
 *   results: { phase: string, startToReadMs: Stat, spawnToReadMs: Stat }[] }} RestartResult
 */

/** The newest results of a suite (written after --since), or undefined. @param {string} suite */
function newest(suite) {
  const files = readdirSync(RESULTS_DIR)
    .filter((f) => f.startsWith(`${suite}-`) && f.endsWith('.json'))
    .sort();
  for (let i = files.length - 1; i >= 0; i--) {
    const r = /** @type {Result} */ (parseJson(readFileSync(join(RESULTS_DIR, files[i]), 'utf8')));
    if (r.date >= since) return { ...r, file: files[i] };
  }
  return undefined;
}

const SUITES = [
  'limits',
  'storage',
  'transport',
  'core',
  'cluster',
  'trace',
  'failover',
  'catchup',
  'restart',
];
/** @type {Record<string, Result | undefined>} */
const res = Object.fromEntries(SUITES.map((s) => [s, newest(s)]));
const missing = SUITES.filter((s) => res[s] === undefined);
if (missing.length === SUITES.length) {
  log('summary: no results to summarize');
  process.exit(1);
}

const yes = (/** @type {boolean | undefined} */ b) =>
  b === undefined ? 'not measured' : b ? 'met' : '**NOT met**';
const x = (/** @type {number} */ v) => (Number.isFinite(v) ? `${fmt(v)}x` : '—');

// ------------------------------------------------------------------ the goals

/** @type {string[][]} */
const goals = [];
const cluster = /** @type {ClusterResult | undefined} */ (res.cluster);
const limits = /** @type {LimitsResult | undefined} */ (res.limits);
// The floor measured in the cluster run itself, else the one of `limits`.
const floorMs = cluster?.floor?.floorMs?.median ?? limits?.floor.commitFloorMs ?? NaN;
if (cluster !== undefined) {
  const g = cluster.goals;
  const at256 = cluster.results.find((r) => r.conc === 256);
  goals.push([
    "C=256: ≥ 10x etcd's gRPC puts/s; CPU ≤ 27 µs per command (cluster)",
    g.throughput256 === null || at256 === undefined
      ? '—'
      : `${range(at256.synod.commandsPerSec)} commands/s, ${x(g.throughput256.ratio)} etcd's ${at256.etcd === undefined ? '—' : fmt(at256.etcd.commandsPerSec.median)} puts/s; ${fmt(g.throughput256.cpuUsPerCommand)} µs/command`,
    yes(g.throughput256?.met),
  ]);
  const at1 = cluster.results.find((r) => r.conc === 1);
  goals.push([
    "C=1: p50 ≤ etcd's p50 and ≤ 1.5x the floor",
    g.latency1 === null || at1 === undefined
      ? '—'
      : `p50 ${range(at1.synod.p50)} ms; etcd ${fmt(g.latency1.etcdP50)} ms; floor ${fmt(g.latency1.floorMs)} ms (${x(g.latency1.vsFloor)})`,
    yes(g.latency1?.met),
  ]);
  goals.push([
    'idle 3-peer cluster ≤ 5% of one core',
    g.idle === null ? '—' : `${fmt(g.idle.cpuPctOfOneCore)}% (etcd ${fmt(g.idle.etcd)}%)`,
    yes(g.idle?.met),
  ]);
  goals.push([
    'no leader change in a 10-minute run at C=64',
    g.leaderChanges === null
      ? '— (run the cluster suite with --minutes 10)'
      : `${g.leaderChanges.changes} in ${fmt(g.leaderChanges.minutes)} min`,
    yes(g.leaderChanges?.met),
  ]);
  goals.push([
    'RSS < 150 MB per peer at C=1024',
    g.rss1024 === null
      ? '—'
      : `peak ${fmt(g.rss1024.peakMiB)} MiB (${fmt(g.rss1024.peakMiB * 1.048576)} MB)`,
    yes(g.rss1024?.met),
  ]);
}
const trace = /** @type {TraceResult | undefined} */ (res.trace);
if (trace !== undefined) {
  const best = trace.results.find((r) => r.conc === trace.goal.conc);
  goals.push([
    'trace: 259,778 edits on 3 peers in < 5 s, every replica = endContent',
    `${range(best.totalS)} s (${trace.method.runs} runs, C=${trace.goal.conc}); replicas = endContent: ${best.allEqual ? 'yes' : 'NO'}`,
    yes(trace.goal.met),
  ]);
}
const failover = /** @type {FailoverResult | undefined} */ (res.failover);
if (failover !== undefined) {
  const enough = failover.method.kills >= 10;
  goals.push([
    'failover: median < 1 s over ≥ 10 kills (SIGKILL of the leader)',
    `median ${fmt(failover.failoverMs.median)} ms, max ${fmt(failover.failoverMs.max)} ms over ${failover.failoverMs.n} kills`,
    enough
      ? yes(failover.goal.met)
      : `${yes(failover.goal.met)} (only ${failover.method.kills} kills)`,
  ]);
}
const catchup = /** @type {CatchupResult | undefined} */ (res.catchup);
if (catchup !== undefined) {
  const full = catchup.method.commands >= 100_000;
  goals.push([
    'catch-up of 100k commands < 3 s',
    catchup.results.map((r) => `${r.scenario}: ${range(r.startToCurrentMs)} ms`).join('; ') +
      ` (${catchup.method.commands.toLocaleString('en-US')} commands)`,
    full ? yes(catchup.goal.met) : `${yes(catchup.goal.met)} (not at 100k commands)`,
  ]);
}
const restart = /** @type {RestartResult | undefined} */ (res.restart);
if (restart !== undefined) {
  const full = restart.method.slots >= 1_000_000;
  const h = restart.results.find((r) => r.phase === 'history');
  goals.push([
    'restart with 1M slots of history, to a served read, < 1 s',
    `${range(h.startToReadMs)} ms from the node's start; ${range(h.spawnToReadMs)} ms from the process spawn (${restart.method.slots.toLocaleString('en-US')} slots)`,
    full ? yes(restart.goal.met) : `${yes(restart.goal.met)} (not at 1M slots)`,
  ]);
}

// ------------------------------------------------------------------ ratios per level

/** @type {string[]} */
const ratios = [];
if (cluster !== undefined) {
  const sqlite = limits?.results.sqlite ?? [];
  const rows100 = sqlite.find((s) => s.batch === 100)?.rowsPerSec?.median ?? NaN;
  ratios.push(
    ...table(
      [
        'C',
        'Synod cmd/s',
        'etcd puts/s',
        'Synod/etcd',
        'Synod p50 ms',
        'etcd p50 ms',
        'p50 Synod/etcd',
        'p50 / floor',
        'cmd/s / raw SQLite rows/s (batch 100)',
      ],
      cluster.results.map((r) => [
        String(r.conc),
        r.synod === undefined ? '—' : range(r.synod.commandsPerSec),
        r.etcd === undefined ? '—' : range(r.etcd.commandsPerSec),
        x(r.ratio),
        r.synod === undefined ? '—' : fmt(r.synod.p50.median),
        r.etcd === undefined ? '—' : fmt(r.etcd.p50.median),
        x(r.p50Ratio),
        r.synod === undefined ? '—' : x(r.synod.p50.median / floorMs),
        r.synod === undefined ? '—' : x(r.synod.commandsPerSec.median / rows100),
      ]),
    ),
  );
}

const when = (/** @type {Result} */ r) =>
  `${r.date.slice(0, 16).replace('T', ' ')} UTC, Synod at ${r.machine.gitHead ?? '?'}${r.machine.coreDirty === true ? ' (core changed in the tree)' : ''}, machine ${fmt(r.busyBeforePct ?? r.quietBeforePct ?? NaN)}% busy before`;

await appendReport([
  `## summary — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `The goals of issue 13 against the newest results of each suite${since === '' ? '' : ` written since ${since.slice(0, 16).replace('T', ' ')} UTC`}.`,
  'The machine is shared (2 cores; other sessions run tests on it at the same time): figures are',
  'medians of several runs with min and max, and each suite says how busy the machine was.',
  '',
  ...table(['goal', 'figure', ''], goals, 'lll'),
  '',
  ...(ratios.length > 0
    ? [
        `Synod against etcd and the physical limits, per level C (floor: ${fmt(floorMs)} ms, the first`,
        "of two replies over Synod's transport + one durable SQLite commit, measured in the cluster run):",
        '',
        ...ratios,
        '',
      ]
    : []),
  'Results used:',
  '',
  ...SUITES.map((s) => {
    const r = res[s];
    return r === undefined
      ? `- ${s}: no results${since === '' ? '' : ' in this run'}`
      : `- ${s}: bench/results/${r.file} (${when(r)})`;
  }),
  ...(typeof cluster?.chart === 'string'
    ? ['', `![throughput against latency](results/${cluster.chart})`]
    : []),
  ...(typeof failover?.chart === 'string'
    ? ['', `![latency around each kill](results/${failover.chart})`]
    : []),
]);
console.log('wrote a summary section of bench/REPORT.md');
