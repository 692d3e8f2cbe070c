// The chaos harness (test/chaos/README.md): real peer processes in network namespaces, a
// concurrent client workload whose every operation is recorded, a nemesis that injects faults
// at random moments, and the checks at the end. With power cuts on, every host's data directory
// is a disk of its own (@synod/power-cut-fs) whose unsynced data a power cut forgets.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '@synod/core/testing';
import { PowerCutFs } from '@synod/power-cut-fs';
import { checkAppliedLogs, checkHistory, checkReplicas } from './checks.mjs';
import { ChaosNet } from './net.mjs';
import { PeerProcess } from './peer-process.mjs';

const PORT = 4001;

/**
 * @typedef {import('./checks.mjs').Op} Op
 * @typedef {import('./checks.mjs').Violation} Violation
 * @typedef {{
 *   peers: number, seconds: number, seed: number, clients: number, bugs: string[],
 *   log: (line: string) => void, subnet: number, keep: boolean, powerCuts: boolean,
 *   paceMs?: number,
 * }} RoundOptions
 * @typedef {{
 *   peers: number, seconds: number, seed: number, ops: Record<string, number>,
 *   faults: Record<string, number>, violations: Violation[], notes: string[],
 *   history: Op[], replicas: import('./checks.mjs').ReplicaState[],
 *   logs: { name: string, text: string }[], mdnsFrames: number, slots: number,
 *   disksCut: number, disksThatForgot: number,
 * }} RoundResult
 * @typedef {{
 *   config: { id: number, replicas: string[], leaders: string[], acceptors: string[] } | null,
 *   activeLeader: string | null, slotOut: number,
 * }} PeerStatus
 */

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Seeded draws (core's Prng): next() in [0, 1), int(n) in [0, n), shuffle. */
class Rand {
  /** @param {number} seed */
  constructor(seed) {
    this.p = new Prng(seed);
  }
  next() {
    return this.p.next();
  }
  /** @param {number} n */
  int(n) {
    return Math.floor(this.p.next() * n);
  }
  /**
   * @template T
   * @param {T[]} a
   * @returns {T[]}
   */
  shuffle(a) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [/** @type {T} */ (a[j]), /** @type {T} */ (a[i])];
    }
    return a;
  }
}
const now = () => performance.now();

/** A host of the cluster: a namespace, a data directory, and the incarnations of its peer. */
class Host {
  /**
   * @param {number} n
   * @param {string} dir
   * @param {PowerCutFs} [disk] the power-cut filesystem mounted on `dir`, if power cuts are on
   */
  constructor(n, dir, disk) {
    this.n = n;
    this.dir = dir;
    this.disk = disk;
    this.id = '';
    this.addr = '';
    /** @type {PeerProcess | undefined} */
    this.proc = undefined;
    /** 'up' | 'killed' (to restart) | 'dead' (killed for a replacement) | 'retired' (not a member) */
    this.state = 'up';
    this.paused = false;
    this.incarnations = 0;
    this.expectedExit = false;
  }

  get running() {
    return this.proc !== undefined && !this.proc.exited;
  }
}

/**
 * Run one chaos round: a cluster of `peers` peers under faults for `seconds`, then heal, converge
 * and check.
 * @param {RoundOptions} opts
 * @returns {Promise<RoundResult>}
 */
export async function runRound(opts) {
  const rng = new Rand(opts.seed);
  const log = opts.log;
  const base = join(tmpdir(), `synod-chaos-${process.pid}-${opts.seed}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const net = new ChaosNet(opts.subnet);
  /** @type {Host[]} */
  const hosts = [];
  const logId = `chaos-${opts.seed}`;
  /** @type {Record<string, number>} */
  const faults = {};
  /** @type {Record<string, number>} */
  const ops = { invoked: 0, ok: 0, failed: 0, unknown: 0, reads: 0, readsFailed: 0 };
  /** @type {Op[]} */
  const history = [];
  /** @type {Violation[]} */
  const violations = [];
  /** @type {string[]} */
  const notes = [];
  const count = (/** @type {string} */ kind) => (faults[kind] = (faults[kind] ?? 0) + 1);
  let disksCut = 0;
  let disksThatForgot = 0;
  const t0 = now();
  const at = () => ((now() - t0) / 1000).toFixed(1).padStart(6);
  const say = (/** @type {string} */ s) => log(`[${at()}s] ${s}`);

  /** @param {Host} h */
  const peerConfig = (h, init = false) => ({
    dir: h.dir,
    logId,
    listen: [`/ip4/${net.addr(h.n)}/tcp/${PORT}`],
    bootstrap: hosts
      .filter((o) => o !== h && o.id !== '' && o.state !== 'retired')
      .map((o) => `/ip4/${o.addr}/tcp/${PORT}/p2p/${o.id}`),
    mdns: true,
    init,
    syncAppliedLog: opts.powerCuts,
    bugs: opts.bugs,
    opTimeoutMs: 3000,
    protocol: { snapshotInterval: 300, logRetention: 300 },
  });

  /**
   * A new host. Its data directory is a power-cut disk when power cuts are on: mounted before
   * its first peer starts, so that the peer's namespace (`ip netns exec` copies the mounts)
   * sees it.
   * @param {number} n
   */
  async function newHost(n) {
    const dir = join(base, `p${n}`);
    const h = new Host(n, dir, opts.powerCuts ? await PowerCutFs.mount(dir) : undefined);
    hosts.push(h);
    return h;
  }

  /** Start (or restart) host h's peer. @param {Host} h */
  async function launch(h, init = false) {
    const ns = await net.addHost(h.n);
    h.incarnations++;
    h.expectedExit = false;
    const p = new PeerProcess(ns, peerConfig(h, init), log, `p${h.n}#${h.incarnations}`);
    h.proc = p;
    h.paused = false;
    void p.exit.then(() => {
      if (!h.expectedExit && h.proc === p) {
        violations.push({
          kind: 'crash',
          detail: `p${h.n} exited by itself (code ${p.exitCode}, signal ${p.exitSignal}):\n${p.stderr.slice(-3000)}`,
        });
      }
    });
    const ready = await p.ready;
    h.id = String(ready.id);
    h.addr = net.addr(h.n);
    return p;
  }

  /** @param {Host} h */
  async function kill(h) {
    if (h.proc === undefined) return;
    h.expectedExit = true;
    h.proc.signal('SIGKILL');
    await h.proc.exit;
  }

  /** @param {Host} h */
  async function stopGracefully(h) {
    if (!h.running) return;
    h.expectedExit = true;
    if (h.paused) h.proc?.signal('SIGCONT');
    await h.proc?.request('stop', {}, 5000);
    const timer = setTimeout(() => h.proc?.signal('SIGKILL'), 5000);
    await h.proc?.exit;
    clearTimeout(timer);
  }

  const live = () => hosts.filter((h) => h.state === 'up' && h.running);
  /** Hosts whose peer is a member as far as the harness knows. */
  const members = () => hosts.filter((h) => h.state !== 'retired');

  /** The newest configuration any live peer reports, and the leader it knows. */
  async function clusterView() {
    /** @type {{ config: PeerStatus['config'], leader: string | null }} */
    let best = { config: null, leader: null };
    for (const h of live()) {
      if (h.paused) continue;
      const r = await h.proc?.request('status', {}, 1500);
      const s = /** @type {PeerStatus | undefined} */ (r?.status);
      if (s?.config == null) continue;
      if (best.config === null || s.config.id > best.config.id) {
        best = { config: s.config, leader: s.activeLeader ?? null };
      } else if (best.leader === null) {
        best.leader = s.activeLeader ?? null;
      }
    }
    return best;
  }

  /** @param {{ replicas: string[], leaders: string[], acceptors: string[] }} c */
  const idsOf = (c) => new Set([...c.replicas, ...c.leaders, ...c.acceptors]);

  const cleanup = async () => {
    for (const h of hosts) {
      if (h.running) {
        h.expectedExit = true;
        if (h.paused) h.proc?.signal('SIGCONT');
        h.proc?.signal('SIGKILL');
        await h.proc?.exit;
      }
    }
    for (const h of hosts) await h.disk?.unmount();
    net.stop();
    if (!opts.keep) rmSync(base, { recursive: true, force: true });
  };

  try {
    await net.start(opts.seed);
    // ---------------------------------------------------------------- the cluster
    say(`round: ${opts.peers} peers, ${opts.seconds} s of faults, seed ${opts.seed}`);
    for (let n = 0; n < opts.peers; n++) await newHost(n);
    await launch(hosts[0], true);
    for (const h of hosts.slice(1)) await launch(h);
    // Grow through invites, as the desktop app does; mDNS finds the peers, bootstrap is the
    // fallback.
    for (const h of hosts.slice(1)) {
      for (let attempt = 1; ; attempt++) {
        const inv = await hosts[0].proc?.request('invite', {}, 5000);
        const j = await h.proc?.request('join', { invite: inv?.text, timeoutMs: 30_000 }, 35_000);
        if (j?.ok === true) break;
        if (attempt >= 3) throw new Error(`p${h.n} could not join: ${String(j?.error)}`);
        say(`p${h.n} join attempt ${attempt} failed: ${String(j?.error)}`);
      }
    }
    const v0 = await clusterView();
    say(`cluster up: configuration ${v0.config?.id}, leader ${short(v0.leader)}`);

    // ---------------------------------------------------------------- the workload
    let running = true;
    let epoch = 0;
    const epochTimer = setInterval(() => epoch++, 10_000);
    let nextProcess = 0;
    let opCounter = 0;
    let okAfterHeal = 0;
    let healed = false;
    const keysPerEpoch = 3;
    const pace = opts.paceMs ?? 0;

    /** One client: sequential operations; after an unknown outcome it continues as a new process. */
    async function client(/** @type {number} */ c) {
      const crng = new Rand(opts.seed * 1000 + c);
      let processId = nextProcess++;
      /** @type {Host | undefined} */
      let target;
      while (running) {
        const candidates = members().filter((h) => h.running);
        if (target === undefined || !target.running || target.state !== 'up') {
          target = candidates[crng.int(Math.max(1, candidates.length))];
        }
        if (target === undefined) {
          await sleep(100);
          continue;
        }
        // Paced (`--pace-ms`): a random pause of up to paceMs before each operation, so that a
        // short run spends its CPU on faults and checks rather than on thousands of operations.
        if (pace > 0) await sleep(crng.int(pace));
        if (!running) break;
        const key = `e${epoch}k${crng.int(keysPerEpoch)}`;
        const r = crng.next();
        /** @type {'put' | 'append' | 'get'} */
        const kind = r < 0.35 ? 'put' : r < 0.7 ? 'append' : 'get';
        const opId = `c${c}-${opCounter++}`;
        const value = `${opId}.`;
        const call = now();
        ops.invoked++;
        const a = await target.proc?.request(
          'op',
          { op: kind, key, value, opId, timeoutMs: 3000 },
          4000,
        );
        const ret = now();
        if (kind === 'get') {
          ops.reads++;
          if (a?.ok === true) {
            history.push({
              client: `p${processId}`,
              input: { op: 'get', key },
              output: String(a.value),
              call,
              ret,
            });
            ops.ok++;
            if (healed) okAfterHeal++;
          } else {
            ops.readsFailed++;
            target = undefined;
          }
          continue;
        }
        const input = { op: kind, key, value };
        if (a?.ok === true) {
          history.push({
            client: `p${processId}`,
            input,
            output: String(a.value),
            call,
            ret,
            id: opId,
          });
          ops.ok++;
          if (healed) okAfterHeal++;
        } else if (a?.code === 'apply-error') {
          ops.failed++;
        } else {
          // Timed out, or the peer died, stopped, was removed...: it may still take effect.
          history.push({
            client: `p${processId}`,
            input,
            output: undefined,
            call,
            ret: Infinity,
            id: opId,
          });
          ops.unknown++;
          processId = nextProcess++;
          target = undefined;
        }
      }
    }
    const clients = Array.from({ length: opts.clients }, (_, c) => client(c));

    // ---------------------------------------------------------------- the nemesis
    let membershipBusy = false;
    /** @type {Promise<void>[]} */
    const background = [];

    /** Majority of the current member hosts. */
    const majority = () => Math.floor(members().length / 2) + 1;
    const downCount = () =>
      members().filter((h) => !h.running || h.paused || h.state !== 'up').length;

    /** @param {Host[]} list */
    const pick = (list) => list[rng.int(list.length)];

    async function leaderHost() {
      const v = await clusterView();
      return hosts.find((h) => h.id === v.leader && h.state === 'up');
    }

    /** A process fault on one peer (the leader half of the time). */
    async function processFault() {
      if (members().length - downCount() - 1 < majority()) return false;
      const candidates = members().filter((h) => h.state === 'up' && h.running && !h.paused);
      let h = rng.next() < 0.5 ? await leaderHost() : undefined;
      if (h === undefined || !candidates.includes(h)) h = pick(candidates);
      if (h === undefined) return false;
      const target = h;
      const wasLeader = (await clusterView()).leader === target.id;
      if (opts.powerCuts && rng.next() < 0.3) {
        await powerCut([target], wasLeader ? 'power-cut-leader' : 'power-cut');
      } else if (rng.next() < 0.55) {
        count(wasLeader ? 'kill-leader' : 'kill');
        say(`SIGKILL p${target.n}${wasLeader ? ' (leader)' : ''}`);
        target.state = 'killed';
        await kill(target);
        const downFor = 500 + rng.int(4000);
        background.push(
          sleep(downFor).then(async () => {
            if (target.state !== 'killed') return;
            say(`restart p${target.n}`);
            await launch(target);
            target.state = 'up';
          }),
        );
      } else {
        count(wasLeader ? 'pause-leader' : 'pause');
        const pauseFor = 500 + rng.int(5000);
        say(`SIGSTOP p${target.n}${wasLeader ? ' (leader)' : ''} for ${pauseFor} ms`);
        target.paused = true;
        target.proc?.signal('SIGSTOP');
        background.push(
          sleep(pauseFor).then(() => {
            if (!target.paused) return;
            target.proc?.signal('SIGCONT');
            target.paused = false;
            say(`SIGCONT p${target.n}`);
          }),
        );
      }
      return true;
    }

    /**
     * Pull the plug on `targets` at once: SIGKILL them, then their disks forget everything not
     * yet durable (a torn cut half the time); they come back 0.5–4.5 s later on what was kept.
     * @param {Host[]} targets
     * @param {string} kind
     */
    async function powerCut(targets, kind) {
      count(kind);
      const torn = rng.next() < 0.5;
      say(`power cut (${kind}${torn ? ', torn' : ''}): ${targets.map((h) => `p${h.n}`).join(' ')}`);
      for (const h of targets) h.state = 'killed';
      await Promise.all(targets.map((h) => kill(h)));
      const cuts = await Promise.all(
        targets.flatMap((h) => (h.disk ? [h.disk.cut({ torn, seed: rng.int(2 ** 31) })] : [])),
      );
      disksCut += cuts.length;
      disksThatForgot += cuts.filter((c) => c.files + c.dirs > 0).length;
      const downFor = 500 + rng.int(4000);
      background.push(
        sleep(downFor).then(async () => {
          const back = targets.filter((h) => h.state === 'killed');
          if (back.length > 0) say(`power back: ${back.map((h) => `p${h.n}`).join(' ')}`);
          await Promise.all(
            back.map(async (h) => {
              await launch(h);
              h.state = 'up';
            }),
          );
        }),
      );
    }

    /**
     * A power cut of a minority of the members at once (a majority stays up), or of every
     * running member (the whole cluster; peers that are down already stay down).
     * @param {boolean} all
     */
    async function groupPowerCut(all) {
      const up = members().filter((h) => h.state === 'up' && h.running);
      if (all) {
        if (up.length === 0) return false;
        await powerCut(up, 'power-cut-all');
        return true;
      }
      const room = members().length - downCount() - majority();
      const k = Math.min(Math.floor((members().length - 1) / 2), room);
      if (k < 1) return false;
      await powerCut(rng.shuffle([...up]).slice(0, k), 'power-cut-minority');
      return true;
    }

    /** Replace the network's faults with a new random set (partitions and/or netem). */
    async function networkFault() {
      const ports = members().map((h) => `p${h.n}`);
      const shuffled = rng.shuffle([...ports]);
      /** @type {Record<string, import('./net.mjs').LinkRule>} */
      const links = {};
      const block = (/** @type {string} */ a, /** @type {string} */ b) => {
        links[`${a}>${b}`] = { block: true };
      };
      const blockBoth = (/** @type {string} */ a, /** @type {string} */ b) => {
        block(a, b);
        block(b, a);
      };
      const kind = rng.int(6);
      let what = '';
      if (kind === 0) {
        const minority = shuffled.slice(0, Math.floor(shuffled.length / 2));
        const rest = shuffled.slice(minority.length);
        for (const a of minority) for (const b of rest) blockBoth(a, b);
        what = `partition ${minority.join(',')} | ${rest.join(',')}`;
        count('partition');
      } else if (kind === 1) {
        const [bridge, ...others] = shuffled;
        const half = others.slice(0, Math.ceil(others.length / 2));
        const other = others.slice(half.length);
        for (const a of half) for (const b of other) blockBoth(a, b);
        what = `bridge partition ${half.join(',')} | ${other.join(',')}, ${bridge} sees both`;
        count('partition-bridge');
      } else if (kind === 2) {
        // One-way: the leader (or someone) can hear but not be heard, or the reverse.
        const leader = await leaderHost();
        const x = leader !== undefined ? `p${leader.n}` : shuffled[0];
        const outbound = rng.next() < 0.5;
        for (const o of ports) {
          if (o === x) continue;
          if (outbound) block(x, o);
          else block(o, x);
        }
        what = `one-way: ${x} ${outbound ? 'cannot send' : 'cannot receive'}`;
        count('one-way');
      } else if (kind === 3) {
        const loss = 0.05 + rng.next() * 0.25;
        await net.setRules({ loss });
        say(`netem: loss ${(loss * 100).toFixed(0)}%`);
        count('loss');
        return;
      } else if (kind === 4) {
        const delay = 5 + rng.int(60);
        const jitter = rng.int(80);
        await net.setRules({ delay_ms: delay, jitter_ms: jitter, dup: rng.next() * 0.05 });
        say(`netem: delay ${delay} ms + jitter ${jitter} ms (reordering), some duplicates`);
        count('delay-reorder');
        return;
      } else {
        // Isolate one peer completely (a partition of one), with lossy links elsewhere.
        const x = shuffled[0];
        for (const o of ports) if (o !== x) blockBoth(x, o);
        await net.setRules({ loss: 0.05, delay_ms: 2, jitter_ms: 10 }, links);
        say(`isolate ${x}, 5% loss elsewhere`);
        count('isolate');
        return;
      }
      await net.setRules({}, links);
      say(what);
    }

    async function healNetwork() {
      await net.setRules({}, {});
    }

    /** Wait until the newest configuration includes (or excludes) a peer. */
    async function reconcile() {
      const v = await clusterView();
      if (v.config === null) return;
      const ids = idsOf(v.config);
      for (const h of hosts) {
        if (h.id === '') continue;
        if (ids.has(h.id) && h.state === 'retired') h.state = h.running ? 'up' : 'killed';
        if (!ids.has(h.id) && h.state !== 'retired' && h.incarnations > 0) {
          say(`p${h.n} is no longer a member`);
          h.state = 'retired';
          if (h.running) await stopGracefully(h);
        }
      }
    }

    /** A membership change through a live member, in the background. */
    function membershipFault() {
      if (membershipBusy) return false;
      membershipBusy = true;
      const size = members().length;
      // Sizes stay within [max(3, peers - 1), peers + 1]: add below the top, remove above the
      // bottom, replace at any size.
      const choices = ['replace'];
      if (size < opts.peers + 1) choices.push('add');
      if (size > Math.max(3, opts.peers - 1)) choices.push('remove');
      const choice = choices[rng.int(choices.length)];
      const job = (async () => {
        const via = () => pick(live().filter((h) => !h.paused));
        if (choice === 'add') {
          // Add a peer through an invite.
          count('add');
          const h = await newHost(hosts.length);
          h.state = 'retired';
          await launch(h);
          say(`add p${h.n} (${short(h.id)}) by invite`);
          for (let attempt = 0; attempt < 3; attempt++) {
            const inviter = via();
            const inv = await inviter?.proc?.request('invite', {}, 3000);
            if (inv?.ok !== true) continue;
            const j = await h.proc?.request(
              'join',
              { invite: inv.text, timeoutMs: 20_000 },
              25_000,
            );
            if (j?.ok === true) {
              h.state = 'up';
              say(`p${h.n} joined`);
              break;
            }
            say(`p${h.n} join failed: ${String(j?.error)}`);
          }
        } else if (choice === 'remove') {
          const victims = members().filter((h) => h.state === 'up');
          const h = pick(victims);
          const v = via();
          if (h === undefined || v === undefined || v === h) return;
          count('remove');
          say(`remove p${h.n} (via p${v.n})`);
          const r = await v.proc?.request('remove', { peer: h.id, timeoutMs: 15_000 }, 20_000);
          if (r?.ok !== true) say(`remove p${h.n} failed: ${String(r?.error)}`);
        } else {
          // Replace a peer that died for good by a fresh one.
          if (members().length - downCount() - 1 < majority()) return;
          const old = pick(members().filter((h) => h.state === 'up' && h.running && !h.paused));
          if (old === undefined) return;
          count('replace');
          say(`p${old.n} dies for good; replace it`);
          old.state = 'dead';
          await kill(old);
          const h = await newHost(hosts.length);
          h.state = 'retired';
          await launch(h);
          for (let attempt = 0; attempt < 3; attempt++) {
            const v = via();
            if (v === undefined) break;
            const r = await v.proc?.request(
              'replace',
              { peer: old.id, next: h.id, timeoutMs: 15_000 },
              20_000,
            );
            if (r?.ok === true) {
              say(`p${old.n} replaced by p${h.n} (via p${v.n})`);
              break;
            }
            say(`replace p${old.n} by p${h.n} failed: ${String(r?.error)}`);
            await sleep(1000);
          }
        }
      })()
        .catch((err) => say(`membership change failed: ${String(err)}`))
        .then(async () => {
          await sleep(500);
          await reconcile();
          // A peer that died for good but is still a member (the replacement failed) comes back.
          for (const h of hosts) {
            if (h.state === 'dead') {
              const v = await clusterView();
              if (v.config !== null && idsOf(v.config).has(h.id)) {
                say(`p${h.n} is still a member: bring it back`);
                await launch(h);
                h.state = 'up';
              } else h.state = 'retired';
            }
          }
          for (const h of hosts) {
            if (h.state === 'retired' && h.running) await stopGracefully(h);
          }
          membershipBusy = false;
        });
      background.push(job);
      return true;
    }

    const faultsUntil = now() + opts.seconds * 1000;
    // With power cuts, every round has at least one whole-cluster cut, somewhere in its middle,
    // once every member is up (unless the round is about to end).
    let wholeCutAt = opts.powerCuts
      ? now() + (0.3 + 0.4 * rng.next()) * opts.seconds * 1000
      : Infinity;
    let netFaultUntil = 0;
    while (now() < faultsUntil && violations.length === 0) {
      await sleep(1000 + rng.int(2500));
      const r = rng.next();
      const allUp = members().every((h) => h.state === 'up' && h.running);
      if (now() >= wholeCutAt && (allUp || faultsUntil - now() < 3000)) {
        if (await groupPowerCut(true)) wholeCutAt = Infinity;
      } else if (opts.powerCuts && r < 0.08) {
        if (!(await groupPowerCut(r < 0.02))) await processFault();
      } else if (r < 0.4) await processFault();
      else if (r < 0.8) {
        await networkFault();
        netFaultUntil = now() + 1000 + rng.int(5000);
      } else if (!membershipFault()) await processFault();
      if (netFaultUntil !== 0 && now() > netFaultUntil) {
        await healNetwork();
        netFaultUntil = 0;
      }
    }

    // ---------------------------------------------------------------- heal
    say('heal: network whole, every paused peer continued, every killed peer restarted');
    await healNetwork();
    await Promise.all(background);
    for (const h of hosts) {
      if (h.paused) {
        h.proc?.signal('SIGCONT');
        h.paused = false;
      }
    }
    await reconcile();
    for (const h of hosts) {
      if ((h.state === 'killed' || h.state === 'dead') && !h.running) {
        await launch(h);
        h.state = 'up';
      }
    }
    await reconcile();
    healed = true;
    const healedAt = now();
    await sleep(5000);
    running = false;
    clearInterval(epochTimer);
    await Promise.all(clients);
    if (okAfterHeal === 0) {
      violations.push({
        kind: 'liveness',
        detail: 'no client operation succeeded in the 5 s after the faults healed',
      });
    }

    // ---------------------------------------------------------------- converge
    /** @type {Host[]} */
    let final = [];
    let converged = false;
    let lastReport = '';
    while (now() - healedAt < 60_000) {
      await reconcile();
      final = members().filter((h) => h.running);
      const statuses = await Promise.all(final.map((h) => ask(h, 'status', {}, 2000)));
      const outs = statuses.map(
        (s) => /** @type {PeerStatus | undefined} */ (s.status)?.slotOut ?? -1,
      );
      lastReport = final.map((h, i) => `p${h.n}:${outs[i]}`).join(' ');
      const allUp = final.length === members().length;
      if (allUp && outs.every((o) => o === outs[0] && o > 0) && statuses.every((s) => s.ok)) {
        await sleep(1000);
        const again = await Promise.all(final.map((h) => ask(h, 'status', {}, 2000)));
        const outs2 = again.map(
          (s) => /** @type {PeerStatus | undefined} */ (s.status)?.slotOut ?? -1,
        );
        if (outs2.every((o) => o === outs[0])) {
          converged = true;
          break;
        }
      }
      await sleep(500);
    }
    if (!converged) {
      violations.push({
        kind: 'liveness',
        detail: `replicas did not converge within 60 s of healing (slotOut: ${lastReport})`,
      });
    }
    say(`converged: ${lastReport}`);

    // ---------------------------------------------------------------- check
    /** @type {import('./checks.mjs').ReplicaState[]} */
    const replicas = [];
    for (const h of final) {
      const s = await h.proc?.request('state', {}, 10_000);
      if (s?.ok !== true) {
        violations.push({ kind: 'unreachable', detail: `p${h.n} did not report its state` });
        continue;
      }
      replicas.push({
        peer: `p${h.n}`,
        data: /** @type {Record<string, string>} */ (s.data),
        appliedIds: /** @type {Record<string, number>} */ (s.appliedIds),
      });
    }
    const sw = await net.stats();
    const containment = net.containment();
    for (const p of containment) violations.push({ kind: 'containment', detail: p });
    for (const h of hosts) if (h.running) await stopGracefully(h);
    /** @type {{ name: string, text: string }[]} */
    const logs = [];
    for (const h of hosts) {
      for (const f of safeList(h.dir)) {
        if (f === 'applied.log') {
          logs.push({ name: `p${h.n}`, text: readFileSync(join(h.dir, f), 'utf8') });
        }
      }
    }
    const hist = checkHistory(history);
    violations.push(...hist.violations);
    if (hist.inconclusive > 0)
      notes.push(`${hist.inconclusive} keys: checker gave up (too many states)`);
    violations.push(...checkReplicas(history, replicas));
    const logCheck = checkAppliedLogs(logs);
    violations.push(...logCheck.violations);
    const mdnsFrames = Number(sw.mdns ?? 0);
    if (mdnsFrames === 0) notes.push('no mDNS frame crossed the switch');
    say(
      `checked: ${history.length} operations on ${hist.keys} keys, ${replicas.length} replicas, ${logCheck.lines} log lines over ${logCheck.slots} slots; ${violations.length} violations`,
    );
    return {
      peers: opts.peers,
      seconds: opts.seconds,
      seed: opts.seed,
      ops,
      faults,
      violations,
      notes,
      history,
      replicas,
      logs,
      mdnsFrames,
      slots: logCheck.slots,
      disksCut,
      disksThatForgot,
    };
  } finally {
    await cleanup();
  }
}

/**
 * @param {Host} h
 * @param {string} cmd
 * @param {Record<string, unknown>} args
 * @param {number} timeoutMs
 * @returns {Promise<Record<string, unknown>>}
 */
function ask(h, cmd, args, timeoutMs) {
  return (
    h.proc?.request(cmd, args, timeoutMs) ?? Promise.resolve({ ok: false, code: 'no-process' })
  );
}

/** @param {string} dir */
function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** @param {string | null | undefined} id */
function short(id) {
  return id == null ? 'none' : `…${id.slice(-6)}`;
}
