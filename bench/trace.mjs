#!/usr/bin/env node
// Trace benchmark (issue 8, suite 2): the real editing trace of a LaTeX paper (259,778 edits,
// ../shared/data/automerge-paper.json.gz) replayed through a 3-peer Synod cluster in 3 processes
// (libp2p + Noise on 127.0.0.1, SQLite with its default io): every edit is one command, proposed in
// order from one peer with C outstanding, as one person typing, while the other two replicate and
// apply. Reports edits/s and total time (first proposal until the last replica has applied every
// edit), and checks that every replica's text equals `endContent`.
//
// The state machine is the desktop app's document log (@synod/desktop-app/document): the trace is
// one entry, created by an `append` of startContent (not timed), and every edit is an `edit`
// command of it. `--sm text` uses bench/lib/text-sm.mjs instead, a bare gap-buffer text with
// 8-byte edit headers (no document-log codec, history or version checks): the difference is the
// cost of the app's state machine.
//
//   npm run bench -- trace [--runs 3] [--conc 1024] [--file path.json.gz] [--sm document|text]
//
// The trace is ../shared/data/automerge-paper.json.gz beside the repository, or SYNOD_TRACE_FILE.
//
// Writes bench/results/trace-<date>.json and appends a section to bench/REPORT.md.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { gunzipSync } from 'node:zlib';
import {
  appendReport,
  busyPct,
  fmt,
  log,
  machineInfo,
  machineLine,
  parseJson,
  range,
  SHARED_DIR,
  saveResults,
  summary,
  table,
  versionsLine,
  watchMachine,
} from './lib/common.mjs';
import { DEFAULT_STORAGE } from './lib/durability.mjs';
import { closeAll, startCluster, waitStable } from './lib/peer.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '3' },
    conc: { type: 'string', default: '1024' },
    sm: { type: 'string', default: 'document' },
    file: {
      type: 'string',
      default: process.env.SYNOD_TRACE_FILE ?? join(SHARED_DIR, 'data', 'automerge-paper.json.gz'),
    },
  },
});
const RUNS = Number(opts.runs);
const CONCS = opts.conc.split(',').map(Number);
const FILE = opts.file;
const SM = opts.sm === 'text' ? 'text' : 'document';
const STATE_MACHINE =
  SM === 'text'
    ? 'bench/lib/text-sm.mjs (a bare gap-buffer text)'
    : "the desktop app's document log (@synod/desktop-app/document), the trace as one entry";
/** Operations each replica applies: the document log's append that creates the entry, then the edits. */
const OPS_EXTRA = SM === 'document' ? 1 : 0;

if (!existsSync(FILE)) {
  log(
    `trace: no editing trace at ${FILE}: pass --file <automerge-paper.json.gz> or set ` +
      'SYNOD_TRACE_FILE (it is ../shared/data/automerge-paper.json.gz beside the repository)',
  );
  process.exit(1);
}
const trace = /** @type {{ endContent: string, txns: { patches: unknown[] }[] }} */ (
  parseJson(gunzipSync(readFileSync(FILE)).toString('utf8'))
);
const EDITS = trace.txns.reduce((n, t) => n + t.patches.length, 0);
const machine = machineInfo(tmpdir());
const busy = await busyPct(2000);
log(
  `trace bench: ${EDITS} edits, ${RUNS} runs at C=${CONCS.join(',')}; machine ${fmt(busy)}% busy`,
);

/** @type {Record<string, unknown>[]} */
const runs = [];
for (let run = 0; run < RUNS; run++) {
  for (const conc of CONCS) {
    const dir = join(tmpdir(), `synod-bench-trace-${process.pid}-${run}`);
    rmSync(dir, { recursive: true, force: true });
    const peers = await startCluster(dir, { sm: SM });
    try {
      const leader = await waitStable(peers);
      const w = watchMachine(
        Object.fromEntries(
          peers.map((p) => [p === leader ? 'leader' : `follower-${p.name}`, p.pid]),
        ),
      );
      const r =
        /** @type {{ startAt: number, endAt: number, edits: number, failed: number, firstError?: string }} */ (
          /** @type {unknown} */ (await leader.request('trace', { file: FILE, conc }, 600_000))
        );
      const applied = await Promise.all(
        peers.map((p) =>
          p.request('waitApplied', { count: EDITS + OPS_EXTRA, timeoutMs: 300_000 }),
        ),
      );
      const m = w.stop();
      const lastAt = Math.max(...applied.map((a) => Number(a.at)));
      const texts = await Promise.all(peers.map((p) => p.request('text')));
      const equal = texts.map((t) => t.text === trace.endContent);
      const totalS = (lastAt - r.startAt) / 1000;
      const row = {
        run,
        conc,
        edits: r.edits,
        failed: r.failed,
        proposerS: (r.endAt - r.startAt) / 1000,
        totalS,
        editsPerSec: r.edits / totalS,
        replicasEqualEndContent: equal,
        peakRssMiB: m.peakRssMiB,
        cpuPctOfOneCore: m.cpuPctOfOneCore,
        // CPU of the three peers (utime + stime from /proc) over the run, per edit.
        cpuUsPerEdit:
          (Object.values(m.cpuPctOfOneCore).reduce((a, b) => a + b, 0) / 100) *
          ((m.seconds * 1e6) / r.edits),
        load1: m.loadavg,
        busyPct: m.systemBusyPct,
      };
      runs.push(row);
      log(
        `run ${run + 1} C=${conc}: ${fmt(totalS)} s, ${fmt(row.editsPerSec)} edits/s; ` +
          `replicas equal endContent: ${equal.join('/')}; failed ${r.failed}; ` +
          `${fmt(row.cpuUsPerEdit)} µs CPU/edit; load ${fmt(row.load1)}` +
          (r.firstError === undefined ? '' : ` (first: ${r.firstError})`),
      );
    } finally {
      await closeAll(peers);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const date = new Date().toISOString();
const results = CONCS.map((conc) => {
  const rs =
    /** @type {{ totalS: number, editsPerSec: number, proposerS: number, replicasEqualEndContent: boolean[], peakRssMiB: Record<string, number>, cpuUsPerEdit: number, load1: number }[]} */ (
      runs.filter((r) => r.conc === conc)
    );
  return {
    conc,
    totalS: summary(rs.map((r) => r.totalS)),
    proposerS: summary(rs.map((r) => r.proposerS)),
    editsPerSec: summary(rs.map((r) => r.editsPerSec)),
    cpuUsPerEdit: summary(rs.map((r) => r.cpuUsPerEdit)),
    load1: summary(rs.map((r) => r.load1)),
    allEqual: rs.every((r) => r.replicasEqualEndContent.every(Boolean)),
    peakRssMiB: Math.max(...rs.flatMap((r) => Object.values(r.peakRssMiB))),
  };
});
const best = results.reduce((a, b) => (b.totalS.median < a.totalS.median ? b : a));
const goal = {
  totalS: best.totalS.median,
  conc: best.conc,
  met: best.totalS.median < 5 && best.allEqual,
};
const file = saveResults('trace', date, {
  suite: 'trace',
  date,
  machine,
  busyBeforePct: busy,
  stateMachine: STATE_MACHINE,
  method: { runs: RUNS, concs: CONCS, file: FILE, edits: EDITS },
  results,
  goal,
  runs,
});
await appendReport([
  `## trace — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  `Load: the machine was ${fmt(busy)}% busy (both cores) just before the run; the "load" column is the`,
  '1-minute load average at the end of each run.',
  '',
  `Method: the automerge-paper editing trace (${EDITS.toLocaleString('en-US')} edits) through a`,
  `3-peer cluster in 3 processes (libp2p + Noise, ${DEFAULT_STORAGE}; default options): every`,
  "edit is one command, proposed in order from the leader's process with C outstanding (one",
  'typist); the other two peers replicate and apply. Time: from the first proposal until the last',
  'replica has applied every edit. State machine: ' + STATE_MACHINE + '.',
  'The proposer reads, parses and encodes the trace on a worker thread before the clock starts',
  '(bench/lib/trace-prep.mjs), so its event loop keeps serving the protocol meanwhile.',
  `A fresh cluster per run; ${RUNS} runs. Figures: median (min–max).`,
  '',
  ...table(
    [
      'C',
      'total s',
      'edits/s',
      'proposer done s',
      'cluster CPU µs/edit',
      'load',
      'all replicas = endContent',
      'peak RSS MiB',
    ],
    results.map((r) => [
      String(r.conc),
      range(r.totalS),
      range(r.editsPerSec),
      range(r.proposerS),
      range(r.cpuUsPerEdit),
      range(r.load1),
      r.allEqual ? 'yes' : 'NO',
      fmt(r.peakRssMiB),
    ]),
  ),
  '',
  `Goal (issue 13: all edits replicated and applied on three peers in < 5 s): ${goal.met ? 'met' : 'NOT met'} (${fmt(goal.totalS)} s at C=${goal.conc}).`,
  `Raw data: bench/results/${file}.`,
]);
console.log(`wrote bench/results/${file} and a section of bench/REPORT.md`);
