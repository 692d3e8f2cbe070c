#!/usr/bin/env node
// Where one command's time goes at C=1 (issue 13): a 3-peer cluster as `cluster` runs it, a
// closed loop of one outstanding 100-byte command in the leader's process, every peer recording
// the steps of the critical path (lib/latency-trace.mjs). Prints, per step, the median time from
// the proposal (ms): the P2a handed to the transport and to the socket, the leader's own write,
// the P2a's arrival at each follower, the follower's write and its P2b, the P2b's arrival at the
// leader, the result. A diagnostic: the figures to compare are `cluster`'s.
//
//   node bench/latency.mjs [--seconds 4] [--io inline|split|worker] [--runs 1] [--dump N]
//
// --dump N: also print every event of the three peers, on one time line, for commands N to N+2.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { sleep } from './lib/common.mjs';
import { firstAtOrAfter } from './lib/latency-trace.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    io: { type: 'string' },
    runs: { type: 'string', default: '1' },
    dump: { type: 'string', default: '0' },
  },
});
const DUMP = Number(opts.dump);
const work = mkdtempSync(join(tmpdir(), 'synod-bench-latency-'));
process.env.SYNOD_BENCH_LAT_TRACE = work;

/** @typedef {[number, string, string][]} Events */

/**
 * A process's context switches (voluntary: it slept and was woken, the wake-ups a command
 * costs; involuntary: preempted) and CPU ms, from /proc.
 * @param {number} pid
 */
function procCounters(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const num = (/** @type {string} */ k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    voluntary: num('voluntary_ctxt_switches'),
    involuntary: num('nonvoluntary_ctxt_switches'),
    userMs: (Number(f[11]) * 1000) / 100,
    systemMs: (Number(f[12]) * 1000) / 100,
  };
}

/** Median of a list (NaN if empty). @param {number[]} xs */
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * Time of the first event after `t` and before `end` matching `kind` (and `detail` includes
 * `has`), or NaN. @param {Events} e @param {number} t @param {number} end @param {string} kind @param {string} [has]
 */
function first(e, t, end, kind, has) {
  for (let i = firstAtOrAfter(e, t); i < e.length && e[i][0] <= end; i++) {
    if (e[i][1] === kind && (has === undefined || e[i][2].includes(has))) return e[i][0];
  }
  return NaN;
}

/** @param {Events} leader @param {Events[]} followers */
function analyse(leader, followers) {
  /** @type {Record<string, number[]>} */
  const steps = {};
  const add = (/** @type {string} */ k, /** @type {number} */ v) => {
    if (Number.isFinite(v)) (steps[k] ??= []).push(v);
  };
  const proposals = leader.filter((x) => x[1] === 'propose').map((x) => x[0]);
  for (let i = 0; i < proposals.length - 1; i++) {
    const t0 = proposals[i];
    const end = first(leader, t0, proposals[i + 1], 'result');
    if (!Number.isFinite(end)) continue;
    const at = (/** @type {number} */ t) => t - t0;
    add('total (result)', at(end));
    const turn = first(leader, t0, end, 'turn');
    add('L turn starts', at(turn));
    const p2a = first(leader, t0, end, 'send', 'p2a');
    add('L P2a to transport', at(p2a));
    add('L first socket write after P2a', at(first(leader, p2a, end, 'sock-out')));
    add('L turn ends', at(first(leader, turn, end, 'turn-end')));
    add('L write() called', at(first(leader, t0, end, 'write-call')));
    const tx = first(leader, t0, end, 'tx');
    add('L transaction starts', at(tx));
    add('L transaction ends', at(first(leader, tx, end, 'tx-end')));
    const ds = first(leader, tx, end, 'datasync');
    add('L fdatasync starts', at(ds));
    const dse = first(leader, ds, end + 2, 'datasync-end');
    add('L fdatasync ends', at(dse));
    add('L write resolved (written)', at(first(leader, t0, end, 'written')));
    const sockIn = first(leader, p2a, end, 'sock-in');
    add('L first socket read after P2a', at(sockIn));
    const r1 = first(leader, t0, end, 'recv', 'p2b');
    add('L first P2b stepped', at(r1));
    add('L next turn after first P2b', at(first(leader, r1, end, 'turn')));
    add('L second P2b stepped', at(first(leader, r1 + 1e-6, end + 2, 'recv', 'p2b')));
    /** @type {{ n: string, sin: number, rv: number, ftx: number, fte: number, fds: number, fde: number, fp: number, fo: number }[]} */
    const fs2 = followers.map((f, k) => {
      const n = `F${k + 1}`;
      const sin = first(f, p2a, end, 'sock-in');
      const rv = first(f, p2a, end + 2, 'recv', 'p2a');
      const ftx = first(f, rv, end + 2, 'tx');
      const fte = first(f, ftx, end + 2, 'tx-end');
      const fds = first(f, fte, end + 2, 'datasync');
      const fde = first(f, fds, end + 2, 'datasync-end');
      const fp = first(f, rv, end + 2, 'send', 'p2b');
      const fo = first(f, fp, end + 2, 'sock-out');
      add(`${n} socket read`, at(sin));
      add(`${n} P2a stepped`, at(rv));
      add(`${n} transaction starts`, at(ftx));
      add(`${n} fdatasync starts`, at(fds));
      add(`${n} fdatasync ends`, at(fde));
      add(`${n} P2b to transport`, at(fp));
      add(`${n} socket write after P2b`, at(fo));
      return { n, sin, rv, ftx, fte, fds, fde, fp, fo };
    });
    // The chain through the follower whose P2b left first.
    const f = fs2.filter((x) => Number.isFinite(x.fo)).sort((a, b) => a.fo - b.fo)[0];
    const lo = first(leader, p2a, end, 'sock-out');
    if (f !== undefined) {
      add('Δ1 propose → L P2a on socket', lo - t0);
      add('Δ2 wire: L socket → F socket read', f.sin - lo);
      add('Δ3 F read → P2a stepped (decode)', f.rv - f.sin);
      add('Δ4 F stepped → transaction starts', f.ftx - f.rv);
      add('Δ5 F transaction', f.fte - f.ftx);
      add('Δ5b F transaction end → fdatasync starts', f.fds - f.fte);
      add('Δ5c F fdatasync', f.fde - f.fds);
      add('Δ6 F fdatasync end → P2b on socket', f.fo - f.fde);
      add('Δ7 F P2b socket → L P2b stepped', r1 - f.fo);
      add('Δ8 L P2b stepped → result', end - r1);
      add('L fdatasync', dse - ds);
      add('L fdatasync end − first P2b on F socket', dse - f.fo);
    }
  }
  return steps;
}

for (let run = 0; run < Number(opts.runs); run++) {
  const peers = await startCluster(join(work, `run${run}`), {
    ...(opts.io === undefined ? {} : { io: opts.io }),
  });
  try {
    const leader = await waitStable(peers);
    await leader.request('loadStart', { conc: 1, from: 0 });
    await sleep(1000);
    await Promise.all(peers.map((p) => p.request('latencyTrace', { dump: false })));
    const before = peers.map((p) => procCounters(p.pid));
    const c0 = Number((await leader.status()).sm.count);
    await sleep(Number(opts.seconds) * 1000);
    const c1 = Number((await leader.status()).sm.count);
    const after = peers.map((p) => procCounters(p.pid));
    await Promise.all(peers.map((p) => p.request('latencyTrace', { dump: true })));
    const res = await leader.request('loadStop');
    const load1 = loadavg()[0];
    /** @param {{ name: string }} p @returns {Events} */
    const read = (p) => {
      /** @type {unknown} */
      const parsed = JSON.parse(readFileSync(join(work, `${p.name}.json`), 'utf8'));
      return /** @type {Events} */ (parsed);
    };
    const steps = analyse(read(leader), peers.filter((p) => p !== leader).map(read));
    if (DUMP > 0) {
      // Every event of all three peers during commands DUMP..DUMP+2, on one time line.
      /** @type {[number, string, string, string][]} */
      const all = [];
      for (const p of peers) {
        const who = p === leader ? 'L ' : p.name;
        for (const [t, kind, detail] of read(p)) all.push([t, who, kind, detail]);
      }
      all.sort((x, y) => x[0] - y[0]);
      const props = all.filter((x) => x[1] === 'L ' && x[2] === 'propose');
      const t0 = props[DUMP]?.[0] ?? 0;
      const t1 = props[DUMP + 3]?.[0] ?? Infinity;
      for (const [t, who, kind, detail] of all)
        if (t >= t0 && t < t1)
          console.log(`${(t - t0).toFixed(3).padStart(8)} ${who} ${kind} ${detail}`);
    }
    const lat = /** @type {import('./lib/load.mjs').LoadResult} */ (/** @type {unknown} */ (res))
      .latency;
    console.log(
      `run ${run}: io ${opts.io ?? 'default'}, ${lat.n} commands, load p50 ${lat.p50.toFixed(3)} ms, load average ${load1.toFixed(2)}`,
    );
    const per = (/** @type {number} */ x) => (x / Math.max(1, c1 - c0)).toFixed(2);
    peers.forEach((p, i) => {
      const b = before[i];
      const a = after[i];
      console.log(
        `  ${p === leader ? 'leader  ' : `${p.name} (F)`} per command: ${per(a.voluntary - b.voluntary)} wake-ups, ` +
          `${per(a.involuntary - b.involuntary)} preemptions, ` +
          `${(((a.userMs - b.userMs) * 1000) / Math.max(1, c1 - c0)).toFixed(0)} µs user + ` +
          `${(((a.systemMs - b.systemMs) * 1000) / Math.max(1, c1 - c0)).toFixed(0)} µs system CPU`,
      );
    });
    const order = Object.entries(steps).sort((a, b) => median(a[1]) - median(b[1]));
    for (const [k, v] of order)
      console.log(`  ${median(v).toFixed(3).padStart(7)} ms  ${k}  (n=${v.length})`);
  } finally {
    await closeAll(peers);
  }
}
rmSync(work, { recursive: true, force: true });
