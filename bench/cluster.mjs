#!/usr/bin/env node
// Cluster benchmark (issues 8 and 13): what a user of a 3-peer cluster gets, next to etcd in the
// same run. Synod: 3 peers in 3 processes on 127.0.0.1 (libp2p: TCP + Noise + yamux, mDNS off;
// SQLite WAL, each write synced before it resolves), a closed-loop load of 100-byte commands from the app in
// the leader's process. etcd: 3 members on 127.0.0.1 (Debian's etcd 3.4, the anchor's scripts),
// the same closed loop of 100-byte puts to the leader from a separate process through etcd's
// native gRPC client (the anchor's grpcbench, built offline; `--etcd-client http` uses its
// HTTP/JSON gateway instead). Passes alternate Synod and etcd, each on a fresh cluster that is
// warmed (--warm s of load at C=64, not counted) before it is measured.
//
// Per level C: committed commands/s, latency p50/p99, CPU µs per command of all cluster
// processes (utime + stime from /proc: the three Synod peers, whose leader also runs the load;
// the three etcd members, whose client is a process of its own, reported beside), peak RSS per
// peer, and the 1-minute load average at the end of the window beside each figure. Also, in the
// same run: the floor of one command at C=1 (a durable SQLite commit + the first of two replies
// over Synod's transport, once per pass); each fresh cluster's idle CPU (% of one core, all
// three processes, before any load); and with --minutes N, a long run at C=64 on each system
// counting leader changes.
//
//   npm run bench -- cluster [--passes 3] [--seconds 5] [--warmup 1] [--warm 5]
//                            [--levels 1,64,256,1024] [--idle 10] [--minutes 0]
//                            [--etcd-client grpc|http] [--no-etcd] [--io worker|inline]
//                            [--profile 1,256] [--node-flags "--max-semi-space-size=8 ..."]
//
// --io: the Synod peers' storage thread (default: the storage's default). --profile C: after
// the passes, one more Synod run at C (not counted) with the V8 CPU profiler on the leader and
// a follower. --node-flags: Node.js/V8 flags of the Synod peers' processes (default none, as an
// app started with plain `node`), e.g. the heap sizing of packages/core/README.md "Memory". Writes bench/results/cluster-<date>.json (+ an SVG chart) and appends a section to
// bench/REPORT.md.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  BENCH_DIR,
  busyPct,
  fmt,
  log,
  machineInfo,
  machineLine,
  range,
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
import {
  ensureEtcd,
  ensureGrpcBench,
  etcdElections,
  etcdLoad,
  etcdPids,
  grpcLoad,
  startEtcd,
  stopEtcd,
} from './lib/etcd.mjs';
import { DEFAULT_IO } from '@synod/storage-sqlite';
import { ioDurability } from './lib/durability.mjs';
import { measureFloor, PACED_COMMIT_US } from './lib/floor.mjs';
import { now } from './lib/load.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';
import { summarizeProfile } from './lib/profile.mjs';

const { values: opts } = benchArgs({
  options: {
    passes: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    warm: { type: 'string', default: '5' },
    levels: { type: 'string', default: '1,64,256,1024' },
    idle: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '0' },
    'etcd-client': { type: 'string', default: 'grpc' },
    'no-etcd': { type: 'boolean', default: false },
    io: { type: 'string' },
    profile: { type: 'string', default: '1,256' },
    'node-flags': { type: 'string', default: '' },
  },
});
const PASSES = Number(opts.passes);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const WARM = Number(opts.warm);
const LEVELS = opts.levels.split(',').map(Number);
const IDLE = Number(opts.idle);
const MINUTES = Number(opts.minutes);
const WITH_ETCD = !opts['no-etcd'];
const CLIENT = opts['etcd-client'] === 'http' ? 'http' : 'grpc';
/** The Synod peers' storage io: the first is measured as `synod`; others as `synod-<io>`, beside. */
const IOS = (opts.io ?? '')
  .split(',')
  .filter((x) => x === 'worker' || x === 'inline' || x === 'split');
const IO = IOS[0];
const OTHER_IOS = IOS.slice(1);
const PROFILE = opts.profile === '' ? [] : opts.profile.split(',').map(Number);
/** Node.js flags of the Synod peers' processes. */
const NODE_FLAGS = opts['node-flags'].split(' ').filter((f) => f !== '');
const SIZE = 100;
const work = mkdtempSync(join(tmpdir(), 'synod-bench-cluster-'));
const date = new Date().toISOString();
const profDir = join(BENCH_DIR, 'profiles');

const machine = machineInfo(tmpdir());
const etcdVersion = WITH_ETCD ? ensureEtcd() : 'not run';
if (WITH_ETCD && CLIENT === 'grpc') ensureGrpcBench();
const CLIENT_NAME =
  CLIENT === 'grpc'
    ? "etcd's native gRPC client (Go clientv3, the anchor's grpcbench)"
    : "etcd's HTTP/JSON gateway (bench/etcd/etcd-load.mjs, node:http keep-alive)";
log(
  `cluster bench: ${PASSES} passes, levels ${LEVELS.join(',')}, warm ${WARM} s, ${WARMUP}+${SECONDS} s each` +
    `${WITH_ETCD ? `, etcd ${etcdVersion} through ${CLIENT}` : ''}${IO === undefined ? '' : `, storage io ${IOS.join(' and ')}`}` +
    `${NODE_FLAGS.length === 0 ? '' : `, peers run with node ${NODE_FLAGS.join(' ')}`}`,
);

/**
 * One measured window of one system at one level.
 * @typedef {{ system: string, pass: number, conc: number, commandsPerSec: number,
 *   p50: number, p99: number, p999: number, errors: Record<string, number>,
 *   clusterCpuPct: number, cpuUsPerCommand: number, clientCpuPct: number | null,
 *   rss: Record<string, number>, load1: number, othersPct: number,
 *   extra?: Record<string, unknown> }} Row
 * @type {Row[]}
 */
const rows = [];
/** @type {{ system: string, pass: number, seconds: number, cpuPctOfOneCore: number, perProcess: Record<string, number>, load1: number }[]} */
const idles = [];
/** @type {{ pass: number, commitP50Ms: number, pacedCommitP50Ms: number, firstOfTwoP50Ms: number, floorMs: number, load1: number }[]} */
const floors = [];
/** @type {Record<string, unknown>[]} */
const longRuns = [];
/** @type {{ conc: number, role: string, file: string, commands: number, summary: ReturnType<typeof summarizeProfile> }[]} */
const profiles = [];
/** @type {{ pass: number, counts: number[], hashes: number[], agree: boolean }[]} */
const checks = [];

/** Sum of a record's values. @param {Record<string, number>} r */
const total = (r) => Object.values(r).reduce((a, b) => a + b, 0);

/**
 * Others' share of the machine over a window: all cores' busy time minus what we ran.
 * @param {ReturnType<ReturnType<typeof watchMachine>['stop']>} m
 */
function othersPct(m) {
  return Math.max(0, m.systemBusyPct * m.cores - total(m.cpuPctOfOneCore) - m.selfCpuPct);
}

/**
 * Per-peer figures over a window from two `counters` answers: storage writes and transactions
 * (each one fsync), CPU per committed command, frames.
 * @typedef {{ at: number, writes: { count: number, ms: number, maxMs: number }, commits: number,
 *   cpuUs: number, framesSent: number, messagesSent: number, applied: number, slotOut: number }} Counters
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
    commitsPerSec: (b.commits - a.commits) / s,
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

/** @param {import('./lib/peer.mjs').PeerProcess[]} peers @param {import('./lib/peer.mjs').PeerProcess} leader */
const peerPids = (peers, leader) =>
  Object.fromEntries(peers.map((p) => [p === leader ? 'leader' : `follower-${p.name}`, p.pid]));

/** CPU of `pids` over `seconds` of no load: % of one core, summed. @param {Record<string, number>} pids */
async function idleCpu(pids, seconds) {
  const w = watchMachine(pids);
  await sleep(seconds * 1000);
  const m = w.stop();
  return {
    cpuPctOfOneCore: total(m.cpuPctOfOneCore),
    perProcess: m.cpuPctOfOneCore,
    load1: m.loadavg,
  };
}

/** A fresh Synod cluster, settled. @param {string} name @param {string | undefined} [io] */
async function synodCluster(name, io = IO) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  const peers = await startCluster(dir, {
    ...(io === undefined ? {} : { io }),
    ...(NODE_FLAGS.length === 0 ? {} : { execArgv: NODE_FLAGS }),
  });
  const leader = await waitStable(peers);
  return { dir, peers, leader };
}

/** Load at C=64 for `seconds`, not counted (JIT, caches, connections). @param {import('./lib/peer.mjs').PeerProcess} leader */
async function warmSynod(leader, seconds) {
  if (seconds <= 0) return;
  await leader.request('loadStart', { conc: 64, size: SIZE, from: Infinity });
  await sleep(seconds * 1000);
  await leader.request('loadStop', {}, 300_000);
}

/**
 * @param {number} pass
 * @param {string | undefined} [io] the storage io, when not the first of --io
 */
async function synodPass(pass, io) {
  const system = io === undefined ? 'synod' : `synod-${io}`;
  const { dir, peers, leader } = await synodCluster(`${system}-${pass}`, io ?? IO);
  try {
    const pids = peerPids(peers, leader);
    if (IDLE > 0) {
      await sleep(2000);
      const idle = await idleCpu(pids, IDLE);
      idles.push({ system, pass, seconds: IDLE, ...idle });
      log(
        `pass ${pass + 1} ${system} idle: ${fmt(idle.cpuPctOfOneCore)}% of one core (load ${fmt(idle.load1)})`,
      );
    }
    await warmSynod(leader, WARM);
    for (const conc of LEVELS) {
      await waitQuiet(15, 5000);
      const from = now() + WARMUP * 1000;
      await leader.request('loadStart', { conc, size: SIZE, from });
      await sleep(WARMUP * 1000);
      const w = watchMachine(pids);
      const c0 = await Promise.all(peers.map((p) => p.request('counters')));
      await sleep(SECONDS * 1000);
      const c1 = await Promise.all(peers.map((p) => p.request('counters')));
      const m = w.stop();
      /** @type {import('./lib/load.mjs').LoadResult} */
      const r = /** @type {any} */ (await leader.request('loadStop', {}, 300_000));
      const perPeer = peers.map((p, i) =>
        peerCounters(p === leader ? 'leader' : 'follower', c0[i], c1[i]),
      );
      const lat = r.latency;
      const window = (r.stopAt - from) / 1000;
      const cps = r.counted / window;
      const cpu = total(m.cpuPctOfOneCore);
      /** @type {Row} */
      const row = {
        system,
        pass,
        conc,
        commandsPerSec: cps,
        p50: lat.p50,
        p99: lat.p99,
        p999: lat.p999,
        errors: r.errors,
        clusterCpuPct: cpu,
        // Over the watched window's commits: the peers' own counters count every command the
        // leader applied in it (the load's window also counts by start time).
        cpuUsPerCommand: (cpu / 100) * 1e6 * (m.seconds / perPeer[peers.indexOf(leader)].applied),
        clientCpuPct: null,
        rss: m.peakRssMiB,
        load1: m.loadavg,
        othersPct: othersPct(m),
        extra: { peers: perPeer },
      };
      rows.push(row);
      log(
        `pass ${pass + 1} ${system} C=${conc}: ${fmt(cps)} cmd/s p50 ${fmt(row.p50)} p99 ${fmt(row.p99)} ms; ` +
          `cluster CPU ${fmt(row.cpuUsPerCommand)} µs/cmd (${fmt(cpu)}% of a core); rss ` +
          `${Object.values(m.peakRssMiB).map(fmt).join('/')} MiB; load ${fmt(m.loadavg)}` +
          `${Object.keys(r.errors).length > 0 ? `; errors ${JSON.stringify(r.errors)}` : ''}`,
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

/**
 * One window of etcd load, the same shape as Synod's.
 * @param {number} conc @param {number} seconds @param {number} warmup
 */
async function etcdWindow(conc, seconds, warmup) {
  const pids = etcdPids();
  const w = watchMachine(pids);
  if (CLIENT === 'grpc') {
    const r = await grpcLoad(conc, seconds, warmup);
    const m = w.stop();
    return {
      opsPerSec: r.opsPerSec,
      p50: r.p50ms,
      p99: r.p99ms,
      p999: NaN,
      errors: r.errors,
      // grpcbench samples /proc over exactly its window.
      clusterCpuPct: r.cpu.etcdTotalPct,
      clientCpuPct: r.cpu.clientPct,
      revisionCheck: r.revisionCheck,
      m,
    };
  }
  const r = await etcdLoad(conc, seconds, warmup);
  const m = w.stop();
  return {
    opsPerSec: r.opsPerSec,
    p50: r.p50,
    p99: r.p99,
    p999: r.p999,
    errors: r.errors,
    clusterCpuPct: total(m.cpuPctOfOneCore),
    clientCpuPct: null,
    revisionCheck: r.revisionCheck,
    m,
  };
}

/** @param {number} pass */
async function etcdPass(pass) {
  startEtcd();
  try {
    if (IDLE > 0) {
      await sleep(2000);
      const idle = await idleCpu(etcdPids(), IDLE);
      idles.push({ system: 'etcd', pass, seconds: IDLE, ...idle });
      log(
        `pass ${pass + 1} etcd idle: ${fmt(idle.cpuPctOfOneCore)}% of one core (load ${fmt(idle.load1)})`,
      );
    }
    if (WARM > 0) await etcdWindow(64, WARM, 0);
    for (const conc of LEVELS) {
      await waitQuiet(15, 5000);
      const r = await etcdWindow(conc, SECONDS, WARMUP);
      /** @type {Row} */
      const row = {
        system: 'etcd',
        pass,
        conc,
        commandsPerSec: r.opsPerSec,
        p50: r.p50,
        p99: r.p99,
        p999: r.p999,
        errors: r.errors,
        clusterCpuPct: r.clusterCpuPct,
        cpuUsPerCommand: ((r.clusterCpuPct / 100) * 1e6) / r.opsPerSec,
        clientCpuPct: r.clientCpuPct,
        rss: r.m.peakRssMiB,
        load1: r.m.loadavg,
        othersPct: othersPct(r.m),
        extra: { revisionCheck: r.revisionCheck },
      };
      rows.push(row);
      log(
        `pass ${pass + 1} etcd  C=${conc}: ${fmt(row.commandsPerSec)} puts/s p50 ${fmt(row.p50)} ` +
          `p99 ${fmt(row.p99)} ms; cluster CPU ${fmt(row.cpuUsPerCommand)} µs/put; revisions ` +
          `${r.revisionCheck}; load ${fmt(row.load1)}`,
      );
    }
  } finally {
    stopEtcd();
  }
}

/** @param {number} pass */
async function floorPass(pass) {
  const f = await measureFloor(work);
  floors.push({ pass, ...f, load1: loadavg()[0] });
  log(
    `pass ${pass + 1} floor: ${fmt(f.floorMs)} ms (commit p50 ${fmt(f.commitP50Ms)} + first of two ` +
      `over the transport p50 ${fmt(f.firstOfTwoP50Ms)}); a commit paced at one per ` +
      `${PACED_COMMIT_US} µs p50 ${fmt(f.pacedCommitP50Ms)}; load ${fmt(loadavg()[0])}`,
  );
}

/** Load averages every 10 s while `p` runs. @param {Promise<unknown>} p */
async function loadDuring(p) {
  /** @type {number[]} */
  const loads = [];
  const t = setInterval(() => loads.push(loadavg()[0]), 10_000);
  try {
    await p;
  } finally {
    clearInterval(t);
  }
  return {
    mean: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length),
    max: Math.max(...loads),
  };
}

/** MINUTES of load at C=64 on a fresh Synod cluster: leader changes, latency. */
async function synodLongRun() {
  const { dir, peers, leader } = await synodCluster('synod-long');
  try {
    await warmSynod(leader, WARM);
    await Promise.all(peers.map((p) => p.request('watchStart')));
    const from = now();
    await leader.request('loadStart', { conc: 64, size: SIZE, from });
    const load = await loadDuring(sleep(MINUTES * 60_000));
    /** @type {import('./lib/load.mjs').LoadResult} */
    const r = /** @type {any} */ (await leader.request('loadStop', {}, 300_000));
    const watched = await Promise.all(peers.map((p) => p.request('watchStop')));
    const lat = r.latency;
    const row = {
      system: 'synod',
      minutes: MINUTES,
      commandsPerSec: r.counted / ((r.stopAt - from) / 1000),
      p50: lat.p50,
      p99: lat.p99,
      maxMs: lat.max,
      // Each acceptor's promise rises once per successful phase 1 it joins; the most any
      // acceptor saw is the number of leader elections.
      leaderChanges: Math.max(...watched.map((w) => Number(w.ballotChanges))),
      activeLeaderChanges: Math.max(...watched.map((w) => Number(w.leaderChanges))),
      // What each peer saw of each ballot change: when, from and to, and who led then.
      ballotEvents: watched.map(
        (w) =>
          /** @type {{ at: string, from: string, to: string, activeLeader: string }[]} */ (
            w.ballotEvents ?? []
          ),
      ),
      errors: r.errors,
      load,
    };
    longRuns.push(row);
    log(
      `long run synod: ${row.leaderChanges} leader changes in ${MINUTES} min at C=64; ` +
        `${fmt(row.commandsPerSec)} cmd/s, p99 ${fmt(row.p99)} ms, max ${fmt(row.maxMs)} ms; load ${fmt(load.mean)}`,
    );
    row.ballotEvents.forEach((events, i) => {
      for (const e of events) {
        log(`  peer ${i} at ${e.at}: ballot ${e.from} -> ${e.to}, active leader ${e.activeLeader}`);
      }
    });
  } finally {
    await closeAll(peers);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same MINUTES of load at C=64 on a fresh etcd cluster. */
async function etcdLongRun() {
  startEtcd();
  try {
    if (WARM > 0) await etcdWindow(64, WARM, 0);
    const before = etcdElections();
    const run = etcdWindow(64, MINUTES * 60, 0);
    const load = await loadDuring(run);
    const r = await run;
    const row = {
      system: 'etcd',
      minutes: MINUTES,
      commandsPerSec: r.opsPerSec,
      p50: r.p50,
      p99: r.p99,
      maxMs: NaN,
      leaderChanges: etcdElections() - before,
      activeLeaderChanges: null,
      errors: r.errors,
      load,
    };
    longRuns.push(row);
    log(
      `long run etcd: ${row.leaderChanges} leader changes in ${MINUTES} min at C=64; ` +
        `${fmt(row.commandsPerSec)} puts/s, p99 ${fmt(row.p99)} ms; load ${fmt(load.mean)}`,
    );
  } finally {
    stopEtcd();
  }
}

/** One more Synod run, profiled (leader and a follower), at each level of PROFILE. */
async function profilePass() {
  const { dir, peers, leader } = await synodCluster('synod-profile');
  try {
    const follower = peers.find((p) => p !== leader) ?? leader;
    await warmSynod(leader, WARM);
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

const quiet = await busyPct(2000);
const load0 = loadavg()[0];
try {
  for (let pass = 0; pass < PASSES; pass++) {
    // Alternate which system goes first, so that drift in the machine's load hits both alike;
    // the floor is measured between them.
    if (pass % 2 === 0 || !WITH_ETCD) {
      await synodPass(pass);
      for (const io of OTHER_IOS) await synodPass(pass, io);
      await floorPass(pass);
      if (WITH_ETCD) await etcdPass(pass);
    } else {
      await etcdPass(pass);
      await floorPass(pass);
      for (const io of [...OTHER_IOS].reverse()) await synodPass(pass, io);
      await synodPass(pass);
    }
  }
  if (MINUTES > 0) {
    await synodLongRun();
    if (WITH_ETCD) await etcdLongRun();
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
  return {
    commandsPerSec: summary(rs.map((r) => r.commandsPerSec)),
    p50: summary(rs.map((r) => r.p50)),
    p99: summary(rs.map((r) => r.p99)),
    p999: summary(rs.map((r) => r.p999)),
    cpuUsPerCommand: summary(rs.map((r) => r.cpuUsPerCommand)),
    clientCpuPct: summary(rs.map((r) => r.clientCpuPct ?? NaN)),
    rssPerPeerMiB: summary(rs.map((r) => Math.max(...Object.values(r.rss)))),
    load1: summary(rs.map((r) => r.load1)),
    othersPct: summary(rs.map((r) => r.othersPct)),
    errors: rs.reduce((n, r) => n + total(r.errors), 0),
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
  /** @param {string} role */
  const side = (role) => ({
    cpuPct: m(role, 'cpuPct'),
    cpuUsPerCommand: m(role, 'cpuUsPerCommand'),
    writesPerSec: m(role, 'writesPerSec'),
    commitsPerSec: m(role, 'commitsPerSec'),
    meanWriteMs: m(role, 'meanWriteMs'),
    writeBusyPct: m(role, 'writeBusyPct'),
    commandsPerWrite: m(role, 'commandsPerWrite'),
    slotsPerSec: m(role, 'slotsPerSec'),
    commandsPerSlot: m(role, 'commandsPerSlot'),
    messagesPerFrame: m(role, 'messagesPerFrame'),
  });
  return { conc, leader: side('leader'), follower: side('follower') };
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

const floor = {
  floorMs: summary(floors.map((f) => f.floorMs)),
  commitP50Ms: summary(floors.map((f) => f.commitP50Ms)),
  pacedCommitP50Ms: summary(floors.map((f) => f.pacedCommitP50Ms)),
  firstOfTwoP50Ms: summary(floors.map((f) => f.firstOfTwoP50Ms)),
  load1: summary(floors.map((f) => f.load1)),
};
/** @param {string} system */
const idleOf = (system) => {
  const xs = idles.filter((i) => i.system === system);
  return {
    cpuPctOfOneCore: summary(xs.map((i) => i.cpuPctOfOneCore)),
    load1: summary(xs.map((i) => i.load1)),
  };
};
const idle = { synod: idleOf('synod'), etcd: idleOf('etcd') };

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

// ------------------------------------------------------------------ goals (issue 13)

const at = (/** @type {number} */ c) => results.find((r) => r.conc === c);
const at1 = at(1);
const at256 = at(256);
const at1024 = at(1024);
const synodLong = longRuns.find((l) => l.system === 'synod');
const goals = {
  throughput256:
    at256?.synod === undefined
      ? null
      : {
          ratio: at256.ratio,
          cpuUsPerCommand: at256.synod.cpuUsPerCommand.median,
          met: at256.ratio >= 10 && at256.synod.cpuUsPerCommand.median <= 27,
        },
  latency1:
    at1?.synod === undefined
      ? null
      : {
          p50: at1.synod.p50.median,
          etcdP50: at1.etcd?.p50.median ?? NaN,
          floorMs: floor.floorMs.median,
          vsFloor: at1.synod.p50.median / floor.floorMs.median,
          // Not the goal's floor: the same with the commit paced as C=1 paces it (shown beside).
          vsPacedFloor:
            at1.synod.p50.median / (floor.pacedCommitP50Ms.median + floor.firstOfTwoP50Ms.median),
          met:
            at1.synod.p50.median <= (at1.etcd?.p50.median ?? Infinity) &&
            at1.synod.p50.median <= 1.5 * floor.floorMs.median,
        },
  idle:
    idles.length === 0
      ? null
      : {
          cpuPctOfOneCore: idle.synod.cpuPctOfOneCore.median,
          etcd: idle.etcd.cpuPctOfOneCore.median,
          met: idle.synod.cpuPctOfOneCore.median <= 5,
        },
  leaderChanges:
    synodLong === undefined
      ? null
      : {
          minutes: MINUTES,
          changes: Number(synodLong.leaderChanges),
          met: Number(synodLong.leaderChanges) === 0 && MINUTES >= 10,
        },
  rss1024:
    at1024?.synod === undefined
      ? null
      : {
          peakMiB: at1024.synod.rssPerPeerMiB.max,
          met: at1024.synod.rssPerPeerMiB.max * 1.048576 < 150,
        },
};

const file = saveResults('cluster', date, {
  suite: 'cluster',
  date,
  machine,
  etcd: etcdVersion,
  etcdClient: CLIENT,
  storageIo: IOS.length === 0 ? ['default'] : IOS,
  nodeFlags: NODE_FLAGS,
  busyBeforePct: quiet,
  load1Before: load0,
  method: {
    passes: PASSES,
    secondsPerLevel: SECONDS,
    warmupS: WARMUP,
    warmS: WARM,
    idleS: IDLE,
    minutes: MINUTES,
    commandBytes: SIZE,
    levels: LEVELS,
  },
  results,
  breakdown,
  floor,
  floors,
  idle,
  idles,
  longRuns,
  goals,
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

// ------------------------------------------------------------------ REPORT.md

const ms = (/** @type {import('./lib/common.mjs').Stat | undefined} */ s) =>
  s === undefined || s.n === 0 ? '—' : range(s);
const ld = (/** @type {import('./lib/common.mjs').Stat | undefined} */ s) =>
  s === undefined || s.n === 0 ? '—' : fmt(s.median);
const yes = (/** @type {boolean} */ b) => (b ? 'met' : '**NOT met**');
const loadsSeen = rows.map((r) => r.load1);

/** The passes' tables: the main comparison, the other ios, the floor. */
const passSections = () => [
  '',
  ...table(
    [
      'C',
      'Synod cmd/s',
      'etcd puts/s',
      'Synod/etcd',
      'Synod p50 ms',
      'etcd p50 ms',
      'Synod p99 ms',
      'etcd p99 ms',
      'Synod CPU µs/cmd',
      'etcd CPU µs/put',
      'etcd client CPU %',
      'Synod RSS/peer MiB',
      'etcd RSS/member MiB',
      'load (Synod / etcd)',
    ],
    results.map((r) => [
      String(r.conc),
      ms(r.synod?.commandsPerSec),
      ms(r.etcd?.commandsPerSec),
      Number.isNaN(r.ratio) ? '—' : `${fmt(r.ratio)}x`,
      ms(r.synod?.p50),
      ms(r.etcd?.p50),
      ms(r.synod?.p99),
      ms(r.etcd?.p99),
      ms(r.synod?.cpuUsPerCommand),
      ms(r.etcd?.cpuUsPerCommand),
      ms(r.etcd?.clientCpuPct),
      ms(r.synod?.rssPerPeerMiB),
      ms(r.etcd?.rssPerPeerMiB),
      `${ld(r.synod?.load1)} / ${ld(r.etcd?.load1)}`,
    ]),
  ),
  '',
  `![throughput against latency](results/${chart})`,
  '',
  ...OTHER_IOS.flatMap((io) => [
    `The same Synod passes with the peers' storage on \`io: ${io}\` (the table above: \`io: ${IO}\`), in the`,
    'same run, each pass on its own fresh cluster right after the other:',
    '',
    ...table(
      [
        'C',
        `${io} cmd/s`,
        `${IO} cmd/s`,
        `${io} p50 ms`,
        `${IO} p50 ms`,
        `${io} p99 ms`,
        `${IO} p99 ms`,
        `${io} CPU µs/cmd`,
        `${IO} CPU µs/cmd`,
        `${io} idle % of a core`,
        'load',
      ],
      LEVELS.map((conc) => {
        const o = agg(`synod-${io}`, conc);
        const p = agg('synod', conc);
        return [
          String(conc),
          ms(o?.commandsPerSec),
          ms(p?.commandsPerSec),
          ms(o?.p50),
          ms(p?.p50),
          ms(o?.p99),
          ms(p?.p99),
          ms(o?.cpuUsPerCommand),
          ms(p?.cpuUsPerCommand),
          ms(idleOf(`synod-${io}`).cpuPctOfOneCore),
          ld(o?.load1),
        ];
      }),
    ),
    '',
  ]),
  `Floor of one command at C=1, measured in each pass between the systems: ${ms(floor.floorMs)} ms = a durable`,
  `SQLite commit (batch 1, the storage's pragmas) p50 ${ms(floor.commitP50Ms)} ms + the first of two replies over Synod's`,
  `libp2p transport p50 ${ms(floor.firstOfTwoP50Ms)} ms (load ${ld(floor.load1)}). The floor's commit runs back to back;`,
  `the same commit paced at one per ${PACED_COMMIT_US} µs, as each peer commits at C=1 (the disk idle in between), took`,
  `p50 ${ms(floor.pacedCommitP50Ms)} ms. Not part of the floor, which issue 13 defines with one commit: shown beside it.`,
];

/** The per-peer counters of the passes. */
const breakdownSection = () => [
  '',
  "Where the time goes (Synod; medians over the passes, from each peer's own counters: CPU time of",
  'the process, and its storage writes: `write()` calls, the transactions (one fsync each) they were',
  'committed in, and the time from each `write()` to its resolution):',
  '',
  ...table(
    [
      'C',
      'slots/s',
      'commands/slot',
      'leader writes/s',
      'leader fsyncs/s',
      'leader ms/write',
      'leader % of time in write',
      'leader CPU % of a core',
      'leader CPU µs/cmd',
      'follower fsyncs/s',
      'follower ms/write',
      'follower CPU µs/cmd',
      'messages/frame (leader)',
    ],
    breakdown.map((b) => [
      String(b.conc),
      fmt(b.leader.slotsPerSec.median),
      fmt(b.leader.commandsPerSlot.median),
      fmt(b.leader.writesPerSec.median),
      fmt(b.leader.commitsPerSec.median),
      fmt(b.leader.meanWriteMs.median),
      fmt(b.leader.writeBusyPct.median),
      fmt(b.leader.cpuPct.median),
      fmt(b.leader.cpuUsPerCommand.median),
      fmt(b.follower.commitsPerSec.median),
      fmt(b.follower.meanWriteMs.median),
      fmt(b.follower.cpuUsPerCommand.median),
      fmt(b.leader.messagesPerFrame.median),
    ]),
  ),
  '',
];
await appendReport([
  `## cluster — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine, `, etcd ${etcdVersion}`),
  `Load: the machine was ${fmt(quiet)}% busy (both cores) just before the run, load average ${fmt(load0)};`,
  ...(loadsSeen.length === 0
    ? ['(no measured windows: the long run gives its own load below).']
    : [
        `during the measured windows the 1-minute load average was ${fmt(Math.min(...loadsSeen))}–${fmt(Math.max(...loadsSeen))}`,
        '(the "load" columns: its median at the end of each window). The machine has 2 cores.',
      ]),
  '',
  'Method: Synod: 3 peers in 3 processes on 127.0.0.1 (libp2p TCP + Noise + yamux, mDNS off;',
  `SQLite WAL, storage io ${IO ?? `default, ${DEFAULT_IO}`}: ${ioDurability(IO ?? DEFAULT_IO)}; default protocol options;`,
  `${NODE_FLAGS.length === 0 ? 'node without flags' : `node ${NODE_FLAGS.join(' ')}`}),`,
  "grown through invites; the load runs in the leader's process, as the app's own proposals: C",
  `workers each keep one ${SIZE}-byte \`propose()\` outstanding. etcd: 3 members on 127.0.0.1 (the`,
  `anchor scripts), the same closed loop of ${SIZE}-byte puts to the leader from a separate process`,
  `through ${CLIENT_NAME}. Both fsync every write batch.`,
  `Per pass, each system on a fresh cluster: ${IDLE > 0 ? `${IDLE} s idle (CPU measured), ` : ''}${WARM} s of load at C=64 to warm it`,
  `(not counted), then the levels in order, ${WARMUP} s warm-up then ${SECONDS} s measured each; ${PASSES} passes,`,
  'alternating which system goes first. CPU: utime + stime of the three cluster processes from /proc',
  "over the window, per committed command (Synod's includes the load generator in the leader;",
  "etcd's client is a process of its own, its CPU reported beside). Figures: median (min–max) over the passes.",
  '',
  ...(PASSES === 0
    ? ['No passes (`--passes 0`): only the sections below were measured.']
    : passSections()),
  ...(idles.length === 0
    ? []
    : [
        '',
        `Idle (a fresh cluster settled, no load, ${IDLE} s, all three processes): Synod ${ms(idle.synod.cpuPctOfOneCore)}%`,
        `of one core (load ${ld(idle.synod.load1)}); etcd ${ms(idle.etcd.cpuPctOfOneCore)}% (load ${ld(idle.etcd.load1)}).`,
      ]),
  ...(longRuns.length === 0
    ? []
    : [
        '',
        `Long run: ${MINUTES} min at C=64 on a fresh, warmed cluster of each system (leader changes: Synod, the`,
        "most times any acceptor's promised ballot rose; etcd, raft's `became leader at term` lines):",
        '',
        ...table(
          ['system', 'leader changes', 'cmd/s', 'p50 ms', 'p99 ms', 'max ms', 'load mean (max)'],
          longRuns.map((l) => [
            String(l.system),
            String(l.leaderChanges),
            fmt(Number(l.commandsPerSec)),
            fmt(Number(l.p50)),
            fmt(Number(l.p99)),
            fmt(Number(l.maxMs)),
            (() => {
              const lo = /** @type {{ mean: number, max: number }} */ (l.load);
              return `${fmt(lo.mean)} (${fmt(lo.max)})`;
            })(),
          ]),
        ),
      ]),
  ...(PASSES === 0 ? [] : breakdownSection()),
  '',
  `Replicas agree after every pass: ${checks.every((c) => c.agree) ? 'yes' : 'NO'} (same command count and hash on all three).`,
  '',
  'Goals of issue 13 (from this run):',
  goals.throughput256 === null
    ? '- C=256: not measured'
    : `- C=256: ≥ 10x etcd's puts/s and CPU ≤ 27 µs per command (cluster): ${yes(goals.throughput256.met)} (${fmt(goals.throughput256.ratio)}x; ${fmt(goals.throughput256.cpuUsPerCommand)} µs).`,
  goals.latency1 === null
    ? '- C=1: not measured'
    : `- C=1: p50 ≤ etcd's p50 and ≤ 1.5x the floor: ${yes(goals.latency1.met)} (${fmt(goals.latency1.p50)} ms; etcd ${fmt(goals.latency1.etcdP50)} ms; floor ${fmt(goals.latency1.floorMs)} ms, ${fmt(goals.latency1.vsFloor)}x; with the floor's commit paced as at C=1, ${fmt(goals.latency1.vsPacedFloor)}x, not the goal).`,
  goals.idle === null
    ? '- idle: not measured'
    : `- idle 3-peer cluster ≤ 5% of one core: ${yes(goals.idle.met)} (${fmt(goals.idle.cpuPctOfOneCore)}%; etcd ${fmt(goals.idle.etcd)}%).`,
  goals.leaderChanges === null
    ? '- no leader change in a 10-minute run at C=64: not measured in this run (--minutes)'
    : `- no leader change in a 10-minute run at C=64: ${yes(goals.leaderChanges.met)} (${goals.leaderChanges.changes} in ${MINUTES} min).`,
  goals.rss1024 === null
    ? '- RSS < 150 MB per peer at C=1024: not measured'
    : `- RSS < 150 MB per peer at C=1024: ${yes(goals.rss1024.met)} (peak ${fmt(goals.rss1024.peakMiB)} MiB = ${fmt(goals.rss1024.peakMiB * 1.048576)} MB).`,
  '',
  ...profiles.flatMap((p) => {
    const busy = p.summary.totalMs - p.summary.idleMs;
    return [
      `Profile of the ${p.role} at C=${p.conc}, in an extra run not counted above (${fmt(busy)} ms busy of ${fmt(p.summary.totalMs)} ms, ` +
        `${p.commands.toLocaleString('en-US')} commands committed: ${fmt((busy * 1000) / p.commands)} µs busy per command; GC ${fmt((100 * p.summary.gcMs) / busy)}% of busy). ` +
        'Main thread only (a storage worker thread is not profiled). By package, % of busy:',
      p.summary.areas
        .slice(0, 10)
        .map((a) => `${a.area} ${fmt((100 * a.ms) / busy)}%`)
        .join(', ') + '.',
      'Hottest functions (self time, % of busy):',
      ...p.summary.self
        .slice(0, 10)
        .map((f) => `- ${fmt((100 * f.ms) / busy)}% \`${f.fn}\` (${f.area})`),
      '',
    ];
  }),
  `Raw data: bench/results/${file}; profiles (not committed): bench/profiles/.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
