// The physical references a Synod command cannot beat on this machine, measured in the run that
// compares with them: a durable SQLite commit with the storage's pragmas (WAL,
// synchronous=FULL, exclusive locking), and the round trip in which one process sends a
// 100-byte message to two others and waits for the first answer (what a leader waits for from
// a majority of three), over raw TCP and over Synod's libp2p transport. The floor of one command
// at C=1 is one commit + the first of two replies over the transport (issue 13).
import { fork } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { latencySummary, procTicks, sleep } from './common.mjs';

const ECHO_CHILD = fileURLToPath(new URL('./echo-child.mjs', import.meta.url));
export const MSG = 100;

/**
 * A new SQLite file with the storage's pragmas (exclusive locking, WAL), at `synchronous` FULL (a
 * commit syncs the WAL, as `io: 'inline'` and `'worker'` do) or NORMAL (the caller syncs the WAL
 * itself, as `io: 'split'` does). The benches' physical references all start here.
 * @param {string} file @param {'FULL' | 'NORMAL'} [synchronous]
 */
export function referenceDb(file, synchronous = 'FULL') {
  const db = new Database(file);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  return db;
}

/**
 * The floor's durable commit on a new file: `commit(first)` writes `batch` rows of MSG bytes in
 * one transaction (an acceptor's pvalue row), and returns once it is durable. SQLite syncs it
 * (synchronous=FULL: an fsync, as this build of SQLite has no fdatasync; the floor's commit), or,
 * with `walFdatasync`, the caller fdatasyncs the WAL after a synchronous=NORMAL commit, as
 * `io: 'split'` does.
 * @param {string} file @param {number} [batch] @param {{ walFdatasync?: boolean }} [o]
 */
export function referenceCommitter(file, batch = 1, o = {}) {
  const db = referenceDb(file, o.walFdatasync === true ? 'NORMAL' : 'FULL');
  db.exec(
    'CREATE TABLE accepted (slot INTEGER PRIMARY KEY, config INTEGER NOT NULL, round INTEGER NOT NULL, ' +
      'leader TEXT NOT NULL, value BLOB NOT NULL) STRICT',
  );
  const put = db.prepare(
    'INSERT INTO accepted (slot, config, round, leader, value) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (slot) DO UPDATE SET value = excluded.value',
  );
  const value = Buffer.alloc(MSG, 0x5a);
  const commit = db.transaction((/** @type {number} */ first) => {
    for (let i = 0; i < batch; i++) put.run(first + i, 0, 1, 'bench-leader', value);
  });
  /** @type {number | undefined} */
  let wal;
  return {
    commit: (/** @type {number} */ first) => {
      commit(first);
      if (o.walFdatasync !== true) return;
      wal ??= openSync(`${file}-wal`, 'r');
      fdatasyncSync(wal);
    },
    close: () => {
      if (wal !== undefined) closeSync(wal);
      db.close();
    },
  };
}

/**
 * Durable commits of `batch` rows of MSG bytes per transaction for `seconds`, on a new file:
 * back to back, or one per `periodUs` (as each peer of a C=1 cluster commits once per command,
 * the disk idle in between; the floor's commit is the back-to-back one).
 * @param {string} file @param {number} batch @param {number} seconds @param {number} [periodUs]
 */
export function sqliteCommits(file, batch, seconds, periodUs = 0) {
  const { commit: tx, close } = referenceCommitter(file, batch);
  /** @type {number[]} */
  const lat = [];
  let slot = 1;
  const period = periodUs / 1000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let t = t0;
  while (t < end) {
    if (period > 0) {
      // Sleep to just before the boundary, then spin to it: a timer is too coarse for 1 ms.
      const next = t0 + lat.length * period;
      const ahead = next - performance.now() - 0.1;
      if (ahead > 0) Atomics.wait(nap, 0, 0, ahead);
      while (performance.now() < next);
      t = performance.now();
    }
    tx(slot);
    slot += batch;
    const e = performance.now();
    lat.push(e - t);
    t = e;
  }
  close();
  const s = (t - t0) / 1000;
  return {
    commitsPerSec: lat.length / s,
    rowsPerSec: (lat.length * batch) / s,
    ...latencySummary(lat),
  };
}

/**
 * An echo process of `kind` (tcp | libp2p).
 * @param {'tcp' | 'libp2p'} kind @param {Record<string, string>} [env]
 * @returns {Promise<{ address: string, peer?: string, pid: number, stop: () => Promise<void> }>}
 */
function startEcho(kind, env = {}) {
  const child = fork(ECHO_CHILD, [kind], { stdio: 'inherit', env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      const a = /** @type {{ address: string, peer?: string }} */ (m);
      resolve({
        ...a,
        pid: child.pid ?? -1,
        stop: async () => {
          const exited = new Promise((r) => child.once('exit', r));
          child.disconnect();
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`echo child (${kind}) exited ${code}`)));
  });
}

/**
 * Rounds of: send one message to every echo, wait for the first `need` answers; latencies in ms
 * after `warmup` rounds. `send(i)` sends to echo i; `arrivals` is told of every answer.
 * @param {number} n @param {(i: number) => void} send
 * @param {(onAnswer: (i: number) => void) => void} arrivals
 * @param {number} need @param {number} samples @param {number} warmup
 */
async function firstOf(n, send, arrivals, need, samples, warmup) {
  const expected = new Array(n).fill(0);
  const got = new Array(n).fill(0);
  /** @type {(() => void) | undefined} */
  let wake;
  arrivals((i) => {
    got[i]++;
    wake?.();
  });
  /** @type {number[]} */
  const lat = [];
  for (let round = 0; round < samples + warmup; round++) {
    const t = performance.now();
    for (let k = 0; k < n; k++) {
      expected[k]++;
      send(k);
    }
    await new Promise((resolve) => {
      const check = () => {
        if (got.filter((g, k) => g >= expected[k]).length >= need) {
          wake = undefined;
          resolve(undefined);
        }
      };
      wake = check;
      check();
    });
    if (round >= warmup) lat.push(performance.now() - t);
    // Let the late answers of this round arrive before the next starts.
    while (got.some((g, k) => g < expected[k])) {
      await new Promise((resolve) => (wake = () => resolve(undefined)));
    }
  }
  return latencySummary(lat);
}

/**
 * Raw node:net: the RTT to one echo process and the first of two replies from two.
 * @param {number} samples
 */
export async function rawRoundTrips(samples) {
  const echoes = await Promise.all([startEcho('tcp'), startEcho('tcp')]);
  try {
    const msg = Buffer.alloc(MSG, 0x5a);
    const dial = (/** @type {string} */ port) =>
      /** @type {Promise<import('node:net').Socket>} */ (
        new Promise((resolve, reject) => {
          const s = connect(Number(port), '127.0.0.1', () => resolve(s));
          s.setNoDelay(true);
          s.once('error', reject);
        })
      );
    /** @param {import('node:net').Socket[]} socks @param {number} need */
    const run = async (socks, need) => {
      const r = await firstOf(
        socks.length,
        (i) => socks[i].write(msg),
        (on) =>
          socks.forEach((s, i) => {
            let bytes = 0;
            s.on('data', (/** @type {Buffer} */ d) => {
              bytes += d.length;
              while (bytes >= MSG) {
                bytes -= MSG;
                on(i);
              }
            });
          }),
        need,
        samples,
        200,
      );
      for (const s of socks) s.destroy();
      return r;
    };
    const one = await run([await dial(echoes[0].address)], 1);
    const two = await run(await Promise.all(echoes.map((e) => dial(e.address))), 1);
    return { rttTwoProcesses: one, firstOfTwo: two };
  } finally {
    await Promise.all(echoes.map((e) => e.stop()));
  }
}

/**
 * Synod's libp2p transport (TCP + Noise + yamux, Synod frames): one process sends a 100-byte
 * request to two echo peers and waits for the first answer.
 * @param {number} samples
 */
export function transportFirstOfTwo(samples) {
  return transportRounds(samples);
}

/**
 * Phase 2 of Paxos at C=1 with no protocol at all, over the floor's own parts: one process sends
 * a 100-byte request to two echo peers over Synod's transport, then makes the floor's durable
 * commit itself (its own vote); each echo makes the floor's commit before it answers. A round
 * ends at a majority of the three votes: the sender's and one answer, or both answers. What any
 * implementation on this transport and this storage pays on this machine, whatever its code.
 * @param {string} dir @param {number} samples
 */
export function idealRounds(dir, samples) {
  return transportRounds(samples, dir);
}

/** Rounds before the measured ones: JIT, connections, the files' first pages. */
const TRANSPORT_WARMUP = 300;

/** idealRounds' commits fdatasync the WAL as Synod's default io does (SYNOD_IDEAL_SYNC=full: SQLite's FULL, as the floor). */
const IDEAL_WAL_FDATASYNC = process.env.SYNOD_IDEAL_SYNC !== 'full';

/**
 * The rounds of transportFirstOfTwo, or, with `commitDir`, of idealRounds.
 * @param {number} samples @param {string} [commitDir]
 */
async function transportRounds(samples, commitDir) {
  const { generateKeyPair, privateKeyToProtobuf } = await import('@libp2p/crypto/keys');
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id');
  const { createLibp2pTransport } = await import('@synod/transport-libp2p');
  const keyA = await generateKeyPair('Ed25519');
  const idA = peerIdFromPrivateKey(keyA).toString();
  const stamp = Date.now();
  const echoes = await Promise.all(
    [0, 1].map(async (i) => {
      const key = await generateKeyPair('Ed25519');
      return startEcho('libp2p', {
        ECHO_KEY: Buffer.from(privateKeyToProtobuf(key)).toString('hex'),
        ECHO_PEER: idA,
        ...(commitDir === undefined
          ? {}
          : {
              ECHO_DB: join(commitDir, `ideal-${stamp}-${i}.db`),
              ECHO_WAL_FDATASYNC: String(IDEAL_WAL_FDATASYNC),
            }),
      });
    }),
  );
  const own =
    commitDir === undefined ? undefined : referenceCommitter(join(commitDir, `ideal-${stamp}.db`));
  const t = await createLibp2pTransport({
    identity: keyA,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  try {
    const peers = echoes.map((e) => String(e.peer));
    /** @type {(i: number) => void} */
    let onAnswer = () => undefined;
    await t.start((from) => onAnswer(peers.indexOf(from)));
    t.setMembers([idA, ...peers]);
    for (const e of echoes) await t.addPeerAddress(e.address);
    const deadline = performance.now() + 20_000;
    while (t.peers().filter((p) => p.connected).length < 2) {
      if (performance.now() > deadline) throw new Error('the libp2p echo peers did not link up');
      await sleep(10);
    }
    const payload = new Uint8Array(MSG).fill(0x5a);
    let hops = 0;
    let slot = 1;
    // Voter 2 is the sender's own commit, made as a leader makes its own vote: in a microtask
    // queued after the sends, so that the transport's flush (a microtask queued at send) puts
    // both requests on their sockets first (storage-sqlite's split io does the same).
    const vote = (/** @type {number} */ i) => {
      if (i < 2) void t.send(peers[i], [{ type: 'request', commands: payload, hops: hops++ % 2 }]);
      else
        queueMicrotask(() => {
          own?.commit(slot++);
          onAnswer(2);
        });
    };
    const rounds = samples + TRANSPORT_WARMUP;
    const cpu0 = process.cpuUsage();
    const ticks0 = echoes.map((e) => procTicks(e.pid));
    const lat = await firstOf(
      own === undefined ? 2 : 3,
      vote,
      (on) => {
        onAnswer = on;
      },
      own === undefined ? 1 : 2,
      samples,
      TRANSPORT_WARMUP,
    );
    const cpu = process.cpuUsage(cpu0);
    // CPU per round (warm-up rounds included) of the sender's process and of each echo's
    // (jiffies of 10 ms: rounds enough to make that fine).
    return {
      ...lat,
      senderCpuUs: (cpu.user + cpu.system) / rounds,
      echoCpuUs: echoes.map((e, i) => ((procTicks(e.pid) - ticks0[i]) * 10_000) / rounds),
    };
  } finally {
    await t.stop();
    own?.close();
    await Promise.all(echoes.map((e) => e.stop()));
  }
}

/**
 * The floor of one command at C=1: the p50 of a durable commit (batch 1, `seconds` of commits)
 * plus the p50 of the first of two replies over the transport.
 * @param {string} dir @param {{ seconds?: number, samples?: number }} [o]
 */
export async function measureFloor(dir, o = {}) {
  const commit = sqliteCommits(join(dir, `floor-${Date.now()}.db`), 1, o.seconds ?? 2);
  const paced = sqliteCommits(
    join(dir, `floor-paced-${Date.now()}.db`),
    1,
    o.seconds ?? 2,
    PACED_COMMIT_US,
  );
  const rtt = await transportFirstOfTwo(o.samples ?? 1000);
  return {
    commitP50Ms: commit.p50,
    commitsPerSec: commit.commitsPerSec,
    pacedCommitP50Ms: paced.p50,
    firstOfTwoP50Ms: rtt.p50,
    firstOfTwoP99Ms: rtt.p99,
    floorMs: commit.p50 + rtt.p50,
  };
}

/**
 * The period of the paced commit reported beside the floor (µs): about one C=1 command, the
 * pace at which each peer of a C=1 cluster commits. Not part of the floor (issue 13 defines it
 * with one commit): shown so that a reader sees what the disk charges a commit after idle.
 */
export const PACED_COMMIT_US = 1000;
