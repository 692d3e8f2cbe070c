#!/usr/bin/env node
// Is C=1 ≤ 1.5x the floor reachable on this machine at all (issue 13)? Three figures in
// alternating windows of one run:
//   floor  issue 13's floor: one durable commit (back to back) + the first of two replies over
//          Synod's transport (lib/floor.mjs measureFloor)
//   ideal  phase 2 with no protocol: one process sends a 100-byte request to two others over
//          the same transport, then commits its own vote; each of the others commits before it
//          answers; done at a majority of the three votes (lib/floor.mjs idealRounds). The same
//          commits, the same transport, the same three processes on two cores and one disk as a
//          C=1 Synod command, and nothing else: what any implementation pays here.
//   synod  a 3-peer Synod cluster at C=1, as `cluster` runs it (fresh cluster, warmed at C=64)
// Prints each window's p50, then the medians, ideal / floor and synod / floor.
//
//   node bench/ideal-round.mjs [--passes 3] [--seconds 5] [--samples 3000]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { median, sleep } from './lib/common.mjs';
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

/** @param {number} pass */
async function synodWindow(pass) {
  const peers = await startCluster(join(work, `synod-${pass}`));
  try {
    const leader = await waitStable(peers);
    await leader.request('loadStart', { conc: 64, size: 100, from: Infinity });
    await sleep(3000);
    await leader.request('loadStop', {}, 300_000);
    await leader.request('loadStart', { conc: 1, size: 100, from: now() + 1000 });
    await sleep((1 + SECONDS) * 1000);
    /** @type {import('./lib/load.mjs').LoadResult} */
    const r = /** @type {any} */ (await leader.request('loadStop', {}, 300_000));
    return r.latency.p50;
  } finally {
    await closeAll(peers);
  }
}

/** @type {Record<'floor' | 'ideal' | 'synod', number[]>} */
const p50 = { floor: [], ideal: [], synod: [] };
/** @type {Record<'floor' | 'ideal' | 'synod', (pass: number) => Promise<number>>} */
const windows = {
  floor: async () => (await measureFloor(work, { samples: SAMPLES })).floorMs,
  ideal: async () => (await idealRounds(work, SAMPLES)).p50,
  synod: synodWindow,
};
try {
  for (let pass = 0; pass < Number(opts.passes); pass++) {
    /** @type {('floor' | 'ideal' | 'synod')[]} */
    const order = pass % 2 === 0 ? ['floor', 'ideal', 'synod'] : ['synod', 'ideal', 'floor'];
    for (const w of order) {
      const ms = await windows[w](pass);
      p50[w].push(ms);
      console.log(
        `pass ${pass + 1} ${w.padEnd(5)} p50 ${ms.toFixed(3)} ms (load ${loadavg()[0].toFixed(2)})`,
      );
    }
  }
  const m = { floor: median(p50.floor), ideal: median(p50.ideal), synod: median(p50.synod) };
  console.log(
    `medians: floor ${m.floor.toFixed(3)} ms, ideal ${m.ideal.toFixed(3)} ms (${(m.ideal / m.floor).toFixed(2)}x the floor), ` +
      `synod ${m.synod.toFixed(3)} ms (${(m.synod / m.floor).toFixed(2)}x the floor, ${(m.synod / m.ideal).toFixed(2)}x ideal); ` +
      `the goal is 1.5x the floor = ${(1.5 * m.floor).toFixed(3)} ms`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
