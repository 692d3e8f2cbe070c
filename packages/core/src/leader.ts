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
 *  - `proposals` and the commanders of a slot are dropped once the slot is decided, by any
 *    leader (`forget`): PMMC's leader keeps every proposal for ever, and its later commanders
 *    for a decided slot only re-decide the same value. Here that would be memory and messages
 *    for nothing.
 *  - It reads the replica beside it (`ReplicaView`: configurations, slotOut, WINDOW, decided
 *    slots and skips), never changing it: PMMC's leader is told only `propose`, but a real
 *    leader must not propose past the WINDOW nor below what is already decided.
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
import { membersOf, type ConfigHistory, type Configuration } from './configuration.js';
import { majorityValue } from './quorum.js';
import type { NodeContext } from './context.js';
import { Commander } from './commander.js';
import type { Heartbeat, HeartbeatAck, P1b, P2b, PValue, Transfer } from './messages.js';
import type { HeartbeatGaps } from './heartbeat-gaps.js';
import { Scout } from './scout.js';
import type { ConfirmationRound } from './read-index.js';
import type { ConfigId, PeerId, Slot } from './types.js';

/**
 * What a leader reads of the replica beside it, which it never changes (the Replica itself; the
 * replica reads the leader through its LeaderView in turn). Read each field when needed: a
 * snapshot install replaces the configuration history.
 */
export interface ReplicaView {
  readonly configs: ConfigHistory;
  /** The replica has applied every slot below this. */
  readonly slotOut: Slot;
  /** The log's WINDOW. */
  readonly window: number;
  /** The replica's durable snapshot slot (0: none), advertised in heartbeats. */
  readonly durableSnapshotSlot: Slot;
  /**
   * The last slot a skip at `slot` voids (command.ts): the value decided there, else
   * `proposal`; undefined when neither is a valid skip (Replica.skipAt).
   */
  skipAt(slot: Slot, proposal: Uint8Array | undefined): Slot | undefined;
  isDecided(slot: Slot): boolean;
}

/** The last heartbeat heard for a configuration. */
export interface HeardLeader {
  readonly peer: PeerId;
  readonly ballot: Ballot;
  readonly at: number;
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
  /** Handing leadership over to `peer` (since `since`): no new slots are assigned meanwhile. */
  transferTo: { readonly peer: PeerId; readonly since: number } | undefined;
  /** Per acceptor: the slotOut its replica reported in its last acknowledgement. */
  readonly ackSlotOut = new Map<PeerId, Slot>();

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
    private readonly replica: ReplicaView,
    /** The heartbeat lateness this peer saw lately (shared with its acceptor's stickiness). */
    private readonly gaps: HeartbeatGaps,
  ) {
    this.timeoutMs = ctx.opts.electionTimeoutMs;
  }

  /**
   * The wait before running for office: the AIMD base, randomized in [base, 2 base), plus the
   * margin the heartbeat lateness seen lately asks for (heartbeat-gaps.ts). The margin is added,
   * not randomized: the spread that keeps candidates apart is the configured one, and a crashed
   * leader on a busy machine is replaced after the margin plus 300–600 ms, not twice the margin.
   */
  private randomTimeout(): number {
    return this.timeoutMs * (1 + this.ctx.random()) + this.gaps.extraMs(this.ctx.now());
  }

  /** The configuration an instance belongs to is over when every slot it governs is applied. */
  private isOver(c: Configuration): boolean {
    return this.replica.configs.endOf(c.id) <= this.replica.slotOut;
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
      const c = this.replica.configs.byId(id);
      if (c === undefined || this.isOver(c)) this.heard.delete(id);
    }
    const first = this.replica.configs.at(this.replica.slotOut);
    if (first === undefined) return;
    for (const c of this.replica.configs.all()) {
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

  /** Whether this peer may assign new slots of `config`: it leads it and is not handing over. */
  canPropose(config: ConfigId): boolean {
    const inst = this.instances.get(config);
    return inst?.active === true && inst.transferTo === undefined;
  }

  /**
   * Hand leadership of `config` over to `peer` (another of its leaders): assign no new slots,
   * and once the slots in flight are decided and `peer` has applied as far as this peer (or an
   * election timeout has passed), tell every member (Transfer) and step down; `peer` runs at
   * once. Returns false when this peer does not lead `config`.
   */
  transfer(config: ConfigId, peer: PeerId): boolean {
    const inst = this.instances.get(config);
    if (inst === undefined || !inst.active) return false;
    inst.transferTo = { peer, since: this.ctx.now() };
    this.ctx.trace(`${this.ctx.id} hands config ${config} over to ${peer}`);
    this.maybeHandOver(inst);
    return true;
  }

  private maybeHandOver(inst: LeaderInstance): void {
    const t = inst.transferTo;
    if (t === undefined || !inst.active) return;
    const caughtUp =
      !inst.config.acceptors.includes(t.peer) ||
      (inst.ackSlotOut.get(t.peer) ?? 0) >= this.replica.slotOut;
    const late = this.ctx.now() - t.since >= this.ctx.opts.electionTimeoutMs;
    if (!late && (inst.proposals.size > 0 || !caughtUp)) return;
    const m: Transfer = {
      type: 'transfer',
      config: inst.config.id,
      ballot: inst.ballotNum,
      to: t.peer,
    };
    for (const p of this.recipients(inst)) this.ctx.send(p, m);
    this.stepDown(inst, `handed over to ${t.peer}`);
    // Let the new leader run first.
    inst.deadline = this.ctx.now() + 2 * this.randomTimeout();
  }

  /**
   * Whom to hand `config` over to (`transfer`), best first: its other leaders whose acceptor
   * acknowledged this leader within the last election timeout, the most caught up first (the
   * transfer waits until its target has applied as far as this peer, so that one takes over
   * soonest and serves at once), then the most recently heard. A leader not heard from lately
   * may be down, and handing over to it would cost the election the transfer is meant to save:
   * it is left out. Empty when this peer cannot assign slots of `config`.
   */
  transferTargets(config: Configuration): PeerId[] {
    const inst = this.instances.get(config.id);
    if (inst === undefined || !this.canPropose(config.id)) return [];
    const recent = this.ctx.now() - this.ctx.opts.electionTimeoutMs;
    return [...inst.ackAt]
      .map(([peer, at]) => ({ peer, slotOut: inst.ackSlotOut.get(peer) ?? 0, at }))
      .filter((a) => a.peer !== this.ctx.id && config.leaders.includes(a.peer) && a.at >= recent)
      .sort((a, b) => b.slotOut - a.slotOut || b.at - a.at)
      .map((a) => a.peer);
  }

  /** Leadership transfer: the leader of `m.config` hands over (to this peer, perhaps). */
  onTransfer(from: PeerId, m: Transfer): void {
    if (m.ballot.leader !== from) return;
    const heard = this.heard.get(m.config);
    if (heard !== undefined && ballotEquals(heard.ballot, m.ballot)) this.heard.delete(m.config);
    const inst = this.instances.get(m.config);
    if (m.to !== this.ctx.id || inst === undefined || inst.active || inst.scout !== undefined)
      return;
    inst.maxRound = Math.max(inst.maxRound, m.ballot.round);
    inst.deadline = this.ctx.now();
    this.ctx.trace(`${this.ctx.id} takes over config ${m.config} from ${from}`);
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
        this.maybeHandOver(inst);
      } else if (inst.scout !== undefined) {
        inst.scout.tick();
      } else if (now >= inst.deadline) {
        this.startScout(inst);
      }
    }
  }

  /**
   * When `tick` next has something to do: a heartbeat (check quorum is judged then too), a
   * retransmission, or running for office.
   */
  nextDeadline(): number {
    let at = Infinity;
    for (const inst of this.instances.values()) {
      if (inst.active) {
        at = Math.min(at, inst.lastHeartbeat + this.ctx.opts.heartbeatIntervalMs);
        if (inst.transferTo !== undefined)
          at = Math.min(at, inst.transferTo.since + this.ctx.opts.electionTimeoutMs);
        for (const c of inst.commanders.values()) at = Math.min(at, c.nextDeadline());
      } else if (inst.scout !== undefined) {
        at = Math.min(at, inst.scout.nextDeadline());
      } else {
        at = Math.min(at, inst.deadline);
      }
    }
    return at;
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
    const slotOut = this.replica.slotOut;
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

  /**
   * Check quorum: this leader has kept heartbeating for two election timeouts, plus the margin
   * the lateness seen lately asks for (heartbeat-gaps.ts), since a majority of acceptors last
   * answered. Measured to its last heartbeat, not to now: after a stall of
   * its own event loop (a long fsync or GC on a busy machine) the answers to its last heartbeats
   * may still wait unread, and a leader that was deaf must not blame the others (a C=64 run:
   * a leader stepped down as its 592 ms write ended). A leader cut off for real goes on
   * heartbeating and steps down at most a heartbeat interval later than `now - heard` would say.
   */
  private lostQuorum(inst: LeaderInstance): boolean {
    const limit = this.ctx.opts.electionTimeoutMs * 2 + this.gaps.extraMs(this.ctx.now());
    if (inst.lastHeartbeat - inst.activeSince < limit) return false;
    return inst.lastHeartbeat - this.answeredAt(inst) >= limit;
  }

  /** When a majority of acceptors last answered a heartbeat, all of them (-Infinity: never). */
  private answeredAt(inst: LeaderInstance): number {
    return majorityValue(inst.config.acceptors, (a) => inst.ackAt.get(a), -Infinity);
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
    const fromSlot = Math.max(this.replica.slotOut, inst.config.start);
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
    inst.transferTo = undefined;
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
    const end = this.replica.configs.endOf(cfg.id);
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
      if (!this.replica.isDecided(pv.slot)) inst.proposals.set(pv.slot, pv.value);
    }
    for (const s of inst.proposals.keys()) {
      if (s < floor || this.replica.isDecided(s)) inst.proposals.delete(s);
      else maxSlot = Math.max(maxSlot, s);
    }
    if (!this.ctx.bug('no-gap-fill')) {
      // No-ops for the gaps of one WINDOW now, whatever one P1b claimed (a forged slot near 2^53
      // once made a leader fill millions): the replica fills the holes beyond as it gets there,
      // below every slot it knows decided (replica.ts, assign), as the pvalues above are decided.
      // None inside the range of a skip adopted here (re-proposed as pmax) or known decided:
      // the skip voids those slots. (Should it turn out a no-op, a configuration not yet known
      // here ending before its range does, the replica fills those holes as it fills any.)
      const fillTo = Math.min(maxSlot, floor + this.replica.window - 1);
      for (let s = floor; s <= fillTo; s++) {
        const through = this.replica.skipAt(s, inst.proposals.get(s));
        if (through !== undefined) s = through;
        else if (!inst.proposals.has(s) && !this.replica.isDecided(s)) inst.proposals.set(s, NOOP);
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
    if (inst.watermark > this.replica.slotOut)
      this.ctx.trace(`${this.ctx.id} is behind the watermark ${inst.watermark}`);
    for (const [slot, value] of [...inst.proposals].sort((a, b) => a[0] - b[0])) {
      this.spawnCommander(inst, slot, value);
    }
    this.heartbeat(inst);
  }

  private spawnCommander(inst: LeaderInstance, slot: Slot, value: Uint8Array): void {
    const acceptors = this.ctx.bug('wrong-config-quorum')
      ? (this.replica.configs.latest() ?? inst.config).acceptors
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
   * Whether this peer may propose for `slot` now: it leads the slot's configuration, is not
   * handing over, the slot is not below the watermark its phase 1 heard, and it has no proposal
   * there yet.
   */
  mayPropose(slot: Slot): boolean {
    const cfg = this.replica.configs.at(slot);
    const inst = cfg === undefined ? undefined : this.instances.get(cfg.id);
    return (
      inst !== undefined &&
      inst.active &&
      inst.transferTo === undefined &&
      slot >= inst.watermark &&
      !inst.proposals.has(slot)
    );
  }

  /**
   * PMMC `propose(s, c)` from the replica beside this leader. Returns false when this peer
   * cannot propose for that slot now (see mayPropose).
   */
  propose(slot: Slot, value: Uint8Array): boolean {
    if (!this.mayPropose(slot)) return false;
    const inst = this.instances.get(this.replica.configs.at(slot)!.id)!;
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

  /** This leader's proposal for `slot`, if any (the replica must not assign the slot again). */
  proposal(slot: Slot): Uint8Array | undefined {
    const cfg = this.replica.configs.at(slot);
    return cfg === undefined ? undefined : this.instances.get(cfg.id)?.proposals.get(slot);
  }

  /** A slot was decided (by anyone): nothing more to do for it. */
  forget(slot: Slot): void {
    for (const inst of this.instances.values()) {
      inst.proposals.delete(slot);
      inst.commanders.delete(slot);
    }
  }

  /** Every slot through `slot` was decided (a snapshot covers them): as `forget` for each. */
  forgetThrough(slot: Slot): void {
    for (const inst of this.instances.values()) {
      for (const s of inst.proposals.keys()) if (s <= slot) inst.proposals.delete(s);
      for (const s of inst.commanders.keys()) if (s <= slot) inst.commanders.delete(s);
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

  /**
   * A vote for one of this leader's commanders. Returns the pvalue when that commander got it
   * chosen (PMMC Fig. 7: `decided` goes to the replicas): the other replicas are told here
   * (Commander.announce); the one beside this leader is the caller's to tell, and then `chosen`.
   */
  onP2b(from: PeerId, m: P2b): PValue | undefined {
    const inst = this.instances.get(m.config);
    if (inst === undefined) return undefined;
    const c = inst.commanders.get(m.slot);
    if (c === undefined) {
      if (ballotGreater(m.ballot, inst.ballotNum)) this.preempted(inst, m.ballot);
      return undefined;
    }
    const out = c.onP2b(from, m);
    if (out?.kind === 'decided') {
      inst.commanders.delete(m.slot);
      inst.proposals.delete(m.slot);
      c.announce(inst.config, this.replica.configs.latest());
      return c.pvalue;
    }
    if (out?.kind === 'preempted') this.preempted(inst, out.ballot);
    return undefined;
  }

  /**
   * The replica beside this leader learned `pvalue`, which onP2b returned: a hand-over that
   * waited for the slots in flight, and for its target to apply as far as this replica, may go
   * now. (After the learning, not before: applying moves this replica's slotOut.)
   */
  chosen(pvalue: PValue): void {
    const inst = this.instances.get(pvalue.config);
    if (inst !== undefined) this.maybeHandOver(inst);
  }

  /** A heartbeat from an active leader (possibly this peer itself). */
  onHeartbeat(from: PeerId, m: Heartbeat): void {
    if (from !== this.ctx.id) this.gaps.heard(m.config, m.ballot, this.ctx.now());
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
    const now = this.ctx.now();
    const majorityBefore = this.answeredAt(inst);
    inst.ackAt.set(from, now);
    const majorityNow = this.answeredAt(inst);
    if (majorityBefore !== -Infinity && majorityNow > majorityBefore)
      this.gaps.answered(majorityNow - majorityBefore, now);
    inst.ackSlotOut.set(from, m.slotOut);
    this.maybeHandOver(inst);
  }

  /** Every member of the instance's configuration and of the newest one (this peer too). */
  private recipients(inst: LeaderInstance): Set<PeerId> {
    const to = new Set(membersOf(inst.config));
    const latest = this.replica.configs.latest();
    if (latest !== undefined) for (const p of membersOf(latest)) to.add(p);
    return to;
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
      slotOut: this.replica.slotOut,
      snapshotSlot: this.replica.durableSnapshotSlot,
    };
    for (const p of this.recipients(inst)) this.ctx.send(p, m);
  }

  /**
   * The heartbeat round that would confirm this peer still leads the configuration of slot
   * `index + 1`, once a majority of its acceptors acknowledge it at our ballot (DESIGN.md §3
   * item 5; read-index.ts): the next one (`confirm` sends it). Undefined when it is not active
   * there.
   */
  confirmationRound(index: Slot): ConfirmationRound | undefined {
    // Sound only if this peer knows which configuration governs index + 1 (every
    // reconfiguration that could affect it is applied: PMMC §2.1), and has applied every slot
    // below the watermark its phase 1 heard (slots it cannot know otherwise). readIndexOf
    // covers skips only up to this bound: keep the two alike.
    const next = index + 1;
    if (next >= this.replica.slotOut + this.replica.window) return undefined;
    const cfg = this.replica.configs.at(next);
    const inst = cfg === undefined ? undefined : this.instances.get(cfg.id);
    if (inst === undefined || !inst.active || this.replica.slotOut < inst.watermark)
      return undefined;
    return { config: inst.config.id, ballot: inst.ballotNum, seq: inst.hbSeq + 1 };
  }

  /**
   * Whether `round` is confirmed: true once a majority acknowledged it, false once this peer no
   * longer leads with that ballot (it can never be), undefined while open.
   */
  roundConfirmed(round: ConfirmationRound): boolean | undefined {
    const inst = this.instances.get(round.config);
    if (inst === undefined || !inst.active || !ballotEquals(inst.ballotNum, round.ballot))
      return false;
    // The newest heartbeat round a majority of acceptors acknowledged at our ballot.
    const confirmed = majorityValue(inst.config.acceptors, (a) => inst.acks.get(a));
    return confirmed >= round.seq ? true : undefined;
  }

  /**
   * End of a turn: send a heartbeat round in each of `configs` this peer still leads; reads of
   * this turn took it (ReadIndex.takeRounds) and wait for its acknowledgements.
   */
  confirm(configs: ReadonlySet<ConfigId>): void {
    if (configs.size === 0) return;
    for (const inst of this.instances.values())
      if (configs.has(inst.config.id) && inst.active) this.heartbeat(inst);
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
