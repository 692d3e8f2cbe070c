#!/usr/bin/env node
// Cluster benchmark (issue 8, suite 1): 3 Synod peers in 3 processes on 127.0.0.1 (libp2p: TCP +
// Noise + yamux, mDNS off; SQLite with WAL and synchronous=FULL), a closed-loop load of 100-byte
// commands from the app in the leader's process with 1, 8, 64, 256 and 1024 outstanding:
// committed commands/s, latency p50/p99/p999, each peer's CPU and peak RSS. In the same run, the
// same load against a 3-member etcd cluster on 127.0.0.1 (Debian's etcd 3.4, the anchor's
// scripts, through etcd's HTTP/JSON gateway from a separate client process): the ratio
// Synod/etcd per level. Passes alternate Synod and etcd, each on a fresh cluster.
//
//   npm run bench -- cluster [--passes 3] [--seconds 5] [--warmup 1] [--levels 1,8,64,256,1024]
//                            [--no-etcd] [--profile 256]
//
// --profile C: after the passes, one more Synod run at C (not counted in the figures) with the
// V8 CPU profiler on the leader and on a follower over the window.
// Writes bench/results/cluster-<date>.json (+ an SVG chart) and appends to bench/REPORT.md.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  appendReport,
  BENCH_DIR,
  busyPct,
  fmt,
  latencySummary,
  log,
  machineInfo,
  parseJson,
  machineLine,
  range,
  RESULTS_DIR,
  renderChart,
  saveResults,
  sleep,
  stamp,
  summary,
  table,
  versionsLine,
  waitQuiet,
  watchMachine,
} from './lib/common.mjs';
import { ensureEtcd, etcdLoad, etcdPids, startEtcd, stopEtcd } from './lib/etcd.mjs';
import { now } from './lib/load.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';
import { summarizeProfile } from './lib/profile.mjs';

const { values: opts } = parseArgs({
  options: {
    passes: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    levels: { type: 'string', default: '1,8,64,256,1024' },
    'no-etcd': { type: 'boolean', default: false },
    profile: { type: 'string', default: '1,256' },
  },
});
const PASSES = Number(opts.passes);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const LEVELS = opts.levels.split(',').map(Number);
const WITH_ETCD = !opts['no-etcd'];
const PROFILE = opts.profile === '' ? [] : opts.profile.split(',').map(Number);
const SIZE = 100;
const work = join(tmpdir(), `synod-bench-cluster-${process.pid}`);
const date = new Date().toISOString();
const profDir = join(BENCH_DIR, 'profiles');

const machine = machineInfo(tmpdir());
const etcdVersion = WITH_ETCD ? ensureEtcd() : 'not run';
log(
  `cluster bench: ${PASSES} passes, levels ${LEVELS.join(',')}, ${WARMUP}+${SECONDS} s each` +
    `${WITH_ETCD ? `, etcd ${etcdVersion}` : ''}`,
);

/**
 * @typedef {{ system: string, pass: number, conc: number, commandsPerSec: number, p50: number,
 *   p99: number, p999: number, errors: Record<string, number>, cpu: Record<string, number>,
 *   rss: Record<string, number>, busyPct: number, othersPct: number, extra?: Record<string, unknown> }} Row
 * @type {Row[]}
 */
const rows = [];
/** @type {{ conc: number, role: string, file: string, commands: number, summary: ReturnType<typeof summarizeProfile> }[]} */
const profiles = [];
/** @type {{ pass: number, counts: number[], hashes: number[], agree: boolean }[]} */
const checks = [];

/**
 * Machine use over a window: others' share = all cores' busy time minus what we ran.
 * @param {ReturnType<ReturnType<typeof watchMachine>['stop']>} m
 */
function othersPct(m) {
  const ours = Object.values(m.cpuPctOfOneCore).reduce((a, b) => a + b, 0) + m.selfCpuPct;
  return Math.max(0, m.systemBusyPct * m.cores - ours);
}

/**
 * Per-peer figures over a window from two `counters` answers: storage writes (each one fsync),
 * CPU per committed command, frames.
 * @typedef {{ at: number, writes: { count: number, ms: number, maxMs: number }, cpuUs: number,
 *   framesSent: number, messagesSent: number, applied: number, slotOut: number }} Counters
 * @param {string} role @param {unknown} ua @param {unknown} ub
 */
function peerCounters(role, ua, ub) {
  const a = /** @type {Counters} */ (ua);
  const b = /** @type {Counters} */ (ub);
  const s = (b.at - a.at) / 1000;
  const applied = b.applied - a.applied;
  const writes = b.writes.count - a.writes.count;
  return {
    role,
    seconds: s,
    applied,
    commandsPerSec: applied / s,
    cpuPct: (b.cpuUs - a.cpuUs) / 1e4 / s,
    cpuUsPerCommand: (b.cpuUs - a.cpuUs) / applied,
    writesPerSec: writes / s,
    meanWriteMs: (b.writes.ms - a.writes.ms) / writes,
    maxWriteMs: b.writes.maxMs,
    writeBusyPct: (100 * (b.writes.ms - a.writes.ms)) / 1000 / s,
    commandsPerWrite: applied / writes,
    slotsPerSec: (b.slotOut - a.slotOut) / s,
    commandsPerSlot: applied / (b.slotOut - a.slotOut),
    framesSentPerSec: (b.framesSent - a.framesSent) / s,
    messagesPerFrame: (b.messagesSent - a.messagesSent) / (b.framesSent - a.framesSent),
  };
}

/** @param {number} pass */
async function synodPass(pass) {
  const dir = join(work, `synod-${pass}`);
  rmSync(dir, { recursive: true, force: true });
  const peers = await startCluster(dir);
  try {
    const leader = await waitStable(peers);
    const pids = Object.fromEntries(
      peers.map((p) => [p === leader ? `leader` : `follower-${p.name}`, p.pid]),
    );
    for (const conc of LEVELS) {
      await waitQuiet(15, 5000);
      const from = now() + WARMUP * 1000;
      await leader.request('loadStart', { conc, size: SIZE, from });
      await sleep(WARMUP * 1000);
      const w = watchMachine(pids);
      const c0 = await Promise.all(peers.map((p) => p.request('counters')));
      await sleep(SECONDS * 1000);
      const c1 = await Promise.all(peers.map((p) => p.request('counters')));
      /** @type {import('./lib/load.mjs').LoadResult} */
      const r = /** @type {any} */ (await leader.request('loadStop', {}, 300_000));
      const m = w.stop();
      const perPeer = peers.map((p, i) =>
        peerCounters(p === leader ? 'leader' : 'follower', c0[i], c1[i]),
      );
      const lat = latencySummary(r.latencies);
      const window = (r.stopAt - from) / 1000;
      const row = {
        system: 'synod',
        pass,
        conc,
        commandsPerSec: r.counted / window,
        p50: lat.p50,
        p99: lat.p99,
        p999: lat.p999,
        errors: r.errors,
        cpu: m.cpuPctOfOneCore,
        rss: m.peakRssMiB,
        busyPct: m.systemBusyPct,
        othersPct: othersPct(m),
        extra: { peers: perPeer },
      };
      rows.push(row);
      log(
        `pass ${pass + 1} synod C=${conc}: ${fmt(row.commandsPerSec)} cmd/s p50 ${fmt(row.p50)} ` +
          `p99 ${fmt(row.p99)} p999 ${fmt(row.p999)} ms; rss ${Object.values(m.peakRssMiB).map(fmt).join('/')} MiB; ` +
          `others ${fmt(row.othersPct)}% of a core${Object.keys(r.errors).length > 0 ? `; errors ${JSON.stringify(r.errors)}` : ''}`,
      );
    }
    // Every replica applied the same commands: wait until the followers caught up, compare.
    const target = (await leader.status()).sm.count;
    await Promise.all(peers.map((p) => p.request('waitApplied', { count: target })));
    const st = await Promise.all(peers.map((p) => p.status()));
    const counts = st.map((s) => s.sm.count);
    const hashes = st.map((s) => s.sm.hash);
    const agree = new Set(counts).size === 1 && new Set(hashes).size === 1;
    checks.push({ pass, counts, hashes, agree });
    log(
      `pass ${pass + 1}: replicas ${agree ? 'agree' : 'DISAGREE'} (${counts.join('/')} commands)`,
    );
  } finally {
    await closeAll(peers);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One more Synod run, profiled (leader and a follower), at each level of PROFILE. */
async function profilePass() {
  const dir = join(work, 'synod-profile');
  rmSync(dir, { recursive: true, force: true });
  const peers = await startCluster(dir);
  try {
    const leader = await waitStable(peers);
    const follower = peers.find((p) => p !== leader) ?? leader;
    for (const conc of PROFILE) {
      await leader.request('loadStart', { conc, size: SIZE, from: now() + WARMUP * 1000 });
      await sleep(WARMUP * 1000);
      await Promise.all([leader.request('profileStart'), follower.request('profileStart')]);
      await sleep(SECONDS * 1000);
      const files = [];
      for (const [role, p] of /** @type {const} */ ([
        ['leader', leader],
        ['follower', follower],
      ])) {
        mkdirSync(profDir, { recursive: true });
        const file = join(profDir, `cluster-${role}-C${conc}-${stamp(new Date(date))}.cpuprofile`);
        await p.request('profileStop', { file });
        files.push({ role, file });
      }
      const r = /** @type {import('./lib/load.mjs').LoadResult} */ (
        /** @type {unknown} */ (await leader.request('loadStop', {}, 300_000))
      );
      for (const f of files) {
        profiles.push({ conc, ...f, commands: r.counted, summary: summarizeProfile(f.file) });
      }
      log(`profiled C=${conc}: ${r.counted} commands in the window`);
    }
  } finally {
    await closeAll(peers);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @param {number} pass */
async function etcdPass(pass) {
  startEtcd();
  try {
    const pids = etcdPids();
    for (const conc of LEVELS) {
      await waitQuiet(15, 5000);
      const w = watchMachine(pids);
      const r = await etcdLoad(conc, SECONDS, WARMUP);
      const m = w.stop();
      const row = {
        system: 'etcd',
        pass,
        conc,
        commandsPerSec: r.opsPerSec,
        p50: r.p50,
        p99: r.p99,
        p999: r.p999,
        errors: r.errors,
        cpu: m.cpuPctOfOneCore,
        rss: m.peakRssMiB,
        busyPct: m.systemBusyPct,
        othersPct: othersPct(m),
        extra: { revisionCheck: r.revisionCheck, putsPerFsync: r.putsPerLeaderFsync },
      };
      rows.push(row);
      log(
        `pass ${pass + 1} etcd  C=${conc}: ${fmt(row.commandsPerSec)} puts/s p50 ${fmt(row.p50)} ` +
          `p99 ${fmt(row.p99)} p999 ${fmt(row.p999)} ms; revisions ${r.revisionCheck}; ` +
          `${fmt(r.putsPerLeaderFsync)} puts/fsync`,
      );
    }
  } finally {
    stopEtcd();
  }
}

const quiet = await busyPct(2000);
try {
  for (let pass = 0; pass < PASSES; pass++) {
    // Alternate which system goes first, so that drift in the machine's load hits both alike.
    if (pass % 2 === 0 || !WITH_ETCD) {
      await synodPass(pass);
      if (WITH_ETCD) await etcdPass(pass);
    } else {
      await etcdPass(pass);
      await synodPass(pass);
    }
  }
  if (PROFILE.length > 0) await profilePass();
} finally {
  rmSync(work, { recursive: true, force: true });
}

// ------------------------------------------------------------------ figures

/** @param {string} system @param {number} conc */
function agg(system, conc) {
  const rs = rows.filter((r) => r.system === system && r.conc === conc);
  if (rs.length === 0) return undefined;
  const rssMax = (/** @type {Row} */ r) => Math.max(...Object.values(r.rss));
  return {
    commandsPerSec: summary(rs.map((r) => r.commandsPerSec)),
    p50: summary(rs.map((r) => r.p50)),
    p99: summary(rs.map((r) => r.p99)),
    p999: summary(rs.map((r) => r.p999)),
    rssMaxMiB: summary(rs.map(rssMax)),
    othersPct: summary(rs.map((r) => r.othersPct)),
    errors: rs.reduce((n, r) => n + Object.values(r.errors).reduce((a, b) => a + b, 0), 0),
  };
}
/** Medians over the passes of the per-peer figures at one level. @param {number} conc */
function where(conc) {
  const rs = rows.filter((r) => r.system === 'synod' && r.conc === conc);
  /** @param {string} role @param {string} k */
  const m = (role, k) =>
    summary(
      rs.flatMap((r) =>
        /** @type {Record<string, number | string>[]} */ (r.extra?.peers ?? [])
          .filter((p) => p.role === role)
          .map((p) => Number(p[k])),
      ),
    );
  return {
    conc,
    leader: {
      cpuPct: m('leader', 'cpuPct'),
      cpuUsPerCommand: m('leader', 'cpuUsPerCommand'),
      writesPerSec: m('leader', 'writesPerSec'),
      meanWriteMs: m('leader', 'meanWriteMs'),
      writeBusyPct: m('leader', 'writeBusyPct'),
      commandsPerWrite: m('leader', 'commandsPerWrite'),
      slotsPerSec: m('leader', 'slotsPerSec'),
      commandsPerSlot: m('leader', 'commandsPerSlot'),
      messagesPerFrame: m('leader', 'messagesPerFrame'),
    },
    follower: {
      cpuPct: m('follower', 'cpuPct'),
      cpuUsPerCommand: m('follower', 'cpuUsPerCommand'),
      writesPerSec: m('follower', 'writesPerSec'),
      meanWriteMs: m('follower', 'meanWriteMs'),
      writeBusyPct: m('follower', 'writeBusyPct'),
    },
  };
}
const breakdown = LEVELS.map(where);

const results = LEVELS.map((conc) => {
  const s = agg('synod', conc);
  const e = agg('etcd', conc);
  return {
    conc,
    synod: s,
    etcd: e,
    ratio:
      s !== undefined && e !== undefined ? s.commandsPerSec.median / e.commandsPerSec.median : NaN,
    p50Ratio: s !== undefined && e !== undefined ? s.p50.median / e.p50.median : NaN,
  };
});

// The physical floor, from the newest `limits` results if there are any.
/** @type {{ floorMs: number, file: string } | undefined} */
let floor;
try {
  const newest = readdirSync(RESULTS_DIR)
    .filter((f) => /^limits-.*\.json$/.test(f))
    .sort()
    .pop();
  if (newest !== undefined) {
    const l = /** @type {{ floor?: { commitFloorMs?: number } }} */ (
      parseJson(readFileSync(join(RESULTS_DIR, newest), 'utf8'))
    );
    if (l.floor?.commitFloorMs !== undefined)
      floor = { floorMs: l.floor.commitFloorMs, file: newest };
  }
} catch {
  // no limits results
}

// Peak RSS of each Synod peer over all levels (the leader and the followers).
const synodRows = rows.filter((r) => r.system === 'synod');
/** @type {Record<string, number[]>} */
const rssByRole = {};
for (const r of synodRows) {
  for (const [k, v] of Object.entries(r.rss)) {
    const role = k === 'leader' ? 'leader' : 'follower';
    (rssByRole[role] ??= []).push(v);
  }
}
const rssPeak = Math.max(...synodRows.flatMap((r) => Object.values(r.rss)));

const chartRows = rows.flatMap((r) => [
  { system: r.system, conc: r.conc, throughput: r.commandsPerSec, latency: r.p50, pct: 'p50' },
  { system: r.system, conc: r.conc, throughput: r.commandsPerSec, latency: r.p99, pct: 'p99' },
]);
const chart = await renderChart(`cluster-${stamp(new Date(date))}`, {
  title: 'Committed commands/s against latency (each point: one pass at one level C)',
  width: 560,
  height: 340,
  data: { values: chartRows },
  mark: { type: 'point', filled: true },
  encoding: {
    x: {
      field: 'throughput',
      type: 'quantitative',
      title: 'committed commands/s',
      scale: { type: 'log' },
    },
    y: { field: 'latency', type: 'quantitative', title: 'latency, ms', scale: { type: 'log' } },
    color: { field: 'system', type: 'nominal' },
    shape: { field: 'pct', type: 'nominal', title: 'percentile' },
    tooltip: [{ field: 'conc' }],
  },
});

const at256 = results.find((r) => r.conc === 256);
const at1 = results.find((r) => r.conc === 1);
const goals = {
  throughput256:
    at256?.synod === undefined
      ? null
      : {
          commandsPerSec: at256.synod.commandsPerSec.median,
          ratio: at256.ratio,
          met:
            at256.synod.commandsPerSec.median >= 50_000 &&
            (Number.isNaN(at256.ratio) || at256.ratio >= 10),
        },
  latency1:
    at1?.synod === undefined
      ? null
      : {
          p50: at1.synod.p50.median,
          floorMs: floor?.floorMs ?? null,
          vsFloor: floor === undefined ? null : at1.synod.p50.median / floor.floorMs,
          vsEtcd: at1.p50Ratio,
          met:
            (floor === undefined || at1.synod.p50.median <= 2 * floor.floorMs) &&
            (Number.isNaN(at1.p50Ratio) || at1.p50Ratio <= 0.5),
        },
  memory: { peakRssMiB: rssPeak, met: rssPeak < 150 },
};

const file = saveResults('cluster', date, {
  suite: 'cluster',
  date,
  machine,
  etcd: etcdVersion,
  busyBeforePct: quiet,
  method: {
    passes: PASSES,
    secondsPerLevel: SECONDS,
    warmupS: WARMUP,
    commandBytes: SIZE,
    levels: LEVELS,
  },
  results,
  breakdown,
  goals,
  floor: floor ?? null,
  checks,
  rows,
  chart,
  profiles: profiles.map((p) => ({
    conc: p.conc,
    role: p.role,
    commands: p.commands,
    file: p.file,
    busyMs: p.summary.totalMs - p.summary.idleMs,
    idleMs: p.summary.idleMs,
    gcMs: p.summary.gcMs,
    areas: p.summary.areas.slice(0, 15),
    self: p.summary.self.slice(0, 30),
    inclusive: p.summary.inclusive.slice(0, 40),
  })),
});

const ms = (/** @type {import('./lib/common.mjs').Stat | undefined} */ s) =>
  s === undefined ? '—' : range(s);
const yes = (/** @type {boolean} */ b) => (b ? 'met' : 'NOT met');
await appendReport([
  `## cluster — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine, `, etcd ${etcdVersion}`),
  `Load: the machine was ${fmt(quiet)}% busy (both cores) just before the run; the "others" column`,
  'is the CPU other processes took during each window (% of one core; the machine has 2).',
  '',
  'Method: Synod: 3 peers in 3 processes on 127.0.0.1 (libp2p TCP + Noise + yamux, mDNS off;',
  'SQLite WAL, synchronous=FULL; default protocol options), grown through invites; the load runs',
  `in the leader's process, as the app's own proposals: C workers each keep one ${SIZE}-byte`,
  '`propose()` outstanding. etcd: 3 members on 127.0.0.1 (the anchor scripts), the same',
  "closed loop of 100-byte puts to the leader from a separate node process through etcd's HTTP/JSON",
  "gateway (`/v3/kv/put`, keep-alive). What differs: etcd's client pays HTTP + JSON + a process",
  'hop per request (the anchor measured the gateway at about half of native gRPC throughput at',
  "64+ in flight); Synod's proposals come from the app in the peer's own process, and a command",
  "commits when the leader's replica has applied it. Both fsync every write batch. Per pass, each",
  `system on a fresh cluster, levels in order, ${WARMUP} s warm-up then ${SECONDS} s measured; `,
  `${PASSES} passes, alternating which system goes first. Figures: median (min–max) over the passes.`,
  '',
  ...table(
    [
      'C',
      'Synod cmd/s',
      'etcd puts/s',
      'Synod/etcd',
      'Synod p50 ms',
      'Synod p99 ms',
      'Synod p999 ms',
      'etcd p50 ms',
      'etcd p99 ms',
      'etcd p999 ms',
      'Synod peak RSS MiB',
      'others %',
    ],
    results.map((r) => [
      String(r.conc),
      ms(r.synod?.commandsPerSec),
      ms(r.etcd?.commandsPerSec),
      Number.isNaN(r.ratio) ? '—' : `${fmt(r.ratio)}x`,
      ms(r.synod?.p50),
      ms(r.synod?.p99),
      ms(r.synod?.p999),
      ms(r.etcd?.p50),
      ms(r.etcd?.p99),
      ms(r.etcd?.p999),
      ms(r.synod?.rssMaxMiB),
      ms(r.synod?.othersPct),
    ]),
  ),
  '',
  `![throughput against latency](results/${chart})`,
  '',
  "Where the time goes (Synod; medians over the passes, from each peer's own counters: CPU",
  'time of the process, and its storage writes, each one transaction with one fsync, blocking',
  'the event loop while it runs since better-sqlite3 is synchronous):',
  '',
  ...table(
    [
      'C',
      'slots/s',
      'commands/slot',
      'leader fsyncs/s',
      'leader ms/fsync',
      'leader % of time in fsync',
      'leader CPU % of a core',
      'leader CPU µs/command',
      'follower fsyncs/s',
      'follower ms/fsync',
      'follower CPU µs/command',
      'messages/frame (leader)',
    ],
    breakdown.map((b) => [
      String(b.conc),
      fmt(b.leader.slotsPerSec.median),
      fmt(
        b.leader.commandsPerWrite.median *
          (b.leader.writesPerSec.median / b.leader.slotsPerSec.median),
      ),
      fmt(b.leader.writesPerSec.median),
      fmt(b.leader.meanWriteMs.median),
      fmt(b.leader.writeBusyPct.median),
      fmt(b.leader.cpuPct.median),
      fmt(b.leader.cpuUsPerCommand.median),
      fmt(b.follower.writesPerSec.median),
      fmt(b.follower.meanWriteMs.median),
      fmt(b.follower.cpuUsPerCommand.median),
      fmt(b.leader.messagesPerFrame.median),
    ]),
  ),
  '',
  `Replicas agree after every pass: ${checks.every((c) => c.agree) ? 'yes' : 'NO'} (same command count and hash on all three).`,
  `Peak RSS: leader ${fmt(Math.max(...(rssByRole.leader ?? [NaN])))} MiB, followers ${fmt(Math.max(...(rssByRole.follower ?? [NaN])))} MiB.`,
  '',
  'Goals:',
  goals.throughput256 === null
    ? '- throughput at C=256: not measured'
    : `- ≥ 50,000 commands/s and ≥ 10x etcd at C=256: ${yes(goals.throughput256.met)} (${fmt(goals.throughput256.commandsPerSec)}/s, ${fmt(goals.throughput256.ratio)}x etcd).`,
  goals.latency1 === null
    ? '- latency at C=1: not measured'
    : `- p50 at C=1 within 2x of the physical floor and ≤ half of etcd's: ${yes(goals.latency1.met)} (${fmt(goals.latency1.p50)} ms; ` +
      `${goals.latency1.floorMs === null ? 'no limits results yet' : `floor ${fmt(goals.latency1.floorMs)} ms from ${floor?.file}, ${fmt(goals.latency1.vsFloor ?? NaN)}x`}; ` +
      `${fmt(goals.latency1.vsEtcd)}x etcd's p50).`,
  `- each peer < 150 MB RSS under load: ${yes(goals.memory.met)} (peak ${fmt(rssPeak)} MiB).`,
  '',
  ...profiles.flatMap((p) => {
    const busy = p.summary.totalMs - p.summary.idleMs;
    return [
      `Profile of the ${p.role} at C=${p.conc}, in an extra run not counted above (${fmt(busy)} ms busy of ${fmt(p.summary.totalMs)} ms, ` +
        `${p.commands.toLocaleString('en-US')} commands committed: ${fmt((busy * 1000) / p.commands)} µs busy per command; GC ${fmt((100 * p.summary.gcMs) / busy)}% of busy). ` +
        'Busy time includes the time the thread is blocked in fsync. By package, % of busy:',
      p.summary.areas
        .slice(0, 10)
        .map((a) => `${a.area} ${fmt((100 * a.ms) / busy)}%`)
        .join(', ') + '.',
      'Hottest functions (self time, % of busy):',
      ...p.summary.self
        .slice(0, 10)
        .map((f) => `- ${fmt((100 * f.ms) / busy)}% \`${f.fn}\` (${f.area})`),
      '',
      'Synod functions by inclusive time (% of busy): ' +
        p.summary.inclusive
          .filter((f) => f.area.startsWith('@synod/'))
          .slice(0, 10)
          .map((f) => `\`${f.fn}\` ${fmt((100 * f.ms) / busy)}%`)
          .join(', ') +
        '.',
      '',
    ];
  }),
  `Raw data: bench/results/${file}; profiles (not committed): bench/profiles/.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
