#!/usr/bin/env node
// Fairness between the logs of one host (issue 16): a log catching up a large state must not
// starve another log's commits over the connection they share. 3 host processes on 127.0.0.1
// (@synod/peer's createHost, one libp2p node each, durability `full` unless told otherwise:
// every commit synced):
//
// - log `quiet`: a 3-member group of h0, h1, h2, created by h0;
// - log `bulk`: h0 and h1, filled with `--mb` MiB of app state (commands of `--kib` KiB, each
//   kept by the state machine);
// - the commit latency of `quiet` under a closed loop of `--conc` (1) proposal(s) in h0's process,
//   first for `--seconds` with nothing else going on, then while h2 joins `bulk` and catches up
//   its whole state from h0 and h1 over the same connections as `quiet`'s traffic.
//
// Reported: `quiet`'s p50/p99/max before and during the catch-up, and the catch-up's MiB/s. The
// 1-minute load average is printed beside each figure (the machine is shared).
//
//   npm run bench -- logs-fairness [--mb 128] [--kib 64] [--conc 1] [--seconds 10]
//                                  [--durability full|normal-unsafe]
//
// Writes bench/results/logs-fairness-<date>.json and appends a section to bench/REPORT.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  fmt,
  log,
  machineInfo,
  machineLine,
  saveResults,
  sleep,
  table,
} from './lib/common.mjs';
import { joinLog, makeLog, startHosts, waitReady } from './lib/hosts.mjs';
import { now } from './lib/load.mjs';

const { values: o } = benchArgs({
  options: {
    mb: { type: 'string', default: '128' },
    kib: { type: 'string', default: '64' },
    conc: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    durability: { type: 'string', default: 'full' },
  },
});
const commandBytes = Number(o.kib) * 1024;
const count = Math.ceil((Number(o.mb) * 1024 * 1024) / commandBytes);
const load1 = () => Number(loadavg()[0].toFixed(1));
const date = new Date().toISOString();
const dir = mkdtempSync(join(tmpdir(), 'synod-bench-fairness-'));
// Every command of `bulk` keeps its own key: the app state is the whole `--mb`.
const bulkArgs = { keyspace: count };

/** @typedef {{ n: number, p50: number, p99: number, p999: number, mean: number, max: number }} Latency */

const result = { date, machine: machineInfo(dir), options: o };
/** @typedef {import('./lib/peer.mjs').PeerProcess} PeerProcess */
/** @type {PeerProcess[]} */
let hosts = [];
try {
  hosts = await startHosts(dir, ['h0', 'h1', 'h2'], { durability: o.durability });
  const [h0, h1, h2] = /** @type {[PeerProcess, PeerProcess, PeerProcess]} */ (hosts);
  await makeLog(h0, [h1, h2], 'quiet');
  await makeLog(h0, [h1], 'bulk', bulkArgs);
  await waitReady(hosts, ['quiet']);
  await waitReady([h0, h1], ['bulk']);

  const f0 = now();
  const filled = await h0.request(
    'fill',
    { name: 'bulk', count, size: commandBytes, conc: 4 },
    3_600_000,
  );
  const fillSec = (now() - f0) / 1000;
  log(`bulk: ${count} commands of ${o.kib} KiB written in ${fmt(fillSec)} s (load ${load1()})`);

  /** `quiet`'s latency under the load from now until `until()` resolves. */
  const measure = async (/** @type {() => Promise<unknown>} */ until) => {
    await h0.request('load', { names: ['quiet'], conc: Number(o.conc), size: 100, from: now() });
    await until();
    const r = await h0.request('stopLoad', {}, 120_000);
    const q = /** @type {{ quiet: { counted: number, latency: Latency } }} */ (r.logs).quiet;
    return { counted: q.counted, latency: q.latency, load1: load1() };
  };

  const before = await measure(() => sleep(Number(o.seconds) * 1000));
  log(`quiet alone: p50 ${fmt(before.latency.p50)} ms, p99 ${fmt(before.latency.p99)} ms`);

  const target = Number(filled.slotOut);
  let caughtUpSec = NaN;
  const during = await measure(async () => {
    const c0 = now();
    await joinLog(h0, h2, 'bulk', bulkArgs);
    for (const deadline = Date.now() + 3_600_000; ;) {
      const s = await h2.request('status');
      const bulk = /** @type {Record<string, { slotOut: number }>} */ (s.logs).bulk;
      if (bulk !== undefined && bulk.slotOut >= target) break;
      if (Date.now() > deadline) throw new Error(`h2 did not catch up bulk: ${JSON.stringify(s)}`);
      await sleep(50);
    }
    caughtUpSec = (now() - c0) / 1000;
  });
  const mibPerSec = Number(o.mb) / caughtUpSec;
  log(
    `quiet during bulk's catch-up (${fmt(caughtUpSec)} s, ${fmt(mibPerSec)} MiB/s): p50 ${fmt(during.latency.p50)} ms, p99 ${fmt(during.latency.p99)} ms`,
  );

  Object.assign(result, { count, fillSec, before, during, caughtUpSec, mibPerSec });
  const file = saveResults('logs-fairness', date, result);
  const row = (/** @type {string} */ label, /** @type {typeof before} */ m) => [
    label,
    String(m.counted),
    `${fmt(m.latency.p50)} ms`,
    `${fmt(m.latency.p99)} ms`,
    `${fmt(m.latency.max)} ms`,
    String(m.load1),
  ];
  await appendReport([
    `## logs-fairness — ${date.slice(0, 16)} (one log's commits while another catches up, issue 16)`,
    '',
    machineLine(result.machine),
    `3 host processes (createHost); log \`quiet\` (h0, h1, h2) under ${o.conc} proposal(s) in flight from h0's process; log \`bulk\` (h0, h1) holding ${o.mb} MiB of app state in ${count} commands of ${o.kib} KiB, which h2 joins and catches up from h0 and h1 over the connections \`quiet\` uses; durability ${o.durability}; results in bench/results/${file}.`,
    '',
    ...table(
      ['quiet', 'commits', 'p50', 'p99', 'max', 'load'],
      [row('alone', before), row(`during bulk's catch-up`, during)],
    ),
    '',
    `bulk's catch-up: ${o.mb} MiB in ${fmt(caughtUpSec)} s (${fmt(mibPerSec)} MiB/s); quiet's p99 during it is ${fmt(during.latency.p99 / before.latency.p99)}x its p99 alone.`,
  ]);
} finally {
  await Promise.all(hosts.map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
}
