/**
 * One randomized simulator run (DESIGN.md §4): a cluster, a client workload, faults at random
 * moments, then a liveness phase in which the faults heal and everything pending must complete,
 * then the checks. A run is a pure function of its options (seed included), so a failing seed
 * replays exactly.
 *
 * Checked: agreement at every applied slot (SimCluster), exactly once, convergence of all
 * replicas, linearizability of the client history, and liveness within a bound.
 */
import type { BugName } from '../bugs.js';
import { membersOf, type Membership } from '../configuration.js';
import type { ProtocolOptions } from '../options.js';
import type { PersistentState } from '../storage.js';
import type { PeerId } from '../types.js';
import { checkLinearizable, kvModel, type KvInput } from './linearizability.js';
import { Prng } from './prng.js';
import {
  DRAWN_PROFILES,
  PROFILES,
  type FaultKind,
  type Profile,
  type ProfileName,
} from './profiles.js';
import { SimCluster, type SimPeer } from './sim-cluster.js';

export interface SimRunOptions {
  seed: number;
  /** Known bugs to switch on (to show the checks catch them). */
  bugs?: readonly BugName[];
  /** Initial number of peers (default: 3 or 5, chosen by the seed). */
  peers?: number;
  /** Client operations issued during the fault phase. */
  operations?: number;
  /** Membership changes during the run (default true). */
  membership?: boolean;
  /** Length of the fault phase, virtual ms. */
  chaosMs?: number;
  /** Bound on the liveness phase, virtual ms. */
  livenessMs?: number;
  /** Protocol option overrides (otherwise drawn from the seed: small snapshot intervals etc.). */
  protocol?: Partial<ProtocolOptions>;
  /** Keep this many trace lines for the report. */
  traceLimit?: number;
  /** The nemesis profile (profiles.ts); default: drawn by the seed from DRAWN_PROFILES. */
  profile?: ProfileName;
}

export interface SimRunResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly trace: readonly string[];
  readonly operations: number;
  readonly commands: number;
  readonly slots: number;
  readonly messages: number;
  readonly faults: Readonly<Record<string, number>>;
  /** The nemesis profile the seed drew. */
  readonly profile: string;
  readonly virtualMs: number;
}

const KEYS = ['k0', 'k1', 'k2', 'k3'];

export function runSimulation(o: SimRunOptions): SimRunResult {
  // The run's shape (options, fault mix) comes from its own generator, so that changing how a
  // run unfolds does not change which shape a seed picks.
  const rng = new Prng((o.seed * 0x9e3779b1) ^ 0x5bd1e995);
  const protocol: Partial<ProtocolOptions> = {
    window: rng.pick([3, 5, 8, 16]),
    maxBatchCommands: rng.pick([1, 2, 4, 64]),
    snapshotInterval: rng.pick([8, 20, 50, 200]),
    logRetention: rng.pick([0, 5, 30]),
    requestRetryMs: 500,

    catchupMaxDecisions: rng.pick([3, 50]),
    retransmitIntervalMs: rng.pick([30, 200]),
    // Leader stickiness is a liveness aid; safety must hold without it.
    ...(rng.chance(0.3) ? { leaderStickinessMs: 0 } : {}),
    snapshotChunkBytes: rng.pick([64, 4096]),
    ...o.protocol,
  };
  // Half the seeds are stormy: faults every few tens of ms, long and reordering delays, slow
  // disks. Calm seeds exercise long runs of normal operation between rarer faults.
  const stormy = rng.chance(0.5);
  const cluster = new SimCluster({
    seed: o.seed,
    protocol,
    bugs: new Set(o.bugs ?? []),
    traceLimit: o.traceLimit ?? 400,
    fsyncMs: stormy ? [1, rng.pick([5, 20])] : [0.5, 3],
  });
  cluster.net = stormy
    ? {
        minDelayMs: 1,
        maxDelayMs: rng.pick([20, 60, 150]),
        dropRate: rng.pick([0.02, 0.1]),
        dupRate: rng.pick([0, 0.05]),
        slowRate: rng.pick([0.1, 0.3, 1]),
      }
    : {
        minDelayMs: 1,
        maxDelayMs: rng.pick([4, 15, 40]),
        dropRate: rng.pick([0, 0.01, 0.05]),
        dupRate: rng.pick([0, 0.02]),
        slowRate: rng.pick([0.1, 1]),
      };
  // Some seeds use twitchy failure detection, just above the round trip: elections race each
  // other and messages in flight, so duelling leaders and preemptions are common.
  if (o.protocol?.electionTimeoutMs === undefined && rng.chance(0.3)) {
    protocol.heartbeatIntervalMs = 10;
    protocol.electionTimeoutMs = Math.max(25, 2 * cluster.net.maxDelayMs + 5);
    protocol.maxElectionTimeoutMs = 2000;
  }
  const drawn = rng.pick(
    DRAWN_PROFILES.filter((p) => (o.membership ?? true) || !PROFILES[p].membership),
  );
  const profile: ProfileName = o.profile ?? drawn;
  const shape: Profile = PROFILES[profile];
  // Membership churn with a long WINDOW: many slots decided between a change's decision and
  // its taking effect, which is where configuration mistakes show.
  if (profile === 'membership-churn' && o.protocol?.window === undefined) protocol.window = 16;
  for (const [k, v] of Object.entries(shape.protocol ?? {}))
    if (o.protocol?.[k as keyof ProtocolOptions] === undefined) Object.assign(protocol, { [k]: v });
  if (shape.late !== undefined)
    cluster.net = { ...cluster.net, lateRate: shape.late.rate, lateMs: shape.late.ms };
  const n = o.peers ?? rng.pick([3, 3, 5]);
  const universe = Array.from({ length: n + 2 }, (_, i) => `p${i + 1}`);
  const initial = universe.slice(0, n);
  const snapshot = SimCluster.initialSnapshot(
    { replicas: initial, leaders: initial, acceptors: initial },
    protocol.window,
  );
  for (const id of initial) {
    cluster.addPeer(id, snapshot);
    cluster.start(id);
  }
  const faults: Record<string, number> = {};
  const count = (f: string) => (faults[f] = (faults[f] ?? 0) + 1);
  const chaosMs = o.chaosMs ?? 6000;
  let operations = o.operations ?? 200;
  let maxOutstanding = rng.pick([1, 3, 8]);
  const membership = o.membership ?? true;

  // ---- workload: operations spread over the fault phase
  let issued = 0;
  const issue = () => {
    if (cluster.now >= chaosMs || issued >= operations) return;
    // Clients use peers that serve the log: initialized replicas of the newest configuration.
    const live = [...cluster.peers.values()].filter(
      (p) =>
        p.node !== null &&
        !p.paused &&
        !p.removed &&
        p.node.initialized &&
        p.node.status().roles.replica &&
        p.node.amnesia === null,
    );
    if (live.length > 0) {
      const p = rng.pick(live);
      if (cluster.outstanding(p.id) < maxOutstanding) {
        const key = rng.pick(KEYS);
        const r = rng.next();
        const input: KvInput =
          r < 0.35
            ? { op: 'append', key, value: cluster.freshValue() }
            : r < 0.65
              ? { op: 'put', key, value: cluster.freshValue() }
              : { op: 'get', key };
        if (cluster.invoke(p.id, input)) issued++;
      }
    }
    cluster.at((rng.next() * (2 * chaosMs)) / operations, issue);
  };
  cluster.at(rng.next() * 50, issue);

  // ---- faults
  const et = protocol.electionTimeoutMs ?? 300;
  const activeLeaders = (up: SimPeer[]) => up.filter((p) => p.node!.status().leader.active);
  /**
   * Jepsen's partition-leader: cut the active leader off just long enough for another to be
   * elected, then heal while it still believes it leads (and its clients' commands are in
   * flight); meanwhile an acceptor may crash and come straight back, losing whatever it had
   * not persisted.
   */
  const isolateLeader = () => {
    if (cluster.now >= chaosMs) return;
    const peers = [...cluster.peers.values()];
    const up = peers.filter((p) => p.node !== null && !p.paused);
    const leaders = activeLeaders(up);
    if (leaders.length === 0) return;
    const l = rng.pick(leaders);
    cluster.partition([[l.id], peers.filter((p) => p.id !== l.id).map((p) => p.id)]);
    count('isolate-leader');
    if (!rng.chance(0.5)) {
      cluster.at(rng.int(et, 2 * et), () => cluster.heal());
      return;
    }
    // As soon as another leader is elected (while the old one still believes it leads), crash
    // an acceptor that is neither (it promised the new ballot: does it remember?), bring it
    // straight back, and heal: fully, or only between it and the old leader (a bridge).
    const until = cluster.now + 2 * et;
    const watch = () => {
      const others = [...cluster.peers.values()].filter(
        (p) => p !== l && p.node !== null && !p.paused,
      );
      const newLeader = others.find((p) => p.node!.status().leader.active);
      if (newLeader === undefined) {
        if (cluster.now < until) cluster.at(5, watch);
        else cluster.heal();
        return;
      }
      const candidates = others.filter((p) => p !== newLeader);
      if (candidates.length === 0) {
        cluster.heal();
        return;
      }
      const a = rng.pick(candidates);
      cluster.crash(a.id);
      count('crash');
      cluster.at(rng.int(1, 5), () => restartIfMember(cluster, a));
      const how = rng.next();
      if (how < 0.33) {
        cluster.at(rng.int(5, 20), () => cluster.healLink(l.id, a.id));
      } else if (how < 0.66) {
        // The partition moves: the restarted acceptor now hears only the old leader, so nothing
        // reminds it of the ballot it promised before the crash.
        const rest = [...cluster.peers.keys()].filter((id) => id !== l.id && id !== a.id);
        cluster.at(rng.int(5, 20), () => cluster.partition([[l.id, a.id], rest]));
      }
      cluster.at(how < 0.66 ? rng.int(2 * et, 6 * et) : rng.int(5, 60), () => cluster.heal());
    };
    cluster.at(5, watch);
  };
  /**
   * While a change is decided but not yet governing: the active leader and the acceptors the
   * change brings in on one side, everyone else on the other. The leader's side holds a
   * majority of the new configuration but not of the one governing the WINDOW's slots, so it
   * must not decide those; the other side elects a leader that fills them. A leader that
   * counts the wrong configuration's votes decides them twice.
   */
  const splitByConfig = (): boolean => {
    if (cluster.now >= chaosMs) return false;
    const up = [...cluster.peers.values()].filter((p) => p.node !== null && !p.paused);
    const l = activeLeaders(up)[0];
    if (l === undefined) return false;
    const replica = l.node!.replica;
    const latest = replica.configs.latest();
    const governing = replica.configs.at(replica.slotOut);
    if (latest === undefined || governing === undefined || latest === governing) return false;
    const incoming = latest.acceptors.filter((a) => !governing.acceptors.includes(a));
    const side = new Set([l.id, ...incoming]);
    const rest = [...cluster.peers.keys()].filter((id) => !side.has(id));
    if (incoming.length === 0 || rest.length === 0) return false;
    cluster.partition([[...side], rest]);
    count('split-by-config');
    cluster.at(rng.int(2 * et, 6 * et), () => cluster.heal());
    return true;
  };
  /**
   * A crash in the middle of a write (whatever it acknowledged early, if persist-before-send is
   * broken, is lost), followed at once by cutting off the leader, so that a new leader must
   * work with the forgetful acceptor.
   */
  const crashWriterThenIsolate = () => {
    const up = [...cluster.peers.values()].filter((p) => p.node !== null && !p.paused);
    const writers = up.filter((p) => p.writing && !p.node!.status().leader.active);
    if (writers.length === 0) return false;
    const a = rng.pick(writers);
    // Any suffix of its writes in flight is lost (the disk may have finished the others).
    cluster.crash(a.id, rng.int(0, a.writes.length - 1));
    count('crash');
    cluster.at(rng.int(1, 10), () => restartIfMember(cluster, a));
    cluster.at(rng.int(0, 10), isolateLeader);
    return true;
  };
  /**
   * A planned departure: the active leader hands over to another leader of its configuration
   * (transferLeadership), and then, often, goes away (crashes or sleeps) before or after the
   * new leader is adopted, while commands are in flight.
   */
  const transferLeader = () => {
    const up = [...cluster.peers.values()].filter((p) => p.node !== null && !p.paused);
    const l = activeLeaders(up)[0];
    if (l === undefined) return;
    const node = l.node!;
    const governing = node.replica.configs.at(node.status().slotIn);
    const others = (governing?.leaders ?? []).filter(
      (id) => id !== l.id && up.some((p) => p.id === id),
    );
    if (others.length === 0) return;
    const to = rng.pick(others);
    try {
      cluster.observeTime(node);
      node.transferLeadership(to);
    } catch {
      return;
    }
    count('transfer');
    cluster.trace(`${l.id} hands leadership over to ${to}`);
    cluster.kick(l.id);
    const then = rng.next();
    if (then < 0.3) {
      cluster.at(rng.int(0, 2 * et), () => {
        cluster.crash(l.id);
        count('crash');
        cluster.at(rng.int(50, 1500), () => restartIfMember(cluster, l));
      });
    } else if (then < 0.5) {
      cluster.at(rng.int(0, 2 * et), () => {
        cluster.pause(l.id);
        count('sleep');
        cluster.at(rng.int(300, 3000), () => cluster.resume(l.id));
      });
    }
  };
  if (profile !== 'mixed') {
    // Concentrated faults with a busy log and a network where some messages are late: commands
    // in flight when the fault hits, and votes that arrive in any order.
    if (o.operations === undefined) operations = 600;
    maxOutstanding = 8;
    cluster.net = { ...cluster.net, maxDelayMs: rng.pick([30, 60]), slowRate: 0.3 };
  }
  const weights = Object.entries(shape.faults) as [FaultKind, number][];
  const total = weights.reduce((n, [, w]) => n + w, 0);
  const pickFault = (): FaultKind => {
    let x = rng.next() * total;
    for (const [k, w] of weights) if ((x -= w) < 0) return k;
    return weights[0]![0];
  };
  /** Crash `p` now and start it again after `ms` (if it is still wanted). */
  const bounce = (p: SimPeer, ms: number) => {
    cluster.crash(p.id);
    count('crash');
    cluster.at(ms, () => restartIfMember(cluster, p));
  };
  /** Incarnation skew: one peer restarts several times in a row; the others keep theirs. */
  const restartSkew = (up: SimPeer[]) => {
    if (up.length === 0) return;
    const p = rng.pick(up);
    const times = rng.int(2, 5);
    count('restart-skew');
    for (let i = 0; i < times; i++) {
      cluster.at(i * rng.int(20, 60), () => {
        if (p.node !== null) bounce(p, rng.int(1, 10));
      });
    }
  };
  /**
   * The active leader crashes between its P2a leaving and its own write (issue 12, sequence 1):
   * at its next write, after the turn's P2a went out. It comes back soon, while messages sent to
   * its previous run are still on their way; meanwhile one acceptor's P2b to it may be lost.
   */
  const crashMidWrite = (up: SimPeer[]) => {
    if (up.length === 0) return;
    const l = rng.pick(activeLeaders(up).length > 0 ? activeLeaders(up) : up);
    l.crashBeforeWrite = true;
    count('crash-mid-write');
    const others = up.filter((p) => p !== l);
    if (others.length > 0 && rng.chance(0.7)) {
      const a = rng.pick(others);
      cluster.loseTypes(a.id, l.id, ['p2b']);
      cluster.at(rng.int(20, 200), () => cluster.stopLosing(a.id, l.id));
    }
    const until = cluster.now + 1000;
    const watch = () => {
      if (l.node === null) {
        l.crashBeforeWrite = false;
        cluster.at(rng.chance(0.5) ? rng.int(1, 30) : rng.int(30, 400), () =>
          restartIfMember(cluster, l),
        );
      } else if (cluster.now < until) cluster.at(2, watch);
      else l.crashBeforeWrite = false;
    };
    cluster.at(1, watch);
  };
  /** Asymmetric loss: P2b of one acceptor to the leader, or decisions to one replica. */
  const loseVotes = (up: SimPeer[]) => {
    const l = activeLeaders(up)[0];
    const others = up.filter((p) => p !== l);
    if (l === undefined || others.length === 0) return;
    const a = rng.pick(others);
    const [from, to, types] = rng.chance(0.5)
      ? [a.id, l.id, ['p2b'] as const]
      : [l.id, a.id, ['decision'] as const];
    cluster.loseTypes(from, to, types);
    count('lose-votes');
    cluster.at(rng.int(50, 1500), () => cluster.stopLosing(from, to));
  };
  /**
   * A follower's replica falls behind: it hears no decisions and gets no catch-up answers from
   * the leader (its acceptor still votes), while the others compact their logs; then the
   * leader may be cut off, so that whoever leads next is behind too.
   */
  const starveReplica = (up: SimPeer[]) => {
    const l = activeLeaders(up)[0];
    const others = up.filter((p) => p !== l);
    if (l === undefined || others.length === 0) return;
    const f = rng.pick(others);
    const types = ['decision', 'catchupDecisions', 'snapshotChunk'] as const;
    cluster.loseTypes(l.id, f.id, types);
    count('starve-replica');
    cluster.at(rng.int(200, 1500), () => {
      cluster.stopLosing(l.id, f.id);
      if (rng.chance(0.5)) isolateLeader();
    });
  };
  /**
   * A stale claim: a follower misses the leader's decisions (it still hears its heartbeats, so it
   * believes the leader has them); the leader crashes in the middle of a write, losing its last
   * decisions, and comes back cut off from catch-up answers for a while. The follower must find
   * the slots elsewhere.
   */
  const staleClaim = (up: SimPeer[]) => {
    const l = activeLeaders(up)[0];
    const others = up.filter((p) => p !== l);
    if (l === undefined || others.length === 0) return;
    const f = rng.pick(others);
    cluster.loseTypes(l.id, f.id, ['decision', 'catchupDecisions', 'snapshotChunk']);
    count('stale-claim');
    cluster.at(rng.int(20, 120), () => {
      cluster.stopLosing(l.id, f.id);
      if (l.node === null) return;
      l.crashBeforeWrite = true;
      const watch = () => {
        if (l.node !== null) {
          if (l.crashBeforeWrite) cluster.at(2, watch);
          return;
        }
        const types = ['decision', 'catchupDecisions', 'snapshotChunk'] as const;
        for (const p of cluster.peers.values()) if (p !== l) cluster.loseTypes(p.id, l.id, types);
        cluster.at(rng.int(1, 30), () => restartIfMember(cluster, l));
        cluster.at(rng.int(300, 1500), () => {
          for (const p of cluster.peers.values()) cluster.stopLosing(p.id, l.id);
        });
      };
      cluster.at(1, watch);
      cluster.at(500, () => (l.crashBeforeWrite = false));
    });
  };
  /**
   * A peer's store goes back in time: its copy taken a while ago (a backup) is restored, or the
   * store is wiped, and the peer starts again under its id. Only while no other member is
   * rolled back, and in a configuration of three acceptors or more, so that a majority remains
   * (a rolled-back peer never votes again; it is replaced). Then the leader may be cut off, so
   * that the restored peer is needed for a majority.
   *
   * Peers whose store went back, while still members (a rolled-back peer is replaced).
   */
  const wentBack = new Set<PeerId>();
  /**
   * Ids whose store went back: such a peer comes back only as a new peer with a new id
   * (docs/protocol.md), so membership changes never add them again (seed 40010333 re-added a
   * rolled-back id as a spare: an acceptor that never votes, then a second store went back).
   */
  const retired = new Set<PeerId>();
  const joinable = () => universe.filter((id) => !retired.has(id));
  /**
   * One store goes back at a time, in a configuration of three acceptors or more: a majority
   * of stores in good standing remains (a rolled-back peer never votes again).
   */
  const mayRollBack = (p: SimPeer): boolean => {
    // Found out for any reason, a member counts as gone back too (it never votes again).
    for (const x of cluster.peers.values()) if (x.node?.amnesia != null) wentBack.add(x.id);
    // A peer counts as gone back until no configuration that may still decide a slot has it
    // (as far as the live peers know; with none live, nothing is known).
    if ([...cluster.peers.values()].some((x) => x.node !== null && x.node.initialized)) {
      const needed = neededPeers(cluster);
      for (const id of wentBack) if (!needed.has(id)) wentBack.delete(id);
    }
    const configs = p.node?.replica.configs.all() ?? [];
    if (configs.length === 0 || configs.some((c) => c.acceptors.length < 3)) return false;
    return [...wentBack].every((id) => id === p.id);
  };
  /** A backup was taken and is not restored yet: the log moves on undisturbed meanwhile. */
  let backupPending = false;
  /**
   * A store went back, and the peer is not found out yet: no other fault meanwhile (up to
   * FIND_OUT_MS). The members that knew of its later writes must stay up to tell it; a crash of
   * the one that knew, right after the restore, is the limit docs/protocol.md states (soak seed
   * 900015262 of profile amnesia: p2, the only one that had heard of p1's later writes, crashed
   * 24 ms after p1's restore; p3 had restarted 30 ms before it and heard nothing yet; p1 and p3
   * then chose slot 1 again).
   */
  let findingOut: { peer: SimPeer; until: number } | undefined;
  const FIND_OUT_MS = 2000;
  const stillFindingOut = (): boolean => {
    if (findingOut === undefined) return false;
    const { peer, until } = findingOut;
    const found = peer.node?.amnesia != null || peer.removed;
    if (found || cluster.now >= until) findingOut = undefined;
    return findingOut !== undefined;
  };
  /**
   * The members that may know what the restored store lacks are all up: an active leader whose
   * heartbeats relay what it knew, and no other member down (docs/protocol.md says why a
   * rolled-back store can go unnoticed otherwise).
   */
  const othersWatching = (p: SimPeer): boolean => {
    const others = [...neededPeers(cluster)].filter((id) => id !== p.id);
    const all = others.map((id) => cluster.peers.get(id));
    return (
      all.every((x) => x?.node != null && !x.paused) &&
      all.some((x) => x!.node!.status().leader.active)
    );
  };
  const rollback = (up: SimPeer[]) => {
    const candidates = up.filter(mayRollBack);
    // The members must hear of the writes after the backup (directly, or relayed by the leader):
    // a network cut during that time hides them, the limit docs/protocol.md states (seed 40008765
    // restored p3 while p2 had been cut off from p3 and the leader since before the backup).
    if (candidates.length === 0 || backupPending || !cluster.whole) return;
    const p = rng.pick(candidates);
    const wipe = rng.chance(0.2);
    const copy = wipe ? undefined : p.storage.loadSync();
    count('rollback');
    // A backup is taken now; the log moves on (no other fault meanwhile); then the store goes
    // back to the backup, or is wiped, and the peer starts again under its id. Faults resume.
    backupPending = true;
    cluster.at(rng.int(300, 1500), () => {
      backupPending = false;
      if (p.node === null || p.removed || !mayRollBack(p) || !othersWatching(p)) return;
      if (!cluster.whole) return;
      wentBack.add(p.id);
      retired.add(p.id);
      cluster.crash(p.id);
      cluster.trace(`${p.id}'s store goes back ${wipe ? 'to nothing' : 'to an older copy'}`);
      p.storage.restore(copy ?? EMPTY_STATE);
      cluster.storeWentBack(p.id);
      findingOut = { peer: p, until: cluster.now + FIND_OUT_MS };
      cluster.at(rng.int(1, 50), () => restartIfMember(cluster, p));
      if (rng.chance(0.6)) cluster.at(rng.int(20, 200), isolateLeader);
    });
  };
  /**
   * A rolled-back peer never votes again under its id: its clients give up, and (with membership
   * changes on) a member replaces it by a spare, as its user would after reading its status.
   */
  const handled = new Set<string>();
  const replaceRolledBack = () => {
    for (const p of cluster.peers.values()) {
      if (p.node === null || p.node.amnesia === null) continue;
      const key = `${p.id}:${p.generation}`;
      if (handled.has(key)) continue;
      handled.add(key);
      cluster.abandon(p.id);
      if (membership) replacePeer(cluster, rng, joinable(), p.id);
    }
  };
  /**
   * Every peer loses power at once (issue 18): each keeps any prefix of its writes in flight
   * (the disk finished those), paused peers too. Nobody is left up remembering a decision that
   * was only in memory: what survives is what the disks hold. All come back a moment later.
   */
  const powerCut = (peers: SimPeer[]) => {
    const down = peers.filter((p) => p.node !== null);
    if (down.length === 0) return;
    count('power-cut');
    cluster.trace('POWER CUT: every peer goes down at once');
    for (const p of down) cluster.crash(p.id, rng.int(0, p.writes.length));
    const back = rng.int(1, 300);
    for (const p of down) cluster.at(back + rng.int(0, 50), () => restartIfMember(cluster, p));
  };
  const injectFault = () => {
    if (cluster.now >= chaosMs) return;
    if (backupPending || stillFindingOut()) {
      cluster.at(rng.int(20, 100), injectFault);
      return;
    }
    const peers = [...cluster.peers.values()];
    const up = peers.filter((p) => p.node !== null && !p.paused);
    const f = pickFault();
    if (f === 'crash' && up.length > 0) {
      // Crashes favour the moments that matter: a write in flight (acknowledgements may have
      // left before it, if persist-before-send is broken) and the active leader.
      const writing = up.filter((p) => p.writing);
      const leaders = activeLeaders(up);
      const q = rng.next();
      const p = rng.pick(
        q < 0.4 && writing.length > 0 ? writing : q < 0.7 && leaders.length > 0 ? leaders : up,
      );
      cluster.crash(p.id, p.writing && rng.chance(0.5) ? rng.int(0, p.writes.length) : 0);
      count('crash');
      cluster.at(rng.chance(0.3) ? rng.int(1, 50) : rng.int(50, 2500), () =>
        restartIfMember(cluster, p),
      );
    } else if (f === 'sleep' && up.length > 0) {
      const p = rng.pick(up);
      cluster.pause(p.id);
      count('sleep');
      cluster.at(rng.int(300, 4000), () => cluster.resume(p.id));
    } else if (f === 'partition') {
      const ids = shuffle(
        rng,
        peers.map((p) => p.id),
      );
      const cutAt = rng.int(1, Math.max(1, ids.length - 1));
      cluster.partition([ids.slice(0, cutAt), ids.slice(cutAt)]);
      count('partition');
      cluster.at(rng.int(100, 2500), () => cluster.heal());
    } else if (f === 'one-way-loss' && peers.length > 1) {
      const a = rng.pick(peers).id;
      const b = rng.pick(peers.filter((p) => p.id !== a)).id;
      cluster.cutLink(a, b);
      count('one-way-loss');
      cluster.at(rng.int(100, 2000), () => cluster.heal());
    } else if (f === 'transfer') {
      transferLeader();
    } else if (f === 'isolate-leader') {
      isolateLeader();
    } else if (f === 'crash-writer') {
      if (!crashWriterThenIsolate()) isolateLeader();
    } else if (f === 'restart-skew') {
      restartSkew(up);
    } else if (f === 'crash-mid-write') {
      crashMidWrite(up);
    } else if (f === 'lose-votes') {
      loseVotes(up);
    } else if (f === 'starve-replica') {
      starveReplica(up);
    } else if (f === 'stale-claim') {
      staleClaim(up);
    } else if (f === 'rollback') {
      rollback(up);
    } else if (f === 'power-cut') {
      powerCut(peers);
    } else if (f === 'membership' && membership) {
      if (changeMembership(cluster, rng, joinable())) {
        count('membership');
        // A leader change while the WINDOW drains is where configuration bugs show: once the
        // active leader has applied the change (it is decided, not yet governing), cut it off.
        if (rng.chance(0.8)) {
          const until = cluster.now + 2000;
          const watch = () => {
            const leader = [...cluster.peers.values()].find(
              (p) => p.node !== null && p.node.status().leader.active,
            );
            if (leader?.node!.reconfigPending()) {
              // At once (the leader's no-ops into the WINDOW are in flight), or a little later.
              if (rng.chance(0.5) && splitByConfig()) return;
              cluster.at(rng.int(5, 80), isolateLeader);
            } else if (cluster.now < until) cluster.at(3, watch);
          };
          cluster.at(3, watch);
        }
      }
    }
    cluster.at(stormy ? rng.int(20, 300) : rng.int(100, 900), injectFault);
  };
  cluster.at(rng.int(200, 600), injectFault);
  const watchRolledBack = () => {
    replaceRolledBack();
    cluster.at(20, watchRolledBack);
  };
  if (weights.some(([k]) => k === 'rollback')) cluster.at(20, watchRolledBack);

  cluster.runUntil(chaosMs);

  // ---- liveness: heal everything; every pending operation must complete
  cluster.heal();
  cluster.net = { ...cluster.net, dropRate: 0, dupRate: 0 };
  const members = () => latestMembers(cluster);
  // Every peer of a configuration that may still have undecided slots must come back: a
  // configuration has to decide its own slots before the next one can govern (PMMC §2.1).
  const needed = neededPeers(cluster);
  // No live peer knows the configuration (the chaos left only a joining peer up, soak seed
  // 7002347 of membership-churn): bring every peer back, and let them tell.
  if (needed.size === 0) for (const id of cluster.peers.keys()) needed.add(id);
  for (const p of cluster.peers.values()) {
    if (p.paused) cluster.resume(p.id);
    if (p.node === null && needed.has(p.id)) cluster.start(p.id);
    // Peers started for a membership change that lost never joined: they stop.
    if (p.node !== null && !needed.has(p.id)) cluster.crash(p.id);
  }
  const livenessMs = o.livenessMs ?? shape.livenessMs ?? 30_000;
  const deadline = cluster.now + livenessMs;
  const settled = () => cluster.totalOutstanding() === 0 && converged(cluster);
  while (cluster.now < deadline && !settled()) {
    // A peer removed while it was away never learns it (no member talks to it any more): its
    // clients' commands cannot complete, and their outcome stays unknown.
    const current = members();
    for (const p of cluster.peers.values()) if (!current.includes(p.id)) cluster.abandon(p.id);
    replaceRolledBack();
    restartNeeded(cluster);
    cluster.runFor(100, settled);
  }
  if (!settled()) {
    const pending = [...cluster.peers.values()]
      .filter((p) => p.commands.size + p.reads.size > 0)
      .map(
        (p) =>
          `${p.id}:[${[...p.commands.keys()]
            .map((s) => `cmd#${s}`)
            .concat([...p.reads.keys()].map((t) => `read#${t}`))
            .join(',')}]`,
      );
    const slots = [...cluster.peers.values()]
      .filter((p) => p.node !== null)
      .map((p) => `${p.id}@${p.node!.status().slotOut}`);
    cluster.violation(
      `liveness: not settled ${livenessMs} ms after faults healed (pending ${pending.join(' ') || 'none'}; slotOut ${slots.join(' ')})`,
    );
  } else {
    finalReads(cluster, deadline);
  }

  checkOutcome(cluster);
  return {
    seed: o.seed,
    ok: cluster.violations.length === 0,
    violations: cluster.violations,
    trace: cluster.violations.length > 0 ? cluster.traceTail() : [],
    operations: cluster.history.length,
    commands: cluster.commandsApplied,
    slots: cluster.decidedSlots,
    messages: cluster.messagesSent,
    faults,
    profile,
    virtualMs: Math.round(cluster.now),
  };
}

/** The state of a store that lost everything (a wiped database under a kept identity). */
const EMPTY_STATE: PersistentState = {
  incarnation: 0,
  promises: [],
  accepted: [],
  watermark: 0,
  snapshot: null,
  decisions: [],
};

/** Propose, from a member in good standing, to replace `old` by a spare peer. */
function replacePeer(
  cluster: SimCluster,
  rng: Prng,
  universe: readonly PeerId[],
  old: PeerId,
): void {
  const proposers = [...cluster.peers.values()].filter(
    (p) =>
      p.id !== old &&
      p.node !== null &&
      !p.paused &&
      !p.removed &&
      p.node.initialized &&
      !p.node.reconfigPending() &&
      p.node.amnesia === null,
  );
  if (proposers.length === 0) return;
  const p = rng.pick(proposers);
  const cfg = p.node!.status().config;
  if (cfg === null || !membersOf(cfg).includes(old)) return;
  const spares = universe.filter((id) => !membersOf(cfg).includes(id) && id !== old);
  if (spares.length === 0) return;
  const id = rng.pick(spares);
  const swap = (list: readonly PeerId[]) => list.map((x) => (x === old ? id : x));
  try {
    p.node!.proposeReconfig({
      replicas: swap(cfg.replicas),
      leaders: swap(cfg.leaders),
      acceptors: swap(cfg.acceptors),
    });
  } catch {
    return;
  }
  if (!cluster.peers.has(id)) cluster.addPeer(id);
  cluster.start(id);
  cluster.trace(`${p.id} proposes membership change: replace rolled-back ${old} by ${id}`);
  cluster.kick(p.id);
}

function shuffle<T>(rng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The members of the newest configuration the most advanced live replica knows. */
function latestMembers(cluster: SimCluster): PeerId[] {
  let best: { id: number; members: PeerId[] } | undefined;
  for (const p of cluster.peers.values()) {
    const c = p.node?.status().config;
    if (c != null && (best === undefined || c.id > best.id))
      best = { id: c.id, members: [...membersOf(c)] };
  }
  return best?.members ?? [];
}

/** Members of every configuration some live peer still keeps (it may govern undecided slots). */
function neededPeers(cluster: SimCluster): Set<PeerId> {
  const out = new Set<PeerId>(latestMembers(cluster));
  for (const p of cluster.peers.values()) {
    if (p.node === null) continue;
    for (const c of p.node.replica.configs.all()) for (const id of membersOf(c)) out.add(id);
  }
  return out;
}

function restartIfMember(cluster: SimCluster, p: SimPeer): void {
  if (p.node !== null) return;
  const members = latestMembers(cluster);
  if (members.includes(p.id) || !p.removed) cluster.start(p.id);
}

function converged(cluster: SimCluster): boolean {
  const members = latestMembers(cluster);
  let slot: number | undefined;
  for (const id of members) {
    const p = cluster.peers.get(id);
    if (p?.node == null) return false;
    const s = p.node.status();
    if (!s.initialized || s.reconfigPending) return false;
    if (slot === undefined) slot = s.slotOut;
    else if (s.slotOut !== slot) return false;
  }
  return slot !== undefined;
}

/** After the run settles, a linearizable read of every key, so the check sees the final state. */
function finalReads(cluster: SimCluster, deadline: number): void {
  const members = latestMembers(cluster).filter(
    (id) => cluster.peers.get(id)?.node?.amnesia === null,
  );
  if (members.length === 0) return;
  for (const [i, key] of KEYS.entries())
    cluster.invoke(members[i % members.length]!, { op: 'get', key });
  const done = () => cluster.totalOutstanding() === 0;
  while (!done() && cluster.now < deadline + 10_000) {
    // A change proposed just before the heal may be decided only now, naming a peer the heal
    // stopped as one that never joined (soak seeds 600000523 of membership-churn, 600001352 of
    // mixed: the new configuration's only acceptors were down, and the reads waited forever).
    restartNeeded(cluster);
    cluster.runFor(100, done);
  }
  if (!done()) cluster.violation('liveness: final reads did not complete');
}

/** Restart members that were added while down, or crashed peers that became members. */
function restartNeeded(cluster: SimCluster): void {
  for (const id of neededPeers(cluster)) {
    const p = cluster.peers.get(id);
    if (p !== undefined && p.node === null) cluster.start(id);
  }
}

/**
 * The checks on what clients and replicas ended with: every command applied at most once,
 * members at the same slot hold the same state, and the client history is linearizable. Each
 * failure is a `cluster.violation`. (Agreement is checked as slots are applied.)
 */
export function checkOutcome(cluster: SimCluster): void {
  checkExactlyOnce(cluster);
  checkConvergence(cluster);
  const lin = checkLinearizable(kvModel, cluster.history);
  if (!lin.ok) {
    cluster.violation(
      `linearizability: no linearization of:\n    ${lin.counterexample!.join('\n    ')}`,
    );
  }
}

function checkExactlyOnce(cluster: SimCluster): void {
  for (const p of cluster.peers.values()) {
    if (p.sm === null) continue;
    for (const [id, times] of p.sm.appliedIds) {
      if (times > 1) {
        cluster.violation(`exactly-once: ${p.id} applied command ${id} ${times} times`);
        return;
      }
    }
  }
}

function checkConvergence(cluster: SimCluster): void {
  const members = latestMembers(cluster);
  let ref: { id: PeerId; state: string; slot: number } | undefined;
  for (const id of members) {
    const p = cluster.peers.get(id);
    if (p?.node == null || p.sm === null) continue;
    const state = JSON.stringify([...p.sm.data].sort());
    const slot = p.node.status().slotOut;
    if (ref === undefined) ref = { id, state, slot };
    else if (ref.slot === slot && ref.state !== state) {
      cluster.violation(`convergence: ${id} and ${ref.id} differ at slot ${slot}`);
      return;
    }
  }
}

/**
 * Propose a random membership change from a random live member: add a spare peer (fresh, or
 * one removed earlier), remove a member, replace a crashed member, or change a member's roles.
 */
function changeMembership(cluster: SimCluster, rng: Prng, universe: readonly PeerId[]): boolean {
  const proposers = [...cluster.peers.values()].filter(
    (p) =>
      p.node !== null && !p.paused && !p.removed && p.node.initialized && !p.node.reconfigPending(),
  );
  if (proposers.length === 0) return false;
  const p = rng.pick(proposers);
  const cfg = p.node!.status().config;
  if (cfg === null) return false;
  const members = membersOf(cfg);
  const spares = universe.filter((id) => !members.includes(id));
  const r = rng.next();
  let next: Membership | undefined;
  let what = '';
  const add = (list: readonly PeerId[], id: PeerId) => [...list, id];
  const del = (list: readonly PeerId[], id: PeerId) => list.filter((x) => x !== id);
  if (r < 0.2 && spares.length > 0 && members.length < 5) {
    const id = rng.pick(spares);
    const learner = rng.chance(0.2);
    next = {
      replicas: add(cfg.replicas, id),
      leaders: learner ? cfg.leaders : add(cfg.leaders, id),
      acceptors: learner ? cfg.acceptors : add(cfg.acceptors, id),
    };
    what = `add ${id}${learner ? ' as learner' : ''}`;
    if (!cluster.peers.has(id)) cluster.addPeer(id);
    cluster.start(id);
  } else if (r < 0.35 && members.length > 2) {
    const id = rng.pick(members);
    next = {
      replicas: del(cfg.replicas, id),
      leaders: del(cfg.leaders, id),
      acceptors: del(cfg.acceptors, id),
    };
    what = `remove ${id}`;
  } else if (r < 0.85 && spares.length > 0) {
    // Usually a dead machine is replaced; sometimes a live one (moved to new hardware).
    const dead = members.filter((id) => cluster.peers.get(id)?.node == null);
    const old = rng.pick(dead.length > 0 && rng.chance(0.3) ? dead : members);
    const id = rng.pick(spares);
    const swap = (list: readonly PeerId[]) => list.map((x) => (x === old ? id : x));
    next = {
      replicas: swap(cfg.replicas),
      leaders: swap(cfg.leaders),
      acceptors: swap(cfg.acceptors),
    };
    what = `replace ${old} by ${id}`;
    if (!cluster.peers.has(id)) cluster.addPeer(id);
    cluster.start(id);
  } else {
    const id = rng.pick(members);
    const acceptor = !cfg.acceptors.includes(id);
    next = {
      replicas: cfg.replicas.includes(id) ? cfg.replicas : add(cfg.replicas, id),
      leaders: cfg.leaders,
      acceptors: acceptor ? add(cfg.acceptors, id) : del(cfg.acceptors, id),
    };
    what = `${acceptor ? 'make' : 'unmake'} ${id} an acceptor`;
  }
  try {
    cluster.observeTime(p.node!);
    p.node!.proposeReconfig(next);
  } catch {
    return false;
  }
  cluster.trace(`${p.id} proposes membership change: ${what}`);
  cluster.kick(p.id);
  return true;
}
