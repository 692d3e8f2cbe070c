#!/usr/bin/env node
// Where one round's time goes at C=256 (issue 13): a 3-peer cluster as `cluster` runs it, a
// closed loop of C commands in the leader's process (at C=256 a slot holds all of them, so the
// rounds run in lock-step), every peer recording its steps (lib/latency-trace.mjs). A round
// starts with the leader's turn that sends P2a; prints the median (p10, p90) time from there of
// each step: the P2a on the socket, each follower's transaction and P2b, the leader's P2bs, its
// own write, the results and the next proposals; and what each peer wrote and sent (e.g. a
// decision carrying its value). A diagnostic: the figures to compare are `cluster`'s.
//
//   node bench/rounds.mjs [--conc 256] [--seconds 2] [--warm 3] [--io inline|split] [--dump N]
//
// --dump N: also print every event of the three peers (but proposals and results), on one time
// line, for the 6 rounds from round N.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { sleep } from './lib/common.mjs';
import { firstAtOrAfter } from './lib/latency-trace.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    conc: { type: 'string', default: '256' },
    seconds: { type: 'string', default: '2' },
    warm: { type: 'string', default: '3' },
    io: { type: 'string' },
    dump: { type: 'string', default: '0' },
  },
});
const work = mkdtempSync(join(tmpdir(), 'synod-bench-rounds-'));
process.env.SYNOD_BENCH_LAT_TRACE = work;

/** @typedef {[number, string, string][]} Events (time ms, kind, detail), in time order */

/** The p-quantile of a list (NaN if empty). @param {number[]} xs @param {number} p */
const quantile = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

/**
 * Times of the events in [t, end] of `kind` (whose detail includes `has`).
 * @param {Events} e @param {number} t @param {number} end @param {string} kind @param {string} [has]
 */
function times(e, t, end, kind, has) {
  /** @type {number[]} */
  const out = [];
  if (Number.isNaN(t)) return out;
  for (let i = firstAtOrAfter(e, t); i < e.length && e[i][0] <= end; i++)
    if (e[i][1] === kind && (has === undefined || e[i][2].includes(has))) out.push(e[i][0]);
  return out;
}

/** @param {Events} e @param {number} t @param {number} end @param {string} kind @param {string} [has] */
const first = (e, t, end, kind, has) => times(e, t, end, kind, has)[0] ?? NaN;
/** @param {Events} e @param {number} t @param {number} end @param {string} kind @param {string} [has] */
const last = (e, t, end, kind, has) => times(e, t, end, kind, has).at(-1) ?? NaN;

/** Time spent in turns in [t, end). @param {Events} e @param {number} t @param {number} end */
function busy(e, t, end) {
  let sum = 0;
  let open = NaN;
  for (let i = firstAtOrAfter(e, t); i < e.length && e[i][0] < end; i++) {
    if (e[i][1] === 'turn') open = e[i][0];
    else if (e[i][1] === 'turn-end' && Number.isFinite(open)) {
      sum += e[i][0] - open;
      open = NaN;
    }
  }
  return sum;
}

/** @param {Events} L the leader's events @param {Events[]} Fs the followers' */
function analyse(L, Fs) {
  /** @type {Record<string, number[]>} */
  const steps = {};
  const add = (/** @type {string} */ k, /** @type {number} */ v) => {
    if (Number.isFinite(v)) (steps[k] ??= []).push(v);
  };
  // Round starts: the leader's turns in which a P2a was sent.
  /** @type {number[]} */
  const starts = [];
  for (let i = 0; i < L.length; i++) {
    if (L[i][1] !== 'send' || !L[i][2].includes('p2a')) continue;
    let j = i;
    while (j > 0 && L[j][1] !== 'turn') j--;
    if (starts.at(-1) !== L[j][0]) starts.push(L[j][0]);
  }
  for (let r = 0; r < starts.length - 1; r++) {
    const t0 = starts[r];
    const t1 = starts[r + 1];
    const at = (/** @type {number} */ t) => t - t0;
    add('round (to the next P2a turn)', t1 - t0);
    add('L P2a turn ends', at(first(L, t0, t1, 'turn-end')));
    add('L first socket write', at(first(L, t0, t1, 'sock-out')));
    const tx = first(L, t0, t1, 'tx');
    add('L transaction starts', at(tx));
    add('L transaction ends', at(first(L, tx, t1, 'tx-end')));
    add('L own write resolved', at(first(L, t0, t1 + 5, 'written')));
    const p2b = times(L, t0, t1, 'recv', 'p2b');
    add('L first P2b stepped', at(p2b[0] ?? NaN));
    add('L second P2b stepped', at(p2b[1] ?? NaN));
    const res = first(L, t0, t1, 'result');
    add('L first result', at(res));
    add('L last result', at(last(L, t0, t1, 'result')));
    add('L last proposal', at(last(L, res, t1, 'propose')));
    add('L results in the round (count)', times(L, t0, t1, 'result').length);
    add('L turns in the round (count)', times(L, t0, t1, 'turn').length);
    add('L time in turns', busy(L, t0, t1));
    Fs.forEach((F, k) => {
      const n = `F${k + 1}`;
      const rv = first(F, t0, t1, 'recv', 'p2a');
      add(`${n} first socket read`, at(first(F, t0, t1, 'sock-in')));
      add(`${n} P2a stepped`, at(rv));
      const ftx = first(F, rv, t1, 'tx');
      add(`${n} transaction starts`, at(ftx));
      add(`${n} transaction ends`, at(first(F, ftx, t1, 'tx-end')));
      add(`${n} write resolved`, at(first(F, ftx, t1 + 5, 'written')));
      add(`${n} P2b sent`, at(first(F, rv, t1 + 5, 'send', 'p2b')));
      add(`${n} time in turns`, busy(F, t0, t1));
    });
  }
  return steps;
}

/** What a peer wrote and sent, most frequent first. @param {Events} e */
function kinds(e) {
  /** @type {Record<string, number>} */
  const n = {};
  for (const [, kind, detail] of e) {
    if (kind !== 'write-call' && kind !== 'send' && kind !== 'recv') continue;
    const k = `${kind} ${detail.replace(/^[^:]*:/, '')}`;
    n[k] = (n[k] ?? 0) + 1;
  }
  return Object.entries(n)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, v]) => `${v}x ${k}`)
    .join(' | ');
}

const peers = await startCluster(join(work, 'run'), {
  ...(opts.io === undefined ? {} : { io: opts.io }),
});
try {
  const leader = await waitStable(peers);
  await leader.request('loadStart', { conc: Number(opts.conc), from: 0 });
  await sleep(Number(opts.warm) * 1000);
  await Promise.all(peers.map((p) => p.request('latencyTrace', { dump: false })));
  const c0 = Number((await leader.status()).sm.count);
  const t0 = performance.now();
  await sleep(Number(opts.seconds) * 1000);
  const c1 = Number((await leader.status()).sm.count);
  const secs = (performance.now() - t0) / 1000;
  await Promise.all(peers.map((p) => p.request('latencyTrace', { dump: true })));
  await leader.request('loadStop');
  /** @param {{ name: string }} p @returns {Events} */
  const read = (p) => {
    /** @type {unknown} */
    const parsed = JSON.parse(readFileSync(join(work, `${p.name}.json`), 'utf8'));
    return /** @type {Events} */ (parsed);
  };
  const L = read(leader);
  const Fs = peers.filter((p) => p !== leader).map(read);
  console.log(
    `C=${opts.conc}: ${((c1 - c0) / secs).toFixed(0)} cmd/s (traced), load average ${loadavg()[0].toFixed(2)}`,
  );
  console.log(`  L: ${kinds(L)}`);
  Fs.forEach((F, k) => console.log(`  F${k + 1}: ${kinds(F)}`));
  const steps = Object.entries(analyse(L, Fs)).sort(
    (a, b) => quantile(a[1], 0.5) - quantile(b[1], 0.5),
  );
  for (const [k, v] of steps) {
    const q = (/** @type {number} */ p) => quantile(v, p).toFixed(3).padStart(8);
    const unit = k.endsWith('(count)') ? '  ' : 'ms';
    console.log(`  ${q(0.5)} ${unit} (p10 ${q(0.1)}, p90 ${q(0.9)})  ${k}  (n=${v.length})`);
  }
  const DUMP = Number(opts.dump);
  if (DUMP > 0) {
    /** @type {[number, string, string, string][]} */
    const all = [];
    for (const p of peers) {
      const who = p === leader ? 'L ' : p.name;
      for (const [t, kind, detail] of read(p))
        if (kind !== 'propose' && kind !== 'result') all.push([t, who, kind, detail]);
    }
    all.sort((x, y) => x[0] - y[0]);
    const p2a = all.filter((x) => x[1] === 'L ' && x[2] === 'send' && x[3].includes('p2a'));
    const a = p2a[DUMP]?.[0] ?? 0;
    const b = p2a[DUMP + 6]?.[0] ?? Infinity;
    for (const [t, who, kind, detail] of all)
      if (t >= a && t < b)
        console.log(`${(t - a).toFixed(3).padStart(8)} ${who} ${kind} ${detail}`);
  }
} finally {
  await closeAll(peers);
}
rmSync(work, { recursive: true, force: true });
