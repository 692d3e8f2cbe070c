/**
 * The leader (PMMC §2, Fig. 7 "Leader"), with the failure detection of PMMC §3.
 *
 * A leader keeps `ballotNum`, `active` and `proposals`; it spawns a Scout to get its ballot
 * adopted (phase 1, for all slots at once) and a Commander per proposal (phase 2). Departures:
 *  - State is kept per configuration (one `LeaderInstance` each), since each
 *    (peer, configuration) is its own logical leader (DESIGN.md §3 item 6), and an instance only
 *    ever proposes for slots its configuration governs.
 *  - On adoption the leader proposes a no-op for every slot up to the highest one it knows of
 *    that has no pvalue ("gaps", DESIGN.md §3 item 1), and never proposes below the highest
 *    watermark it heard (item 8).
 *  - On preemption the leader does not start a new scout at once (PMMC §2's "livelock" remark):
 *    it waits for a heartbeat-free election timeout, randomized, that doubles at every
 *    preemption and shrinks again after a success (AIMD, PMMC §3).
 *  - An active leader sends heartbeats; acceptors' answers both keep it informed of higher
 *    ballots and confirm that it still leads, for linearizable reads (DESIGN.md §3 item 5).
 */
import {
  ballotEquals,
  ballotGreater,
  BOTTOM,
  formatBallot,
  INCARNATIONS,
  type Ballot,
} from './ballot.js';
import { NOOP } from './command.js';
import { majority, membersOf, type ConfigHistory, type Configuration } from './configuration.js';
import type { NodeContext } from './context.js';
import { Commander } from './commander.js';
import type { Heartbeat, HeartbeatAck, P1b, P2b } from './messages.js';
import { Scout } from './scout.js';
import type { ConfigId, PeerId, Slot } from './types.js';

/** What a leader needs from the replica beside it. */
export interface LeaderHost {
  readonly configs: ConfigHistory;
  /** The replica has applied every slot below this. */
  slotOut(): Slot;
  /** The log's WINDOW. */
  window(): number;
  /** The replica's durable snapshot slot (0: none), advertised in heartbeats. */
  snapshotSlot(): Slot;
  isDecided(slot: Slot): boolean;
  /** A commander of this leader got slot `slot` decided. */
  decided(slot: Slot, value: Uint8Array, config: Configuration): void;
  /** The leader was adopted; slots below `watermark` are decided elsewhere. */
  adopted(watermark: Slot): void;
  /** Reads waiting for confirmation: confirmed (true) or failed (false). */
  readsSettled(tokens: readonly number[], ok: boolean): void;
}

/** The last heartbeat heard for a configuration. */
export interface HeardLeader {
  readonly peer: PeerId;
  readonly ballot: Ballot;
  readonly at: number;
}

interface ReadWaiter {
  readonly seq: number;
  readonly token: number;
}

/** Heartbeat numbers each run has to itself (incarnation · 2^32 onwards; rounds allow < 2^20 runs). */
const HEARTBEATS_PER_RUN = 2 ** 32;

/** Election timeouts without progress towards the watermark before phase 1 runs again. */
const STUCK_TIMEOUTS = 10;

/** One leader's state in one configuration. */
export class LeaderInstance {
  ballotNum: Ballot;
  active = false;
  /** PMMC `proposals`: slot -> value, for slots this leader proposed and not yet seen decided. */
  readonly proposals = new Map<Slot, Uint8Array>();
  readonly commanders = new Map<Slot, Commander>();
  scout: Scout | undefined;
  watermark: Slot = 0;
  /** The highest round seen in this configuration, so a new ballot beats it. */
  maxRound = 0;
  /** When this peer next runs for office if it hears nothing. */
  deadline: number;
  hbSeq = 0;
  lastHeartbeat = -Infinity;
  /** Per acceptor: the highest heartbeat seq it acknowledged at our ballot, and when. */
  readonly acks = new Map<PeerId, number>();
  readonly ackAt = new Map<PeerId, number>();
  /** When this instance last became active. */
  activeSince = 0;
  /** Since when the replica has been stuck at `slotOut`, below the watermark. */
  behind: { slotOut: Slot; since: number } | undefined;
  /** The highest slot re-proposed at the last adoption: those may be chosen already. */
  adoptedThrough: Slot = 0;
  readWaiters: ReadWaiter[] = [];
  /** A read arrived this turn: send a heartbeat round at the end of the turn. */
  readRoundDue = false;

  constructor(
    readonly config: Configuration,
    id: PeerId,
    deadline: number,
  ) {
    this.ballotNum = { round: 0, leader: id };
    this.deadline = deadline;
  }
}

export class Leader {
  readonly instances = new Map<ConfigId, LeaderInstance>();
  /** The active leader last heard of, per configuration (including this peer itself). */
  readonly heard = new Map<ConfigId, HeardLeader>();
  /** The current election timeout base, before randomization (AIMD). */
  private timeoutMs: number;

  constructor(
    private readonly ctx: NodeContext,
    private readonly host: LeaderHost,
  ) {
    this.timeoutMs = ctx.opts.electionTimeoutMs;
  }

  private randomTimeout(): number {
    return this.timeoutMs * (1 + this.ctx.random());
  }

  /** The configuration an instance belongs to is over when every slot it governs is applied. */
  private isOver(c: Configuration): boolean {
    return this.host.configs.endOf(c.id) <= this.host.slotOut();
  }

  /**
   * Create instances for live configurations in which this peer is a leader, and drop those
   * whose slots are all decided. Called whenever the configuration history or slotOut moves.
   */
  sync(): void {
    for (const [id, inst] of this.instances) {
      if (this.isOver(inst.config)) {
        this.stepDown(inst, 'configuration over');
        this.instances.delete(id);
      }
    }
    for (const [id] of this.heard) {
      const c = this.host.configs.byId(id);
      if (c === undefined || this.isOver(c)) this.heard.delete(id);
    }
    const first = this.host.configs.at(this.host.slotOut());
    if (first === undefined) return;
    for (const c of this.host.configs.all()) {
      if (c.id < first.id || this.instances.has(c.id) || !c.leaders.includes(this.ctx.id)) continue;
      const inst = new LeaderInstance(c, this.ctx.id, this.firstDeadline(c));
      // Heartbeat numbers of one run are above every earlier run's: an acceptor answers a
      // heartbeat that was late across a restart with its promise, which may be this run's
      // ballot, and the old number must not confirm this run's reads (seed 80011565 of profile
      // ballot-reuse: acks numbered 38..52 confirmed reads waiting for round 4, stale reads).
      inst.hbSeq = Math.min(this.ctx.incarnation(), INCARNATIONS) * HEARTBEATS_PER_RUN;
      this.instances.set(c.id, inst);
    }
  }

  /** When a new instance first runs for office. */
  private firstDeadline(c: Configuration): number {
    const now = this.ctx.now();
    // Nobody else can lead: no reason to wait.
    if (c.leaders.length === 1) return now;
    const prev = this.instances.get(c.id - 1) ?? undefined;
    // The active leader of the previous configuration carries on into the next one at once,
    // so a membership change costs no election (its scout runs while the WINDOW drains).
    if (prev?.active) return now;
    const prevLeader = this.heard.get(c.id - 1);
    if (
      prevLeader !== undefined &&
      !c.leaders.includes(prevLeader.peer) &&
      c.leaders[0] === this.ctx.id
    ) {
      return now;
    }
    return now + this.randomTimeout();
  }

  /** The peer to forward client commands to for slots of `config`, if any is known. */
  activeLeaderOf(config: ConfigId): PeerId | undefined {
    if (this.instances.get(config)?.active) return this.ctx.id;
    return this.heard.get(config)?.peer;
  }

  isActive(config: ConfigId): boolean {
    return this.instances.get(config)?.active === true;
  }

  tick(): void {
    const now = this.ctx.now();
    for (const inst of this.instances.values()) {
      if (inst.active) {
        if (this.lostQuorum(inst)) {
          // Check quorum: a leader cut off from a majority stops claiming to lead, so that its
          // heartbeats do not hold back an election among the peers that can still decide.
          this.stepDown(inst, 'no majority of acceptors answered');
          inst.deadline = now + this.randomTimeout();
          continue;
        }
        if (this.stuckBehindWatermark(inst, now)) {
          this.stepDown(inst, `no way to the watermark ${inst.watermark}: phase 1 again`);
          inst.watermark = 0;
          inst.deadline = now + this.randomTimeout();
          continue;
        }
        if (now - inst.lastHeartbeat >= this.ctx.opts.heartbeatIntervalMs) this.heartbeat(inst);
        for (const c of inst.commanders.values()) c.tick();
      } else if (inst.scout !== undefined) {
        inst.scout.tick();
      } else if (now >= inst.deadline) {
        this.startScout(inst);
      }
    }
  }

  /**
   * An active leader proposes nothing until its replica reaches the watermark its phase 1 heard
   * (the slots below are decided elsewhere). When its replica makes no progress towards it for
   * STUCK_TIMEOUTS election timeouts, the acceptor that reported it may have lost what it held
   * (its store went back: seed 28000156 of profile amnesia, where p1 reported 176, was wiped, and
   * no replica had 137..175 any more): run phase 1 again and take the new majority's watermark.
   * Safe: each acceptor of a majority that chose a slot below it either still reports that pvalue
   * or dropped it once its replica had applied it, and then reports a watermark above it.
   */
  private stuckBehindWatermark(inst: LeaderInstance, now: number): boolean {
    const slotOut = this.host.slotOut();
    if (slotOut >= inst.watermark) {
      inst.behind = undefined;
      return false;
    }
    if (inst.behind?.slotOut !== slotOut) {
      inst.behind = { slotOut, since: now };
      return false;
    }
    return now - inst.behind.since >= STUCK_TIMEOUTS * this.ctx.opts.electionTimeoutMs;
  }

  private lostQuorum(inst: LeaderInstance): boolean {
    const now = this.ctx.now();
    const limit = this.ctx.opts.electionTimeoutMs * 2;
    if (now - inst.activeSince < limit) return false;
    let fresh = 0;
    for (const a of inst.config.acceptors)
      if (now - (inst.ackAt.get(a) ?? -Infinity) < limit) fresh++;
    return fresh < majority(inst.config.acceptors.length);
  }

  private startScout(inst: LeaderInstance): void {
    const heard = this.heard.get(inst.config.id);
    const seen = Math.max(inst.maxRound, inst.ballotNum.round, heard?.ballot.round ?? 0);
    // Above every round seen, and never a round of another run of this peer (ballot.ts).
    const round = this.ctx.rules.nextRound(seen, this.ctx.incarnation());
    if (round === undefined) {
      inst.deadline = Infinity;
      this.ctx.trace(
        `${this.ctx.id} cannot lead: no unused round for incarnation ${this.ctx.incarnation()}`,
      );
      return;
    }
    inst.ballotNum = { round, leader: this.ctx.id };
    inst.maxRound = round;
    const fromSlot = Math.max(this.host.slotOut(), inst.config.start);
    inst.scout = new Scout(this.ctx, inst.config, inst.ballotNum, fromSlot);
    inst.deadline = this.ctx.now() + this.randomTimeout();
    this.ctx.trace(
      `${this.ctx.id} runs for config ${inst.config.id} with ${formatBallot(inst.ballotNum)}`,
    );
    inst.scout.start();
  }

  /** Stop leading in every configuration (this peer's store was found rolled back). */
  stepDownAll(): void {
    for (const inst of this.instances.values()) this.stepDown(inst, 'its store was rolled back');
  }

  private stepDown(inst: LeaderInstance, why: string): void {
    if (inst.active)
      this.ctx.trace(`${this.ctx.id} steps down in config ${inst.config.id}: ${why}`);
    inst.active = false;
    inst.scout = undefined;
    inst.commanders.clear();
    if (inst.readWaiters.length > 0) {
      this.host.readsSettled(
        inst.readWaiters.map((w) => w.token),
        false,
      );
      inst.readWaiters = [];
    }
    if (this.heard.get(inst.config.id)?.peer === this.ctx.id) this.heard.delete(inst.config.id);
  }

  /** PMMC `preempted`: someone holds a higher ballot in this configuration. */
  private preempted(inst: LeaderInstance, b: Ballot): void {
    if (!ballotGreater(b, inst.ballotNum)) return;
    inst.maxRound = Math.max(inst.maxRound, b.round);
    // Late answers to a ballot already given up (a P1b resent, a P2b) back off no further: the
    // timeout doubles once per preempted ballot (PMMC §3), not once per answer.
    if (!inst.active && inst.scout === undefined) return;
    if (!inst.active && inst.scout !== undefined) {
      this.ctx.trace(
        `${this.ctx.id}'s scout ${formatBallot(inst.ballotNum)} is preempted by ${formatBallot(b)}`,
      );
    }
    this.stepDown(inst, `preempted by ${formatBallot(b)}`);
    // AIMD: back off multiplicatively, so duelling leaders stop duelling (PMMC §3).
    this.timeoutMs = Math.min(this.timeoutMs * 2, this.ctx.opts.maxElectionTimeoutMs);
    inst.deadline = this.ctx.now() + this.randomTimeout();
  }

  /** PMMC `adopted`: a majority promised our ballot and reported what they accepted. */
  private adopted(inst: LeaderInstance, scout: Scout): void {
    const cfg = inst.config;
    const end = this.host.configs.endOf(cfg.id);
    inst.scout = undefined;
    inst.active = true;
    inst.activeSince = this.ctx.now();
    inst.acks.clear();
    inst.ackAt.clear();
    inst.watermark = Math.max(inst.watermark, scout.watermark);
    const floor = Math.max(scout.fromSlot, inst.watermark, cfg.start);
    // pmax: the value with the highest ballot for each slot overrides our own proposals.
    // Gaps are filled only up to the highest slot known to belong to this configuration: one
    // that some leader of it proposed (a pvalue, or our own proposal). A peer that was away may
    // not know that a later configuration governs the slots beyond (PMMC §2.1).
    let maxSlot = floor - 1;
    for (const pv of scout.pvalues.values()) {
      if (pv.slot < floor || pv.slot >= end) continue;
      // A decided slot needs no proposal, but it still marks the range to fill below it.
      maxSlot = Math.max(maxSlot, pv.slot);
      if (!this.host.isDecided(pv.slot)) inst.proposals.set(pv.slot, pv.value);
    }
    for (const s of inst.proposals.keys()) {
      if (s < floor || this.host.isDecided(s)) inst.proposals.delete(s);
      else maxSlot = Math.max(maxSlot, s);
    }
    if (!this.ctx.bug('no-gap-fill')) {
      // No-ops for the gaps of one WINDOW now, whatever one P1b claimed (a forged slot near 2^53
      // once made a leader fill millions): the replica fills the holes beyond as it gets there,
      // below every slot it knows decided (replica.ts, assign), as the pvalues above are decided.
      const fillTo = Math.min(maxSlot, floor + this.host.window() - 1);
      for (let s = floor; s <= fillTo; s++) {
        if (!inst.proposals.has(s) && !this.host.isDecided(s)) inst.proposals.set(s, NOOP);
      }
    }
    this.ctx.trace(
      `${this.ctx.id} leads config ${cfg.id} with ${formatBallot(inst.ballotNum)} (slots ${floor}..${maxSlot} re-proposed)`,
    );
    this.timeoutMs = Math.max(
      this.ctx.opts.electionTimeoutMs,
      this.timeoutMs - this.ctx.opts.electionTimeoutMs,
    );
    this.heard.set(cfg.id, { peer: this.ctx.id, ballot: inst.ballotNum, at: this.ctx.now() });
    inst.adoptedThrough = maxSlot;
    this.host.adopted(inst.watermark);
    for (const [slot, value] of [...inst.proposals].sort((a, b) => a[0] - b[0])) {
      this.spawnCommander(inst, slot, value);
    }
    this.heartbeat(inst);
  }

  private spawnCommander(inst: LeaderInstance, slot: Slot, value: Uint8Array): void {
    const acceptors = this.ctx.bug('wrong-config-quorum')
      ? (this.host.configs.latest() ?? inst.config).acceptors
      : inst.config.acceptors;
    const c = new Commander(
      this.ctx,
      { config: inst.config.id, ballot: inst.ballotNum, slot, value },
      acceptors,
    );
    inst.commanders.set(slot, c);
    c.start();
  }

  /**
   * PMMC `propose(s, c)` from the replica beside this leader. Returns false when this peer
   * cannot propose for that slot now (not active in the slot's configuration).
   */
  propose(slot: Slot, value: Uint8Array): boolean {
    const cfg = this.host.configs.at(slot);
    if (cfg === undefined) return false;
    const inst = this.instances.get(cfg.id);
    if (inst === undefined || !inst.active || slot < inst.watermark) return false;
    if (inst.proposals.has(slot)) return false;
    inst.proposals.set(slot, value);
    this.spawnCommander(inst, slot, value);
    return true;
  }

  /**
   * The highest slot this peer re-proposed when it was last adopted, in any active instance:
   * a value may have been chosen there under a lower ballot without this peer knowing.
   */
  adoptedThrough(): Slot {
    let max = 0;
    for (const inst of this.instances.values()) {
      if (inst.active && inst.adoptedThrough > max) max = inst.adoptedThrough;
    }
    return max;
  }

  /** The highest slot any instance of this leader has a proposal for (0: none). */
  maxProposal(): Slot {
    let max = 0;
    for (const inst of this.instances.values())
      for (const s of inst.proposals.keys()) if (s > max) max = s;
    return max;
  }

  /** Whether this leader already has a proposal for `slot` (the replica must skip it). */
  hasProposal(slot: Slot): boolean {
    const cfg = this.host.configs.at(slot);
    return cfg !== undefined && this.instances.get(cfg.id)?.proposals.has(slot) === true;
  }

  /** A slot was decided (by anyone): nothing more to do for it. */
  forget(slot: Slot): void {
    for (const inst of this.instances.values()) {
      inst.proposals.delete(slot);
      inst.commanders.delete(slot);
    }
  }

  onP1b(from: PeerId, m: P1b): void {
    const inst = this.instances.get(m.config);
    const scout = inst?.scout;
    if (inst === undefined || scout === undefined) {
      if (inst !== undefined && ballotGreater(m.ballot, inst.ballotNum))
        this.preempted(inst, m.ballot);
      return;
    }
    const out = scout.onP1b(from, m);
    if (out?.kind === 'adopted') this.adopted(inst, scout);
    else if (out?.kind === 'preempted') this.preempted(inst, out.ballot);
  }

  onP2b(from: PeerId, m: P2b): void {
    const inst = this.instances.get(m.config);
    if (inst === undefined) return;
    const c = inst.commanders.get(m.slot);
    if (c === undefined) {
      if (ballotGreater(m.ballot, inst.ballotNum)) this.preempted(inst, m.ballot);
      return;
    }
    const out = c.onP2b(from, m);
    if (out?.kind === 'decided') {
      inst.commanders.delete(m.slot);
      inst.proposals.delete(m.slot);
      this.host.decided(m.slot, c.pvalue.value, inst.config);
    } else if (out?.kind === 'preempted') {
      this.preempted(inst, out.ballot);
    }
  }

  /** A heartbeat from an active leader (possibly this peer itself). */
  onHeartbeat(from: PeerId, m: Heartbeat): void {
    const known = this.heard.get(m.config);
    if (known === undefined || !ballotGreater(known.ballot, m.ballot)) {
      this.heard.set(m.config, { peer: m.ballot.leader, ballot: m.ballot, at: this.ctx.now() });
    }
    const inst = this.instances.get(m.config);
    if (inst === undefined || from === this.ctx.id) return;
    inst.maxRound = Math.max(inst.maxRound, m.ballot.round);
    if (
      ballotGreater(m.ballot, inst.ballotNum) ||
      (!inst.active && !ballotEquals(m.ballot, inst.ballotNum))
    ) {
      if (inst.active) this.stepDown(inst, `heard ${formatBallot(m.ballot)}`);
      inst.scout = undefined;
      // A live leader: wait a full randomized timeout after its last heartbeat.
      inst.deadline = this.ctx.now() + this.randomTimeout();
    }
  }

  onHeartbeatAck(from: PeerId, m: HeartbeatAck): void {
    const inst = this.instances.get(m.config);
    if (inst === undefined || !inst.active) return;
    if (ballotGreater(m.ballot, inst.ballotNum)) {
      this.preempted(inst, m.ballot);
      return;
    }
    if (!ballotEquals(m.ballot, inst.ballotNum) || !inst.config.acceptors.includes(from)) return;
    // A number this instance never sent answers another run's heartbeat.
    if (m.seq > inst.hbSeq) return;
    inst.acks.set(from, Math.max(inst.acks.get(from) ?? 0, m.seq));
    inst.ackAt.set(from, this.ctx.now());
    this.settleReads(inst);
  }

  private heartbeat(inst: LeaderInstance): void {
    inst.lastHeartbeat = this.ctx.now();
    inst.hbSeq++;
    this.heard.set(inst.config.id, {
      peer: this.ctx.id,
      ballot: inst.ballotNum,
      at: this.ctx.now(),
    });
    const m: Heartbeat = {
      type: 'heartbeat',
      config: inst.config.id,
      ballot: inst.ballotNum,
      seq: inst.hbSeq,
      slotOut: this.host.slotOut(),
      snapshotSlot: this.host.snapshotSlot(),
    };
    const to = new Set(membersOf(inst.config));
    const latest = this.host.configs.latest();
    if (latest !== undefined) for (const p of membersOf(latest)) to.add(p);
    for (const p of to) this.ctx.send(p, m);
  }

  /**
   * Confirm that this peer still leads the configuration of the next slot it would assign, by
   * a heartbeat round answered by a majority of its acceptors (DESIGN.md §3 item 5). Returns
   * false at once when it is not active there.
   */
  confirmLeadership(token: number, index: Slot): boolean {
    // Sound only if this peer knows which configuration governs index + 1 (every
    // reconfiguration that could affect it is applied: PMMC §2.1), and has applied every slot
    // below the watermark its phase 1 heard (slots it cannot know otherwise).
    const next = index + 1;
    if (next >= this.host.slotOut() + this.host.window()) return false;
    const cfg = this.host.configs.at(next);
    const inst = cfg === undefined ? undefined : this.instances.get(cfg.id);
    if (inst === undefined || !inst.active || this.host.slotOut() < inst.watermark) return false;
    // The round is sent at the end of the turn (flush), so that every read that arrived in one
    // turn shares one heartbeat round.
    inst.readWaiters.push({ seq: inst.hbSeq + 1, token });
    inst.readRoundDue = true;
    return true;
  }

  /** End of a turn: send the heartbeat rounds that reads of this turn wait for. */
  flush(): void {
    for (const inst of this.instances.values()) {
      if (inst.readRoundDue) {
        inst.readRoundDue = false;
        if (inst.active) this.heartbeat(inst);
      }
    }
  }

  private settleReads(inst: LeaderInstance): void {
    if (inst.readWaiters.length === 0) return;
    const acks = inst.config.acceptors.map((a) => inst.acks.get(a) ?? 0).sort((a, b) => b - a);
    const confirmed = acks[majority(inst.config.acceptors.length) - 1] ?? 0;
    const done = inst.readWaiters.filter((w) => w.seq <= confirmed);
    if (done.length === 0) return;
    inst.readWaiters = inst.readWaiters.filter((w) => w.seq > confirmed);
    this.host.readsSettled(
      done.map((w) => w.token),
      true,
    );
  }

  /** For status(): the ballot and activity of this peer as a leader. */
  summary(): { config: ConfigId; ballot: Ballot; active: boolean; proposals: number }[] {
    return [...this.instances.values()].map((i) => ({
      config: i.config.id,
      ballot: i.ballotNum.round === 0 ? BOTTOM : i.ballotNum,
      active: i.active,
      proposals: i.proposals.size,
    }));
  }
}
