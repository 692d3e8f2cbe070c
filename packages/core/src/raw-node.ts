/**
 * RawNode: one peer's protocol as a pure, deterministic state machine (DESIGN.md §2), in the
 * manner of etcd-io/raft's RawNode. It does no I/O, reads no clock and draws no random number
 * of its own. The driver (the Runtime, or the simulator) feeds it:
 *
 *   step(from, message)  a message arrived
 *   observeTime(now)     the clock reads `now` (before a step: times recorded then are exact)
 *   tick(now)            time passed: do what is due (`nextDeadline()` says when)
 *   propose(op) / read() a local client wants something
 *   stopping()           the driver will stop: nothing waits for a later write any more
 *
 * and then takes `ready()`: the state to persist (one numbered write), the messages to send (some
 * at once, some only once that write is durable), the results to deliver. Writes are pipelined,
 * as etcd-raft's asynchronous storage writes: the driver may take further Readies while earlier
 * writes are in flight, and reports each write's completion, in write order, with
 * `persisted(id)`; what depends on a write (this peer's own P1b and P2b, its incarnation, a
 * durable snapshot) is released then. A driver that writes synchronously calls `advance()`.
 *
 * Every peer runs all four modules (acceptor, leader, replica, and its own client); which of
 * them take part in a slot is decided by the configuration governing it.
 *
 * RawNode is the facade (as etcd-raft's rawnode.go over raft.go): it owns the peer's parts and
 * passes what one reports to the others that need it. Each part does one job in its own file:
 *
 * - PMMC's roles, with the paper's names: acceptor.ts, leader.ts (scout.ts, commander.ts),
 *   replica.ts;
 * - this peer's client (seqs, resends, results): client-session.ts;
 * - where client commands go (assigned here, or forwarded to the leader): forward.ts;
 * - linearizable reads: read-index.ts;
 * - catch-up of peers that were away: catchup.ts; a leaver's hand-over: handover.ts; whom
 *   configurations removed, answered with this peer's progress only: former-members.ts;
 * - amnesia detection: store-guard.ts; whether this peer was removed: removal.ts;
 * - persist before send (numbered writes, and what waits for each): write-tracker.ts;
 * - what `status()` reports: status.ts.
 *
 * What stays here: the inputs and outputs above, `dispatch` (which part hears which message),
 * and the end of a turn (`flush`: commands routed, slots proposed, phase 2 started).
 */
import { Acceptor } from './acceptor.js';
import { HeartbeatGaps } from './heartbeat-gaps.js';
import { ballotEquals, MAX_ROUND } from './ballot.js';
import type { BugName } from './bugs.js';
import { Catchup } from './catchup.js';
import { checkCommand } from './check-args.js';
import { ClientSession, clientIncarnation, type CommandResult } from './client-session.js';
import { FormerMembers } from './former-members.js';
import { Handover } from './handover.js';
import type { Command, Outcome } from './command.js';
import {
  membersOf,
  sameMembership,
  validateMembership,
  type Configuration,
  type Membership,
} from './configuration.js';
import type { NodeContext } from './context.js';
import { InvalidMembershipError, NotLeaderError, ReconfigPendingError } from './errors.js';
import { Router, type Routed } from './forward.js';
import { Leader } from './leader.js';
import type {
  CatchupDecisions,
  CatchupRequest,
  Decided,
  Decision,
  Envelope,
  Message,
  PValue,
} from './messages.js';
import { validateOptions, type ProtocolOptions } from './options.js';
import { PersistBuilder } from './persist-builder.js';
import { ReadIndex, type ReadResult } from './read-index.js';
import { Removal } from './removal.js';
import { Replica, type AppliedCommand, type ReplicaOutcome } from './replica.js';
import { RULES, type Rules } from './rules.js';
import { amnesiaNotice, nodeStatus, type NodeStatus } from './status.js';
import { StoreGuard } from './store-guard.js';
import { StorageReads, type StorageRead } from './storage-reads.js';
import { WriteTracker } from './write-tracker.js';
import type { StateMachine } from './state-machine.js';
import type { PersistentState, Snapshot, StorageBatch } from './storage.js';
import type { PeerId, Slot } from './types.js';

export interface RawNodeConfig {
  /** This peer's id. */
  id: PeerId;
  /** The application's replicated state. */
  stateMachine: StateMachine;
  /** Protocol options; defaults in DEFAULT_OPTIONS. */
  options?: Partial<ProtocolOptions>;
  /** A seeded generator of numbers in [0, 1) (election jitter). */
  random: () => number;
  /** Test-only: switch on known bugs, to show that the tests catch them. */
  bugs?: ReadonlySet<BugName>;
  /** Test-only: decisions replaced by an injected bug (`@synod/core/testing`). */
  rules?: Partial<Rules>;
  /** Receives a line for every protocol event worth reading in a trace. */
  trace?: (line: string) => void;
  /** Called with every slot this replica applies, in order (the simulator checks agreement). */
  onSlotApplied?: (slot: Slot, value: Uint8Array) => void;
}

export interface Ready {
  /**
   * Write this atomically, after every earlier Ready's write (writes are ordered). `results`,
   * `reads` and `applied` may go to the app at once: they rest on chosen decisions only.
   */
  readonly persist: StorageBatch | null;
  /**
   * The write `afterPersist` waits for: this Ready's own (when `persist` is set), else the
   * newest one still in flight. 0 when no write is due: then `afterPersist` is empty.
   */
  readonly writeId: number;
  /** Messages that may leave at once. */
  readonly messages: readonly Envelope[];
  /** Messages that may leave only once write `writeId` (and so every earlier one) is durable. */
  readonly afterPersist: readonly Envelope[];
  readonly results: readonly CommandResult[];
  readonly reads: readonly ReadResult[];
  readonly applied: readonly AppliedCommand[];
  /**
   * Storage reads to perform (storage-reads.ts), each after this Ready's write is issued (a
   * store runs them in order with its writes): `decisions` with `Storage.readDecisions(from,
   * max, maxBytes)`, answered by `decisionsRead(id, ...)`; `accepted` with
   * `Storage.readAccepted(from, to)`, answered by `acceptedRead(id, ...)`; with [] if the read
   * failed. A read lost in a crash is never answered: the peer that wanted it asks again.
   */
  readonly fetches: readonly StorageRead[];
}

export class RawNode {
  readonly id: PeerId;
  readonly opts: ProtocolOptions;
  private readonly ctx: NodeContext;
  // The parts (see above).
  private readonly acceptor: Acceptor;
  private readonly leader: Leader;
  readonly replica: Replica;
  private client!: ClientSession; // from load(): its incarnation is this run's
  private readonly router: Router;
  private readonly reads: ReadIndex;
  private readonly catchup: Catchup;
  private readonly handover: Handover;
  private readonly stores: StoreGuard;
  private readonly removal: Removal;
  private readonly formers: FormerMembers;
  /** This turn's messages and state, numbered writes, and what waits for them. */
  private readonly writes: WriteTracker;
  private readonly persist = new PersistBuilder();

  private now = 0;
  /** This run's incarnation (the store's, raised at every start). */
  private incarnation = 0;
  /** Commands applied this turn, for `ready().applied`. */
  private applied: AppliedCommand[] = [];
  /** Whether `ready().applied` lists applied commands (the runtime turns it on for subscribers). */
  reportApplied = true;
  /** Messages to this peer itself are being stepped (drainSelf is not reentrant). */
  private draining = false;
  /**
   * Per write in flight: every decision below `upTo` is applied and in it or an earlier one, as
   * are the acceptor's first `accepts` pvalues.
   */
  private readonly appliedWrites: { id: number; upTo: Slot; accepts: number }[] = [];
  private readonly storageReads = new StorageReads();
  /** load() is done: what the replica learns from now on, it learns in this run. */
  private loaded = false;

  constructor(private readonly cfg: RawNodeConfig) {
    this.id = cfg.id;
    this.opts = validateOptions(cfg.options);
    this.writes = new WriteTracker(this.persist, cfg.id, this.opts.heartbeatIntervalMs);
    const bugs = cfg.bugs ?? new Set<BugName>();
    const trace = cfg.trace;
    this.ctx = {
      id: cfg.id,
      opts: this.opts,
      persist: this.persist,
      rules: { ...RULES, ...cfg.rules },
      now: () => this.now,
      random: cfg.random,
      send: (to, msg) => this.writes.send(to, msg, false),
      sendAfterPersist: (to, msg) => this.writes.send(to, msg, !bugs.has('send-before-persist')),
      read: (r) => this.storageReads.ask(r),
      bug: (name) => bugs.has(name),
      incarnation: () => this.incarnation,
      trace: trace === undefined ? () => {} : trace,
    };
    // One view of how late heartbeats run on this machine, for the leader's election timeout
    // and the acceptor's stickiness alike (heartbeat-gaps.ts).
    const gaps = new HeartbeatGaps(this.opts);
    this.acceptor = new Acceptor(this.ctx, gaps);
    this.replica = new Replica(this.ctx, cfg.stateMachine);
    // The leader reads the replica beside it; a value its commanders got chosen is learned
    // here (onChosen).
    this.leader = new Leader(this.ctx, this.replica, gaps);
    this.catchup = new Catchup(this.ctx, this.replica);
    this.router = new Router(this.ctx, this.replica, this.leader);
    this.handover = new Handover(this.ctx);
    // Reads read the replica and the leader; the rounds they take are sent at a turn's end.
    this.reads = new ReadIndex(this.ctx, this.replica, this.leader);
    this.stores = new StoreGuard(this.ctx);
    this.removal = new Removal(this.ctx);
    this.formers = new FormerMembers(cfg.id);
  }

  /**
   * Load the durable state (once, before anything else). `now` is the driver's clock: a peer
   * that (re)starts waits a full election timeout from then before it runs for leader.
   */
  load(state: PersistentState, now = 0): void {
    this.now = now;
    this.incarnation = state.incarnation + 1;
    this.client = new ClientSession(
      this.ctx,
      clientIncarnation(this.incarnation, this.ctx.random()),
    );
    this.persist.setIncarnation(this.incarnation);
    this.stores.load(state);
    this.acceptor.restore(state.promises, state.accepted, state.watermark);
    if (state.snapshot !== null) {
      this.takeReplica(this.replica.install(state.snapshot, false));
      // Its configurations were learned too (install reports none): a peer restarted from a
      // snapshot taken just before its removal governed was a member of one, so it is removed.
      for (const c of this.replica.configs.all()) this.removal.configAdded(c);
      this.formersOfInstall([]);
      for (const d of state.decisions)
        this.takeReplica(this.replica.onDecision(d.slot, d.value, 'storage'));
    }
    // Loaded from storage: durable.
    this.replica.durableSlotOut = this.replica.slotOut;
    this.leader.sync();
    this.catchup.heardLeader();
    this.updateRemoved();
    this.loaded = true;
    // Removed in the log as loaded (after every configuration in it, so not for a removal it was
    // added back after): the run that learned it may have stopped before a remaining replica
    // confirmed. So ask again (handover.ts), unless the driver says a run confirmed it
    // (confirmedHandover).
    if (this.removal.removed) this.beginHandover();
  }

  // ---------------------------------------------------------------- inputs

  /** A message arrived from `from`. Messages from unknown peers are the transport's concern. */
  step(from: PeerId, msg: Message): void {
    this.dispatch(from, msg);
    this.drainSelf();
  }

  /**
   * The driver's clock reads `now` (milliseconds; it never goes backwards). Nothing due is done
   * here: the driver calls this before `step`, `propose` and `read`, so that what they record
   * (when a leader was last heard, when a request left) is exact however rarely `tick` runs.
   */
  observeTime(now: number): void {
    if (now > this.now) this.now = now;
  }

  /** Time passed: do what is due by `now` (heartbeats, retransmissions, elections, catch-up). */
  tick(now: number): void {
    this.observeTime(now);
    // No ballot before this run's incarnation is durable: it makes this run's ballots unique.
    // None at all from a store found rolled back (its incarnation may have gone back too).
    if (this.writes.incarnationDurable && this.stores.amnesia === undefined) this.leader.tick();
    this.catchup.tick();
    this.handover.tick(this.replica.slotOut);
    this.client.tick();
    if (this.reads.size > 0) this.reads.tick(this.router.leaderTarget());
    this.drainSelf();
  }

  /**
   * The earliest time at which `tick` has something to do (Infinity: nothing until an input
   * arrives). A driver arms one timer for it instead of ticking at a fixed rate; ticking earlier
   * is harmless, later delays what is due (a heartbeat, an election, a retransmission).
   */
  nextDeadline(): number {
    let at = Math.min(
      this.catchup.nextDeadline(),
      this.client.nextDeadline(),
      this.handover.nextDeadline(),
      this.writes.nextDeadline(),
    );
    if (this.writes.incarnationDurable && this.stores.amnesia === undefined)
      at = Math.min(at, this.leader.nextDeadline());
    if (this.reads.size > 0) at = Math.min(at, this.reads.nextDeadline());
    return at;
  }

  /**
   * The driver is about to stop (not crash): decisions held for the next write (write-tracker,
   * holdDecisions) go into the next Ready's write instead, as there will be no next write.
   */
  stopping(): void {
    this.writes.stopHoldingDecisions();
  }

  /** Propose an app command; returns its seq, which `ready().results` reports on. */
  propose(op: Uint8Array): number {
    // Here, not later: a bad op threw inside the next ready(), turn after turn.
    checkCommand(op);
    return this.client.proposeApp(op);
  }

  /**
   * Propose a membership change. Throws InvalidMembershipError or ReconfigPendingError at once
   * when the change cannot work; the log refuses it again, deterministically, if a concurrent
   * change wins.
   */
  proposeReconfig(membership: Membership): number {
    const latest = this.replica.configs.latest();
    if (latest === undefined)
      throw new InvalidMembershipError('this peer has no configuration yet');
    if (this.reconfigPending()) throw new ReconfigPendingError();
    const m = validateMembership(membership);
    if (sameMembership(m, latest))
      throw new InvalidMembershipError('the membership would not change');
    return this.client.proposeReconfig(latest.id, m);
  }

  /**
   * This peer removed itself: before it stops, some replica that stays must have applied every
   * slot below `start`, the first slot of the configuration without it (handover.ts).
   * `handedOver` turns true once one of `replicas` is heard to have. The node also begins it on
   * its own when its replica learns the removal (however it was proposed); once per removal.
   */
  handOver(start: Slot, replicas: readonly PeerId[]): void {
    this.handover.begin(start, replicas);
  }

  /**
   * The driver recorded, in an earlier run, that a hand-over through `through` was confirmed
   * (call after load, before the first tick): the one load began for a removal at or before it
   * is done without asking again.
   */
  confirmedHandover(through: Slot): void {
    this.handover.confirmedBefore(through);
  }

  /**
   * Peers removed from the log that this peer answers with its progress only, once no kept
   * configuration names them (former-members.ts), oldest removal first: the driver records them
   * (former-members-record.ts) and gives them to its transport beside the members.
   */
  get formerMembers(): PeerId[] {
    return this.formers.all();
  }

  /**
   * Former members an earlier run recorded (call after load, before the first step): the
   * configurations that removed them may be compacted away.
   */
  knownFormerMembers(ids: readonly PeerId[]): void {
    this.formers.add(ids);
  }

  /** False while a hand-over is pending (this peer should not stop yet). */
  get handedOver(): boolean {
    return this.handover.done;
  }

  /** This run's hand-over: every slot below `start` is handed over once `done`. */
  get handoverState(): { start: Slot; done: boolean } | null {
    return this.handover.state;
  }

  /**
   * Hand leadership over to `to`, another leader of the configuration of the next slot to assign
   * (a planned departure: writes then wait a round trip or two, not an election timeout).
   * Throws NotLeaderError when this peer does not lead it, InvalidMembershipError when `to` is
   * not another of its leaders. `status().activeLeader` says when `to` leads.
   */
  transferLeadership(to: PeerId): void {
    const cfg = this.replica.configs.at(this.replica.slotIn);
    if (cfg === undefined || !this.leader.canPropose(cfg.id)) {
      const leader = this.router.leaderTarget();
      throw new NotLeaderError(
        `this peer does not lead${leader === undefined ? '' : `; ${leader} does`}`,
      );
    }
    if (to === this.id || !cfg.leaders.includes(to))
      throw new InvalidMembershipError(`${to} is not another leader of configuration ${cfg.id}`);
    this.leader.transfer(cfg.id, to);
  }

  /**
   * Whom `transferLeadership` should hand over to, best first: other leaders of the configuration
   * of the next slot to assign, heard lately, the most caught up first (Leader.transferTargets).
   * Empty when this peer does not lead.
   */
  transferTargets(): PeerId[] {
    const cfg = this.replica.configs.at(this.replica.slotIn);
    return cfg === undefined ? [] : this.leader.transferTargets(cfg);
  }

  /** True when a decided membership change does not govern yet. */
  reconfigPending(): boolean {
    const latest = this.replica.configs.latest();
    return latest !== undefined && latest.start > this.replica.slotOut;
  }

  /**
   * Start a linearizable read: `ready().reads` reports `token` once every write that completed
   * before this call is applied here (read-index.ts), or that it failed for good (this peer was
   * removed). Until then it is retried; the driver cancels it at its deadline.
   */
  read(token: number): void {
    this.reads.read(token, this.removal.removed, this.router.leaderTarget());
  }

  /** Forget a read the driver gave up on. */
  cancelRead(token: number): void {
    this.reads.cancel(token);
  }

  // ---------------------------------------------------------------- outputs

  /**
   * What must happen now. With `canWrite` false (the driver has as many writes in flight as it
   * allows) the state to persist and the messages that depend on it stay here for a later
   * Ready; messages that may leave at once, and results, are handed out all the same.
   */
  ready(canWrite = true): Ready {
    this.flush();
    if (canWrite) {
      // Messages to this peer that waited for a write, when no write is due: deliver them now,
      // and take what they produce in this Ready.
      let msgs: Message[] | undefined;
      while ((msgs = this.writes.takeUnheldSelf()) !== undefined) {
        for (const m of msgs) this.dispatch(this.id, m);
        this.drainSelf();
        this.flush();
      }
    }
    const w = this.writes.take(canWrite, this.now, this.replica.pendingSnapshotSlot);
    if (w.persist !== null) {
      this.stores.number(w.persist, w.writeId);
      this.replica.pendingSnapshotSlot = undefined;
      // Every decision a slot below slotOut needs is recorded by now: in this write or an
      // earlier one (a decision is recorded when learned, before it is applied).
      this.appliedWrites.push({
        id: w.writeId,
        upTo: this.replica.slotOut,
        accepts: this.acceptor.acceptCount,
      });
    }
    const rd: Ready = {
      persist: w.persist,
      writeId: w.writeId,
      // Store stamps name the write durable now, or the write that these messages wait for.
      messages: this.stores.stampAll(w.messages),
      afterPersist: this.stores.stampAll(w.afterPersist, w.writeId),
      results: this.client.takeResults(),
      reads: this.reads.take(),
      applied: this.applied,
      fetches: this.storageReads.take(),
    };
    this.applied = [];
    return rd;
  }

  /**
   * Write `id` (and, writes being ordered, every earlier one) is durable: release what waited
   * for it (this peer's own votes, its incarnation, a snapshot's slot for the acceptor).
   */
  persisted(id: number): void {
    const released = this.writes.persisted(id);
    if (released === undefined) return;
    this.stores.persisted(id);
    for (const snap of released.snapshots) {
      this.replica.durableSnapshotSlot = Math.max(this.replica.durableSnapshotSlot, snap);
      // DESIGN.md §3 item 8: pvalues go only once this peer's replica durably holds their slots.
      this.acceptor.collect(snap + 1);
      const first = this.replica.configs.at(snap + 1);
      if (first !== undefined) this.acceptor.dropConfigsBelow(first.id);
    }
    let done: { upTo: Slot; accepts: number } | undefined;
    while (this.appliedWrites.length > 0 && this.appliedWrites[0]!.id <= id)
      done = this.appliedWrites.shift()!;
    if (done !== undefined) {
      // Applied and durable: the values may go (catch-up and P1b read them from storage).
      this.replica.durableSlotOut = Math.max(this.replica.durableSlotOut, done.upTo);
      this.replica.release(done.upTo);
      this.acceptor.release(done.upTo, done.accepts);
    }
    for (const m of released.self) this.dispatch(this.id, m);
    this.drainSelf();
  }

  /**
   * Storage read `id` (a Ready's `fetches`) returned `decisions` ([] if it failed): the peer it
   * was for gets its answer.
   */
  decisionsRead(id: number, decisions: readonly Decided[]): void {
    this.catchup.onRead(id, decisions);
  }

  /**
   * Storage read `id` (a Ready's `fetches`) returned the acceptor's `pvalues` ([] if it
   * failed): the P1b that waited for them leaves (not from a store found rolled back).
   */
  acceptedRead(id: number, pvalues: readonly PValue[]): void {
    if (this.stores.amnesia === undefined) this.acceptor.onRead(id, pvalues);
    this.drainSelf();
  }

  /** Every write handed out so far is durable (for drivers that write synchronously). */
  advance(): void {
    this.persisted(this.writes.lastIssued);
  }

  static isEmptyReady(rd: Ready): boolean {
    return (
      rd.persist === null &&
      rd.messages.length === 0 &&
      rd.afterPersist.length === 0 &&
      rd.results.length === 0 &&
      rd.reads.length === 0 &&
      rd.applied.length === 0 &&
      rd.fetches.length === 0
    );
  }

  // ---------------------------------------------------------------- internals

  private drainSelf(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let m = this.writes.nextSelf(); m !== undefined; m = this.writes.nextSelf()) {
        this.dispatch(this.id, m);
      }
    } finally {
      this.draining = false;
    }
  }

  private dispatch(from: PeerId, m: Message): void {
    // A round above MAX_ROUND, once heard, would leave this peer no round to run with in that
    // configuration for ever (ballot.ts): only a forged or corrupted message carries one.
    if (farRound(m)) {
      this.ctx.trace(`${this.id} drops a ${m.type} from ${from}: a round above ${MAX_ROUND}`);
      return;
    }
    // A rolled-back peer's votes and ballots are dropped; this peer, if found rolled back
    // itself, neither votes nor leads (store-guard.ts).
    const wasRolledBack = this.stores.amnesia !== undefined;
    if (!this.stores.admit(from, m)) {
      if (!wasRolledBack && this.stores.amnesia !== undefined) this.leader.stepDownAll();
      return;
    }
    const voting = this.stores.amnesia === undefined;
    this.handover.heard(from, m);
    switch (m.type) {
      case 'p1a':
        return voting ? this.acceptor.onP1a(from, m) : undefined;
      case 'p1b':
        this.catchup.noteAhead(from, m.watermark);
        return this.leader.onP1b(from, m);
      case 'p2a':
        return voting ? this.acceptor.onP2a(from, m) : undefined;
      case 'p2b':
        return this.onChosen(this.leader.onP2b(from, m));
      case 'decision':
        return this.onDecision(from, m);
      case 'request':
        return this.routed(this.router.onRequest(from, m));
      case 'heartbeat':
        if (voting) this.acceptor.onHeartbeat(from, m, this.replica.slotOut);
        this.leader.onHeartbeat(from, m);
        this.catchup.noteAhead(from, m.slotOut);
        this.catchup.heardLeader();
        return;
      case 'heartbeatAck':
        this.catchup.noteAhead(from, m.slotOut);
        this.leader.onHeartbeatAck(from, m);
        this.reads.settle();
        return;
      case 'transfer':
        // A peer that no longer votes or leads takes no part in a hand-over either.
        if (!voting) return;
        this.acceptor.onTransfer(from, m);
        this.leader.onTransfer(from, m);
        return;
      case 'readIndexReq':
        return this.reads.onRequest(from, m);
      case 'readIndexResp':
        return this.reads.onResponse(from, m);
      case 'catchupReq':
        // A peer that configurations removed, and that no kept configuration names, is no
        // member: it gets this peer's durable progress, nothing more (former-members.ts).
        return this.formers.isOutside(from, this.replica.configs)
          ? this.answerFormer(from, m)
          : this.catchup.onRequest(from, m);
      case 'catchupDecisions':
        return this.onCatchupDecisions(from, m);
      case 'snapshotChunk': {
        const snapshot = this.catchup.onSnapshotChunk(from, m);
        return snapshot === undefined ? undefined : this.installFrom(from, snapshot);
      }
      case 'rolledBack':
        return; // taken in by admit()
    }
  }

  /**
   * A former member's catch-up request (former-members.ts), answered as a catch-up answer
   * carries this replica's progress, its `durableSlotOut` (every slot below it applied and
   * durable here: what a removed peer's hand-over waits for), with no decisions and no snapshot.
   * It needs no write: it says only what is durable already. Where the asker is, catch-up hears
   * as from anyone (if it is ahead, it may be a member again). Its other messages are the
   * transport's to gate (it delivers only these from a former member): this replica's view of who is a former member may be behind,
   * as a peer removed in a configuration it knows may be a member again in one it has not
   * learned yet, whose ballots and decisions it needs (soak seed 96002035 of membership-churn
   * stalled for good when a replica dropped them: the P1a of both candidates of its new
   * configuration, of which it was one of two acceptors).
   */
  private answerFormer(from: PeerId, m: CatchupRequest): void {
    this.catchup.noteAhead(from, m.fromSlot);
    if (!this.replica.initialized) return;
    this.ctx.trace(`${this.id} tells former member ${from} its progress only`);
    this.ctx.send(from, {
      type: 'catchupDecisions',
      decisions: [],
      slotOut: this.replica.durableSlotOut,
    });
  }

  /** End of a turn: route this turn's client commands, assign slots, send read rounds. */
  private flush(): void {
    if (!this.removal.removed && this.replica.initialized) {
      const target = this.router.leaderTarget();
      if (this.router.leaderChanged(target)) {
        // A new leader (or the first one known): what we sent may have gone to the old one.
        if (target !== undefined) this.client.resend();
        this.reads.leaderChanged(target);
      }
      // Commands leave only once this incarnation is durable: reusing an incarnation after a
      // crash would make new commands look like duplicates of old ones.
      if (this.writes.incarnationDurable)
        this.routed(this.router.ownCommands(this.client.drain(), target));
      if (this.router.dropsQueued(target)) this.replica.requests = [];
      // PMMC: the replica proposes, the leader beside it runs phase 2 for each proposal.
      for (const p of this.replica.assign(this.leader)) this.leader.propose(p.slot, p.value);
      // The heartbeat rounds that this turn's reads took.
      this.leader.confirm(this.reads.takeRounds());
    }
    this.drainSelf();
    // Rounds the leader settled this turn (acknowledged, or it stepped down), and reads whose
    // index is applied now.
    this.reads.settle();
  }

  /** Carry out where the router sent client commands: queued for slots here, or forwarded. */
  private routed(r: Routed): void {
    if (r.kind === 'submit') this.replica.submit(r.cmds);
    else if (r.kind === 'forward') for (const m of r.requests) this.ctx.send(r.to, m);
  }

  /** A decision from another peer's leader. */
  private onDecision(from: PeerId, m: Decision): void {
    if (m.value !== undefined) {
      this.learn(m.slot, m.value, 'member');
      return;
    }
    if (m.ballot === undefined || this.replica.isDecided(m.slot)) return;
    const own = this.acceptor.accepted.get(m.slot);
    if (own !== undefined && ballotEquals(own.ballot, m.ballot)) {
      this.learn(m.slot, own.value, 'member');
    } else {
      // Chosen, but this peer does not hold the value (its pvalue was replaced by a higher
      // ballot's, or it never voted): it must not apply the slot without it. The sender has it.
      this.catchup.noteAhead(from, m.slot + 1);
    }
  }

  /**
   * A catch-up answer: the replica learns its decisions, then catch-up judges whether `from` had
   * what we lack. Not through `learn`, which records a decision as this acceptor's pvalue when
   * that holds the very same bytes object: decoded from the wire, a catch-up value never does,
   * but the simulator's peers share message objects, and there `learn` would change what most
   * runs write (641 of 660 fingerprinted runs).
   */
  private onCatchupDecisions(from: PeerId, m: CatchupDecisions): void {
    const before = this.replica.slotOut;
    for (const d of m.decisions) this.takeReplica(this.replica.onDecision(d.slot, d.value));
    this.catchup.onDecisions(from, m, this.replica.slotOut > before);
  }

  /** A snapshot a peer sent in full (catch-up): install it, then go on from that peer. */
  private installFrom(from: PeerId, snapshot: Snapshot): void {
    const before = this.replica.configs.all();
    try {
      this.takeReplica(this.replica.install(snapshot, true));
      this.formersOfInstall(before);
    } catch (err) {
      this.ctx.trace(`${this.id} rejects snapshot from ${from}: ${String(err)}`);
      this.catchup.refused(from);
      return;
    }
    this.catchup.installed(from);
  }

  /**
   * A snapshot replaced the configurations `before` (install reports no configAdded): whom
   * they named and the snapshot's do not was removed since, as is whom one of the snapshot's
   * configurations leaves out of the one before it (former-members.ts).
   */
  private formersOfInstall(before: readonly Configuration[]): void {
    const now = this.replica.configs.all();
    const named = new Set<PeerId>();
    for (const c of now) for (const p of membersOf(c)) named.add(p);
    const gone = new Set<PeerId>();
    for (const c of before) for (const p of membersOf(c)) if (!named.has(p)) gone.add(p);
    this.formers.add(gone);
    for (let i = 1; i < now.length; i++) this.formers.configAdded(now[i]!, now[i - 1]);
  }

  /**
   * A commander of this peer's leader got `pvalue` chosen (or nothing, when undefined), and
   * told the other replicas: the replica beside it learns it, then the leader takes the new
   * slotOut into account (a hand-over may go now).
   */
  private onChosen(pvalue: PValue | undefined): void {
    if (pvalue === undefined) return;
    this.learn(pvalue.slot, pvalue.value, 'self');
    this.leader.chosen(pvalue);
  }

  /** Record a decided slot; durable as this acceptor's pvalue when that is its value. */
  private learn(slot: Slot, value: Uint8Array, from: 'member' | 'self'): void {
    const own = this.acceptor.accepted.get(slot);
    this.takeReplica(
      this.replica.onDecision(slot, value, from, own?.value === value ? 'accepted' : 'value'),
    );
  }

  /**
   * Take what the replica reports (replica.ts, `ReplicaOutcome`) to the parts it concerns, slot
   * by slot: the replica applies the next slot only once the outcomes of the last are taken, so
   * every part sees the replica at the slot the outcome speaks of.
   */
  private takeReplica(outcomes: Iterable<readonly ReplicaOutcome[]>): void {
    for (const slot of outcomes) for (const o of slot) this.takeOutcome(o);
  }

  /** One outcome of the replica, to the part it concerns (replica.ts says why). */
  private takeOutcome(o: ReplicaOutcome): void {
    switch (o.kind) {
      case 'learned':
        return this.leader.forget(o.slot);
      case 'learnedThrough':
        return this.leader.forgetThrough(o.slot);
      case 'applied':
        return this.onApplied(o.command, o.outcome, o.slot);
      case 'reordered':
        if (this.client.isMine(o.command)) this.client.resend();
        return;
      case 'configAdded':
        this.removal.configAdded(o.config);
        this.formers.configAdded(o.config, this.replica.configs.byId(o.config.id - 1));
        return this.leader.sync();
      case 'performed':
        return this.cfg.onSlotApplied?.(o.slot, o.value);
      case 'installed':
        // Our commands inside the snapshot are answered from its client table.
        return this.client.settleFrom(o.entry);
      case 'progressed':
        return this.onProgress();
    }
  }

  private onApplied(c: Command, outcome: Outcome, slot: Slot): void {
    this.client.applied(c, outcome);
    if (!this.reportApplied) return;
    this.applied.push({
      slot,
      kind: c.kind,
      client: c.client,
      seq: c.seq,
      op: c.kind === 'app' ? c.op : new Uint8Array(0),
      outcome,
    });
  }

  private onProgress(): void {
    this.catchup.progressed();
    this.leader.sync();
    this.updateRemoved();
    this.reads.serve();
  }

  /**
   * This peer's replica moved (or loaded): is it still a member? Once it is not, its reads fail,
   * and it hands over before its operator stops it (handover.ts): here when it learns so in this
   * run; at the end of load() when the log it loaded says so (not during the replay, which may
   * pass a removal the log later undid).
   */
  private updateRemoved(): void {
    if (!this.removal.update(this.replica.configs, this.replica.slotOut)) return;
    this.reads.failAll();
    if (this.loaded) this.beginHandover();
  }

  /** Hand over to the replicas of the configuration that governs here now (one without this peer). */
  private beginHandover(): void {
    const c = this.replica.configs.at(this.replica.slotOut);
    if (c !== undefined) this.handover.begin(c.start, c.replicas);
  }

  // ---------------------------------------------------------------- status

  get removed(): boolean {
    return this.removal.removed;
  }

  /**
   * The one sentence for this peer's user when peers found its storage rolled back (restored
   * from an older copy, or replaced): why, and what to do. Null otherwise.
   */
  get amnesia(): string | null {
    return amnesiaNotice(this.stores.amnesia);
  }

  get initialized(): boolean {
    return this.replica.initialized;
  }

  status(): NodeStatus {
    return nodeStatus({
      id: this.id,
      replica: this.replica,
      leader: this.leader,
      acceptor: this.acceptor,
      removed: this.removal.removed,
      activeLeader: this.router.leaderTarget(),
      pending: this.client?.pending.size ?? 0,
      catchup: this.catchup.progress(),
      reconfigPending: this.reconfigPending(),
      amnesia: this.amnesia,
    });
  }

  /** For tests and tools: the acceptor's state. */
  acceptorState(): Acceptor {
    return this.acceptor;
  }

  /** For tests and tools: the leader's state. */
  leaderState(): Leader {
    return this.leader;
  }
}

/** Whether `m` carries a ballot round above MAX_ROUND (its own, or the one a P2b answers). */
function farRound(m: Message): boolean {
  if ('ballot' in m && m.ballot !== undefined && m.ballot.round > MAX_ROUND) return true;
  return m.type === 'p2b' && m.proposal.round > MAX_ROUND;
}
