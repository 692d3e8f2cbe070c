#!/usr/bin/env node
// What one durable commit costs when three processes share the disk, as a 3-peer cluster on one
// machine does at C=1 (issue 13): the C=1 floor (lib/floor.mjs) counts one commit of one process
// alone, while each Synod command waits for commits of three processes at nearly the same time
// (the leader's own vote, then both followers' accepts about 0.25 ms later). Each process makes
// the floor's commit (lib/floor.mjs sqliteCommits: WAL, synchronous=FULL, exclusive locking,
// one 100-byte row per transaction) once per period, at a shared clock's period boundary plus
// its offset; scenarios alternate within the run, each on fresh files:
//   one    one process, offset 0 (the floor's commit, paced like C=1)
//   three  three processes at offsets 0, 250 and 280 µs (a leader, then its two followers)
//   loop   one process committing back to back, never idle (how the floor measures its commit)
// Prints each window's commit p50 per process, then the medians and their ratio.
//
//   node bench/fsync-share.mjs [--rounds 5] [--seconds 2] [--period-us 1000]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './lib/args.mjs';
import { median, sleep } from './lib/common.mjs';
import { MSG, referenceDb } from './lib/floor.mjs';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const [file, offsetUs, periodUs, seconds, startAt] = process.argv
    .slice(3)
    .map((x, i) => (i === 0 ? x : Number(x)));
  const db = referenceDb(/** @type {string} */ (file));
  db.exec('CREATE TABLE accepted (slot INTEGER PRIMARY KEY, value BLOB NOT NULL) STRICT');
  const put = db.prepare('INSERT INTO accepted (slot, value) VALUES (?, ?)');
  const value = Buffer.alloc(MSG, 0x5a);
  // Wall clock shared by the processes (ms since the epoch, µs resolution).
  const wall = () => performance.timeOrigin + performance.now();
  /** @type {number[]} */
  const lat = [];
  const period = Number(periodUs) / 1000;
  const end = Number(startAt) + Number(seconds) * 1000;
  let next = Number(startAt) + Number(offsetUs) / 1000;
  let slot = 1;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (wall() < end) {
    // Sleep (as a peer waits in epoll) until just before the boundary, then spin to it: a timer
    // is too coarse, and three spinners would take both cores of a 2-core machine.
    const ahead = next - wall() - 0.1;
    if (ahead > 0) Atomics.wait(nap, 0, 0, ahead);
    while (wall() < next);
    if (period === 0) next = -Infinity; // back to back
    const t = wall();
    put.run(slot++, value);
    lat.push(wall() - t);
    next += period;
    while (period > 0 && next < wall()) next += period;
  }
  db.close();
  process.send?.(median(lat));
  process.exit(0);
}

const { values: opts } = benchArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    'period-us': { type: 'string', default: '1000' },
  },
});

/**
 * Run processes at `offsets` (µs) together, one commit per `periodUs` (0: back to back); their
 * commit p50s (ms).
 * @param {number[]} offsets @param {number} [periodUs] @returns {Promise<number[]>}
 */
async function scenario(offsets, periodUs = Number(opts['period-us'])) {
  const dir = mkdtempSync(join(tmpdir(), 'synod-fsync-share-'));
  const startAt = performance.timeOrigin + performance.now() + 1500;
  try {
    return await Promise.all(
      offsets.map(
        (off, i) =>
          /** @type {Promise<number>} */ (
            new Promise((resolve, reject) => {
              const args = [join(dir, `p${i}.db`), off, periodUs, opts.seconds, startAt];
              const child = fork(SELF, ['--child', ...args.map(String)]);
              child.once('message', (m) => resolve(Number(m)));
              child.once('error', reject);
            })
          ),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @type {Record<string, number[]>} */
const p50s = { one: [], 'three (leader)': [], 'three (first follower)': [], loop: [] };
for (let r = 0; r < Number(opts.rounds); r++) {
  // Which goes first alternates: removing the last window's files keeps the disk busy a while.
  /** @type {number[]} */
  let one = [];
  /** @type {number[]} */
  let three = [];
  /** @type {number[]} */
  let loop = [];
  const runs = [
    async () => (one = await scenario([0])),
    async () => (three = await scenario([0, 250, 280])),
    async () => (loop = await scenario([0], 0)),
  ];
  for (let k = 0; k < runs.length; k++) {
    await runs[(k + r) % runs.length]();
    await sleep(1000);
  }
  p50s.loop.push(loop[0]);
  p50s.one.push(one[0]);
  p50s['three (leader)'].push(three[0]);
  p50s['three (first follower)'].push(Math.min(three[1], three[2]));
  console.log(
    `round ${r + 1}: one ${one[0].toFixed(3)} ms; three ${three.map((x) => x.toFixed(3)).join(' / ')} ms; loop ${loop[0].toFixed(3)} ms; load ${loadavg()[0].toFixed(2)}`,
  );
}
const one = median(p50s.one);
for (const [k, v] of Object.entries(p50s))
  console.log(
    `${k}: commit p50 ${median(v).toFixed(3)} ms (median of ${v.length} windows), ${(median(v) / one).toFixed(2)}x one`,
  );
