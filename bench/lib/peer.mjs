// The benchmark's side of a peer process (peer-child.mjs): spawn, request/answer over IPC, kill;
// and a 3-peer cluster grown the way the desktop app grows one (peer 0 creates the log, the
// others join with invites).
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, sleep } from './common.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'peer-child.mjs');

/**
 * @typedef {{ [k: string]: unknown }} Answer
 * @typedef {{ activeLeader: string | null, leaderActive: boolean, slotIn: number, slotOut: number,
 *   snapshotSlot: number, acceptors: string[], links: { peer: string, connected: boolean }[],
 *   catchup: unknown, failure: string | null }} PeerStatus
 */

export class PeerProcess {
  /**
   * @param {string} name
   * @param {string} db path of the SQLite file
   * @param {{ cpuProfDir?: string, execArgv?: string[], child?: string }} [o] `child`: the
   *   script to run (default peer-child.mjs; host-child.mjs runs a host of many logs)
   */
  constructor(name, db, o = {}) {
    this.name = name;
    this.db = db;
    mkdirSync(dirname(db), { recursive: true });
    const execArgv = [...(o.execArgv ?? [])];
    if (o.cpuProfDir !== undefined) {
      mkdirSync(o.cpuProfDir, { recursive: true });
      execArgv.push(
        '--cpu-prof',
        `--cpu-prof-dir=${o.cpuProfDir}`,
        `--cpu-prof-name=${name}.cpuprofile`,
      );
    }
    this.spawnedAt = performance.timeOrigin + performance.now();
    this.child = fork(o.child ?? CHILD, [], {
      execArgv,
      serialization: 'advanced',
      env: { ...process.env, SYNOD_BENCH_NAME: name },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    /** @type {number} */
    this.pid = this.child.pid ?? -1;
    /** @type {string} */
    this.peer = '';
    /** @type {string[]} */
    this.addrs = [];
    this.port = 0;
    this.exited = false;
    this.nextId = 1;
    /** @type {Map<number, { resolve: (a: Answer) => void, reject: (e: Error) => void }>} */
    this.waiting = new Map();
    /** @type {Promise<Answer>} */
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m) => {
        const a = /** @type {Answer} */ (m);
        if (a.event === 'ready') {
          resolve(a);
          return;
        }
        const w = this.waiting.get(Number(a.id));
        if (w === undefined) return;
        this.waiting.delete(Number(a.id));
        if (a.ok === true) w.resolve(a);
        else w.reject(new Error(`${this.name}: ${String(a.error)}`));
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        const e = new Error(`${this.name} exited (${code ?? signal})`);
        reject(e);
        for (const w of this.waiting.values()) w.reject(e);
        this.waiting.clear();
      });
    });
    this.exitPromise = new Promise((resolve) => this.child.on('exit', () => resolve(undefined)));
  }

  /** @param {string} cmd @param {Record<string, unknown>} [args] @param {number} [timeoutMs] */
  request(cmd, args = {}, timeoutMs = 120_000) {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return /** @type {Promise<Answer>} */ (
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiting.set(id, {
          resolve: (a) => {
            clearTimeout(timer);
            resolve(a);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        this.child.send({ id, cmd, ...args });
      })
    );
  }

  /**
   * Start the node. It listens on `port` (default: a free port chosen now, kept for restarts:
   * a restarted peer comes back on the same address, as a server with a configured port does).
   * @param {Record<string, unknown>} args
   */
  async start(args) {
    await this.ready;
    this.port = Number(args.port ?? (await freePort()));
    const a = await this.request('start', { db: this.db, ...args, port: this.port });
    this.peer = String(a.peer);
    this.addrs = /** @type {string[]} */ (a.addrs);
    return a;
  }

  /** @returns {Promise<{ status: PeerStatus, sm: { count: number, hash: number }, memory: NodeJS.MemoryUsage }>} */
  async status() {
    const a = await this.request('status');
    return /** @type {any} */ (a);
  }

  kill(signal = /** @type {NodeJS.Signals} */ ('SIGKILL')) {
    if (!this.exited) this.child.kill(signal);
    return this.exitPromise;
  }

  /** Stop the node, then the process (a CPU profile, if any, is written on this exit). */
  async close() {
    if (this.exited) return;
    try {
      await this.request('stop', {}, 30_000);
      await this.request('exit', {}, 5_000);
    } catch {
      // already going
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exitPromise;
    clearTimeout(t);
  }
}

/** A TCP port free on 127.0.0.1 now. @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a 3-peer cluster: peer 0 creates the log, peers 1 and 2 join it with invites.
 * @param {string} dir working directory (one SQLite file per peer)
 * @param {{ protocol?: Record<string, unknown>, keyspace?: number, durability?: string, io?: string,
 *   cpuProfDir?: string, names?: string[], sm?: 'bench' | 'text' | 'document',
 *   execArgv?: string[] }} [o] `execArgv`: Node.js flags of the peers' processes
 */
export async function startCluster(dir, o = {}) {
  const names = o.names ?? ['p0', 'p1', 'p2'];
  const peers = names.map(
    (n) =>
      new PeerProcess(n, join(dir, `${n}.db`), {
        ...(o.cpuProfDir !== undefined ? { cpuProfDir: o.cpuProfDir } : {}),
        ...(o.execArgv !== undefined ? { execArgv: o.execArgv } : {}),
      }),
  );
  const common = {
    protocol: o.protocol ?? {},
    keyspace: o.keyspace ?? 0,
    durability: o.durability ?? 'full',
    ...(o.io === undefined ? {} : { io: o.io }),
    sm: o.sm ?? 'bench',
  };
  await peers[0].start({ ...common, init: true });
  await Promise.all(peers.slice(1).map((p) => p.start({ ...common, init: false })));
  for (const p of peers.slice(1)) {
    const { text } = await peers[0].request('invite');
    await p.request('join', { invite: text }, 90_000);
  }
  await waitStable(peers);
  return peers;
}

/**
 * Wait until every live peer knows all three acceptors, all links are up and the same active
 * leader; returns the leader's PeerProcess.
 * @param {PeerProcess[]} peers @param {number} [timeoutMs]
 */
export async function waitStable(peers, timeoutMs = 60_000) {
  const t0 = performance.now();
  /** @type {unknown} */
  let last;
  for (;;) {
    const live = peers.filter((p) => !p.exited);
    try {
      const st = await Promise.all(live.map((p) => p.status()));
      last = st.map((s, i) => ({ name: live[i].name, peer: live[i].peer, ...s.status }));
      const leaders = new Set(st.map((s) => s.status.activeLeader));
      const ok =
        st.every((s) => s.status.acceptors.length === 3) &&
        st.every((s) => s.status.links.filter((l) => l.connected).length >= live.length - 1) &&
        leaders.size === 1 &&
        !leaders.has(null);
      const leader = live.find((p) => p.peer === [...leaders][0]);
      if (ok && leader !== undefined) {
        const ls = st[live.indexOf(leader)];
        if (ls.status.leaderActive) return leader;
      }
    } catch (e) {
      log(`waitStable: ${String(e)}`);
    }
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(`the cluster did not settle in time: ${JSON.stringify(last)}`);
    }
    await sleep(50);
  }
}

/** @param {PeerProcess[]} peers */
export async function closeAll(peers) {
  await Promise.all(peers.map((p) => p.close()));
}
