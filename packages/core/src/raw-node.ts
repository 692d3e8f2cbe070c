/**
 * RawNode: one peer's protocol as a pure, deterministic state machine (DESIGN.md §2), in the
 * manner of etcd-io/raft's RawNode. It does no I/O, reads no clock and draws no random number
 * of its own. The driver (the Runtime, or the simulator) feeds it:
 *
 *   step(from, message)  a message arrived
 *   tick(now)            time passed
 *   propose(op) / read() a local client wants something
 *
 * and then takes `ready()`: the state to persist, the messages to send (some at once, some only
 * after the state is durable), the results to deliver. Once the batch is durable and the
 * messages handed to the transport, the driver calls `advance()`.
 *
 * Every peer runs all four modules (acceptor, leader, replica, and its own client); which of
 * them take part in a slot is decided by the configuration governing it.
 */
import { Acceptor } from './acceptor.js';
import { BOTTOM, type Ballot } from './ballot.js';
import type { BugName } from './bugs.js';
import { Catchup, type CatchupProgress } from './catchup.js';
import { ClientSession } from './client-session.js';
import { Handover } from './handover.js';
import { decodeBatch, encodeBatch, type Command, type Outcome } from './command.js';
import {
  membersOf,
  rolesOf,
  sameMembership,
  validateMembership,
  type Configuration,
  type Membership,
} from './configuration.js';
import type { NodeContext } from './context.js';
import { InvalidMembershipError, ReconfigPendingError } from './errors.js';
import { Leader } from './leader.js';
import type { Envelope, Message, Request } from './messages.js';
import { validateOptions, type ProtocolOptions } from './options.js';
import { PersistBuilder } from './persist-builder.js';
import { Replica, type AppliedCommand } from './replica.js';
import { RULES, type Rules } from './rules.js';
import { StoreGuard } from './store-guard.js';
import { encodeSnapshot } from './snapshot.js';
import type { StateMachine } from './state-machine.js';
import type { PersistentState, Snapshot, StorageBatch } from './storage.js';
import type { PeerId, Roles, Slot } from './types.js';

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

/** What became of one of this peer's own commands. */
export interface CommandResult {
  readonly seq: number;
  readonly outcome: Outcome;
}

/** A linearizable read that may now be served (ok) or that failed. */
export interface ReadResult {
  readonly token: number;
  readonly ok: boolean;
}

export interface Ready {
  /**
   * Make this durable (atomically) before anything in `afterPersist` is sent. `results`,
   * `reads` and `applied` may go to the app at once: they rest on chosen decisions only.
   */
  readonly persist: StorageBatch | null;
  /** Messages that may leave at once. */
  readonly messages: readonly Envelope[];
  /** Messages that may leave only once `persist` is durable. */
  readonly afterPersist: readonly Envelope[];
  readonly results: readonly CommandResult[];
  readonly reads: readonly ReadResult[];
  readonly applied: readonly AppliedCommand[];
}

export interface NodeStatus {
  readonly id: PeerId;
  /** False while a joining peer waits for its first snapshot. */
  readonly initialized: boolean;
  /** This peer is not in the newest configuration, which governs already. */
  readonly removed: boolean;
  /** The newest configuration (it may not govern yet: see `config.start` and `slotOut`). */
  readonly config: Configuration | null;
  /** This peer's roles in the newest configuration. */
  readonly roles: Roles;
  /** The active leader this peer knows of (itself included), or null. */
  readonly activeLeader: PeerId | null;
  readonly leader: {
    readonly active: boolean;
    readonly ballot: Ballot;
    readonly proposals: number;
  };
  readonly acceptor: {
    /** The ballot promised in the configuration governing slotOut. */
    readonly ballot: Ballot;
    readonly accepted: number;
    readonly watermark: Slot;
  };
  readonly slotIn: Slot;
  readonly slotOut: Slot;
  /** This peer's commands proposed and not yet decided. */
  readonly pending: number;
  /** Commands waiting here for a slot. */
  readonly queued: number;
  readonly snapshotSlot: Slot;
  /** Set while this peer is behind and catching up. */
  readonly catchup: CatchupProgress | null;
  /** True when a membership change is decided but does not govern yet. */
  readonly reconfigPending: boolean;
  /**
   * Set when peers found this peer's storage rolled back (restored from an older copy, or
   * replaced): one sentence for its user, saying why and what to do. It no longer votes or leads.
   */
  readonly amnesia: string | null;
}

type Confirmation =
  | { readonly kind: 'local'; readonly token: number; readonly index: Slot }
  | { readonly kind: 'remote'; readonly peer: PeerId; readonly id: number; readonly index: Slot };

type LocalRead =
  | { state: 'confirming' }
  | { state: 'remote'; to: PeerId; at: number }
  | { state: 'waiting'; index: Slot };

/** The random part of a client incarnation: `incarnation · SPAN + random` (below 2^53). */
const CLIENT_INCARNATION_SPAN = 2 ** 20;

/** How many times a Request may be forwarded between would-be leaders. */
const MAX_HOPS = 3;
/** The most commands a non-leader queues for slots; the origin resends what is dropped. */
const MAX_QUEUED = 200_000;

/** The snapshot a new log starts from: this peer alone in configuration 0, and the app's empty state. */
export function newLogSnapshot(
  id: PeerId,
  sm: StateMachine,
  options: Partial<ProtocolOptions> = {},
): Snapshot {
  // The WINDOW is fixed here, for the life of the log, and travels in every snapshot.
  const { window } = validateOptions(options);
  const configs: Configuration[] = [
    { id: 0, start: 1, replicas: [id], leaders: [id], acceptors: [id] },
  ];
  return {
    slot: 0,
    data: encodeSnapshot({ slot: 0, window, configs, clients: [], app: sm.snapshot() }),
  };
}

export class RawNode {
  readonly id: PeerId;
  readonly opts: ProtocolOptions;
  private readonly ctx: NodeContext;
  private readonly acceptor: Acceptor;
  private readonly leader: Leader;
  readonly replica: Replica;
  private readonly catchup: Catchup;
  private readonly handover: Handover;
  private readonly stores: StoreGuard;
  private client!: ClientSession;

  private now = 0;
  private readonly persist = new PersistBuilder();
  private outbox: Envelope[] = [];
  private outboxAfter: Envelope[] = [];
  private selfQueue: Message[] = [];
  private selfAfter: Message[] = [];
  private inflightSelf: Message[] = [];
  private results: CommandResult[] = [];
  private readResults: ReadResult[] = [];
  private applied: AppliedCommand[] = [];
  private inflightSnapshot: Slot | undefined;
  /** This run's incarnation (the store's, raised at every start). */
  private incarnation = 0;
  private incarnationDurable = false;
  private inflightIncarnation = false;
  private draining = false;

  private nextConfirmation = 1;
  private readonly confirmations = new Map<number, Confirmation>();
  private readonly reads = new Map<number, LocalRead>();
  private lastTarget: PeerId | undefined;
  private removedFlag = false;
  /** Whether `ready().applied` lists applied commands (the runtime turns it on for subscribers). */
  reportApplied = true;
  private wasMember = false;

  constructor(private readonly cfg: RawNodeConfig) {
    this.id = cfg.id;
    this.opts = validateOptions(cfg.options);
    const bugs = cfg.bugs ?? new Set<BugName>();
    const trace = cfg.trace;
    this.ctx = {
      id: cfg.id,
      opts: this.opts,
      persist: this.persist,
      rules: { ...RULES, ...cfg.rules },
      now: () => this.now,
      random: cfg.random,
      send: (to, msg) => this.send(to, msg, false),
      sendAfterPersist: (to, msg) => this.send(to, msg, !bugs.has('send-before-persist')),
      bug: (name) => bugs.has(name),
      incarnation: () => this.incarnation,
      trace: trace === undefined ? () => {} : trace,
    };
    this.acceptor = new Acceptor(this.ctx, () => this.replica.slotOut);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const node = this;
    this.leader = new Leader(this.ctx, {
      // Read through the replica: the history is replaced when a snapshot is installed.
      get configs() {
        return node.replica.configs;
      },
      slotOut: () => this.replica.slotOut,
      window: () => this.replica.window,
      snapshotSlot: () => this.replica.durableSnapshotSlot,
      isDecided: (slot) => this.replica.isDecided(slot),
      decided: (slot, value, config) => this.onDecided(slot, value, config),
      adopted: (watermark) => {
        if (watermark > this.replica.slotOut)
          this.ctx.trace(`${this.id} is behind the watermark ${watermark}`);
      },
      readsSettled: (tokens, ok) => this.readsSettled(tokens, ok),
    });
    this.replica = new Replica(this.ctx, cfg.stateMachine, this.leader, {
      applied: (c, outcome, slot) => this.onApplied(c, outcome, slot),
      reordered: (c) => {
        if (this.client.isMine(c)) this.client.resend();
      },
      configAdded: (c) => {
        if (membersOf(c).includes(this.id)) this.wasMember = true;
        this.leader.sync();
      },
      installed: () => this.settleFromClientTable(),
      progressed: () => this.onProgress(),
      ...(cfg.onSlotApplied !== undefined ? { performed: cfg.onSlotApplied } : {}),
    });
    this.catchup = new Catchup(this.ctx, this.replica);
    this.handover = new Handover(this.ctx, () => this.replica.slotOut);
    this.stores = new StoreGuard(this.ctx);
  }

  /**
   * Load the durable state (once, before anything else). `now` is the driver's clock: a peer
   * that (re)starts waits a full election timeout from then before it runs for leader.
   */
  load(state: PersistentState, now = 0): void {
    this.now = now;
    this.incarnation = state.incarnation + 1;
    // The client's incarnation carries a random low part: a store restored from an older copy
    // starts again from an incarnation it used before, and its new commands must not pass for
    // the old ones, nor old results for theirs (docs/protocol.md, "An acceptor with amnesia").
    // A later run's client incarnation is still above every earlier run's.
    const clientInc =
      this.incarnation * CLIENT_INCARNATION_SPAN +
      Math.floor(this.ctx.random() * CLIENT_INCARNATION_SPAN);
    this.client = new ClientSession(this.ctx, clientInc);
    this.persist.setIncarnation(this.incarnation);
    this.stores.load(state);
    this.acceptor.restore(state.promises, state.accepted, state.watermark);
    if (state.snapshot !== null) {
      this.replica.install(state.snapshot, false);
      for (const d of state.decisions) this.replica.onDecision(d.slot, d.value, 'storage');
    }
    this.leader.sync();
    this.catchup.heardLeader();
    this.updateRemoved();
  }

  // ---------------------------------------------------------------- inputs

  /** A message arrived from `from`. Messages from unknown peers are the transport's concern. */
  step(from: PeerId, msg: Message): void {
    this.dispatch(from, msg);
    this.drainSelf();
  }

  /** Time passed: `now` is the driver's clock in milliseconds; it never goes backwards. */
  tick(now: number): void {
    if (now > this.now) this.now = now;
    // No ballot before this run's incarnation is durable: it makes this run's ballots unique.
    // None at all from a store found rolled back (its incarnation may have gone back too).
    if (this.incarnationDurable && this.stores.amnesia === undefined) this.leader.tick();
    this.catchup.tick();
    this.handover.tick();
    this.client.tick();
    if (this.reads.size > 0) this.retryReads();
    this.drainSelf();
  }

  /** Propose an app command; returns its seq, which `ready().results` reports on. */
  propose(op: Uint8Array): number {
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
   * `handedOver` turns true once one of `replicas` is heard to have.
   */
  handOver(start: Slot, replicas: readonly PeerId[]): void {
    this.handover.begin(start, replicas);
  }

  get handedOver(): boolean {
    return this.handover.done;
  }

  /** True when a decided membership change does not govern yet. */
  reconfigPending(): boolean {
    const latest = this.replica.configs.latest();
    return latest !== undefined && latest.start > this.replica.slotOut;
  }

  /**
   * Start a linearizable read: `ready().reads` reports `token` once every write that completed
   * before this call is applied here (or that no leader could confirm it).
   */
  read(token: number): void {
    if (!this.replica.initialized || this.removedFlag) {
      this.readResults.push({ token, ok: false });
      return;
    }
    if (!this.routeRead(token)) this.readResults.push({ token, ok: false });
  }

  /** Confirm a read here if this peer leads, else ask the leader; false if no leader is known. */
  private routeRead(token: number): boolean {
    const id = this.nextConfirmation++;
    const index = this.readIndex();
    if (this.leader.confirmLeadership(id, index)) {
      this.confirmations.set(id, { kind: 'local', token, index });
      this.reads.set(token, { state: 'confirming' });
      return true;
    }
    const to = this.leaderTarget();
    if (to === undefined || to === this.id) return false;
    this.reads.set(token, { state: 'remote', to, at: this.now });
    this.send(to, { type: 'readIndexReq', id: token }, false);
    return true;
  }

  /**
   * The slot a linearizable read must wait for: every slot this peer has applied or knows to be
   * decided, and every slot its leader re-proposed when adopted. Suppose a write that completed
   * before the read lay above it: then the slot right above was chosen before the read began.
   * Not under our ballot: our own commanders decide those, so we would know. Not under a lower
   * one: our phase 1 would have shown its pvalue, and it would be at or below what we
   * re-proposed. So under a higher one, which the confirmation round in that slot's
   * configuration detects. (Slots we assigned afresh need not be waited for.)
   */
  private readIndex(): Slot {
    return Math.max(
      this.replica.slotOut - 1,
      this.replica.maxDecided,
      this.leader.adoptedThrough(),
    );
  }

  /** Ask again for read indexes whose answer may have been lost. */
  private retryReads(): void {
    for (const [token, r] of this.reads) {
      if (r.state === 'remote' && this.now - r.at >= this.opts.retransmitIntervalMs) {
        if (!this.routeRead(token)) r.at = this.now;
      }
    }
  }

  /** Forget a read the driver gave up on. */
  cancelRead(token: number): void {
    this.reads.delete(token);
  }

  // ---------------------------------------------------------------- outputs

  ready(): Ready {
    this.flush();
    const persist = this.persist.take();
    this.stores.number(persist);
    const rd: Ready = {
      persist,
      messages: this.stores.stampAll(this.outbox, false),
      afterPersist: this.stores.stampAll(this.outboxAfter, true),
      results: this.results,
      reads: this.readResults,
      applied: this.applied,
    };
    this.inflightIncarnation = rd.persist?.incarnation !== undefined;
    this.inflightSelf = this.selfAfter;
    this.inflightSnapshot = this.replica.pendingSnapshotSlot;
    this.replica.pendingSnapshotSlot = undefined;
    this.outbox = [];
    this.outboxAfter = [];
    this.selfAfter = [];
    this.results = [];
    this.readResults = [];
    this.applied = [];
    return rd;
  }

  /**
   * Take only the results, reads and applied commands produced so far (the next `ready()` will
   * not repeat them). They rest on chosen decisions, not on anything unwritten, so a driver may
   * hand them to the app before it takes the rest: the app's reaction (its next proposal) then
   * joins the same batch.
   */
  takeResults(): Pick<Ready, 'results' | 'reads' | 'applied'> {
    const out = { results: this.results, reads: this.readResults, applied: this.applied };
    this.results = [];
    this.readResults = [];
    this.applied = [];
    return out;
  }

  /** The last Ready's batch is durable and its messages were handed to the transport. */
  advance(): void {
    this.stores.advance();
    if (this.inflightIncarnation) {
      this.inflightIncarnation = false;
      this.incarnationDurable = true;
    }
    const snap = this.inflightSnapshot;
    if (snap !== undefined) {
      this.inflightSnapshot = undefined;
      this.replica.durableSnapshotSlot = Math.max(this.replica.durableSnapshotSlot, snap);
      // DESIGN.md §3 item 8: pvalues go only once this peer's replica durably holds their slots.
      this.acceptor.collect(snap + 1);
      const first = this.replica.configs.at(snap + 1);
      if (first !== undefined) this.acceptor.dropConfigsBelow(first.id);
    }
    const self = this.inflightSelf;
    this.inflightSelf = [];
    for (const m of self) this.dispatch(this.id, m);
    this.drainSelf();
  }

  static isEmptyReady(rd: Ready): boolean {
    return (
      rd.persist === null &&
      rd.messages.length === 0 &&
      rd.afterPersist.length === 0 &&
      rd.results.length === 0 &&
      rd.reads.length === 0 &&
      rd.applied.length === 0
    );
  }

  // ---------------------------------------------------------------- internals

  private send(to: PeerId, msg: Message, afterPersist: boolean): void {
    if (to === this.id) {
      (afterPersist ? this.selfAfter : this.selfQueue).push(msg);
    } else {
      (afterPersist ? this.outboxAfter : this.outbox).push({ to, msg });
    }
  }

  private drainSelf(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let m = this.selfQueue.shift(); m !== undefined; m = this.selfQueue.shift()) {
        this.dispatch(this.id, m);
      }
    } finally {
      this.draining = false;
    }
  }

  private dispatch(from: PeerId, m: Message): void {
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
        return this.leader.onP2b(from, m);
      case 'decision':
        return this.replica.onDecision(m.slot, m.value);
      case 'request':
        return this.onRequest(from, m);
      case 'heartbeat':
        if (voting) this.acceptor.onHeartbeat(from, m);
        this.leader.onHeartbeat(from, m);
        this.catchup.noteAhead(from, m.slotOut);
        this.catchup.heardLeader();
        return;
      case 'heartbeatAck':
        this.catchup.noteAhead(from, m.slotOut);
        return this.leader.onHeartbeatAck(from, m);
      case 'readIndexReq': {
        const id = this.nextConfirmation++;
        const index = this.readIndex();
        if (this.replica.initialized && this.leader.confirmLeadership(id, index)) {
          this.confirmations.set(id, { kind: 'remote', peer: from, id: m.id, index });
        } else {
          this.send(from, { type: 'readIndexResp', id: m.id, index: -1 }, false);
        }
        return;
      }
      case 'readIndexResp': {
        const r = this.reads.get(m.id);
        if (r?.state !== 'remote' || r.to !== from) return;
        if (m.index < 0) {
          this.reads.delete(m.id);
          this.readResults.push({ token: m.id, ok: false });
        } else {
          this.reads.set(m.id, { state: 'waiting', index: m.index });
          this.serveReads();
        }
        return;
      }
      case 'catchupReq':
        return this.catchup.onRequest(from, m);
      case 'catchupDecisions':
        return this.catchup.onDecisions(from, m);
      case 'snapshotChunk':
        return this.catchup.onSnapshotChunk(from, m);
      case 'rolledBack':
        return; // taken in by admit()
    }
  }

  private onRequest(from: PeerId, m: Request): void {
    let cmds: Command[];
    try {
      cmds = decodeBatch(m.commands);
    } catch (err) {
      this.ctx.trace(`${this.id} drops a malformed request from ${from}: ${String(err)}`);
      return;
    }
    if (this.canAssign()) {
      this.replica.submit(cmds);
      return;
    }
    const to = this.leaderTarget();
    if (to !== undefined && to !== this.id && to !== from && m.hops < MAX_HOPS) {
      this.send(to, { type: 'request', commands: m.commands, hops: m.hops + 1 }, false);
    } else if (this.replica.requests.length + cmds.length <= MAX_QUEUED) {
      // Perhaps this peer is about to lead; if not, the origin resends elsewhere.
      this.replica.submit(cmds);
    }
  }

  /** Whether the leader beside this replica can assign the next slot. */
  private canAssign(): boolean {
    const cfg = this.replica.configs.at(this.replica.slotIn);
    return cfg !== undefined && this.leader.isActive(cfg.id);
  }

  /**
   * The peer to send client commands to: the active leader of the configuration of the next
   * slot to assign, as far as this peer knows; else the newest configuration's.
   */
  private leaderTarget(): PeerId | undefined {
    const configs = this.replica.configs;
    const at = configs.at(this.replica.slotIn);
    if (at !== undefined) {
      const p = this.leader.activeLeaderOf(at.id);
      if (p !== undefined) return p;
    }
    const all = configs.all();
    for (let i = all.length - 1; i >= 0; i--) {
      const p = this.leader.activeLeaderOf(all[i]!.id);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  /** End of a turn: route this turn's client commands, assign slots, send read rounds. */
  private flush(): void {
    if (!this.removedFlag && this.replica.initialized) {
      const target = this.leaderTarget();
      if (target !== this.lastTarget) {
        // A new leader (or the first one known): what we sent may have gone to the old one.
        if (target !== undefined) this.client.resend();
        this.lastTarget = target;
      }
      if (this.incarnationDurable) {
        // Commands leave only once this incarnation is durable: reusing an incarnation after a
        // crash would make new commands look like duplicates of old ones.
        const cmds = this.client.drain();
        if (cmds.length > 0) {
          if (this.canAssign()) this.replica.submit(cmds);
          else if (target !== undefined && target !== this.id) this.sendRequest(target, cmds);
          // else: no leader known; they stay pending and go out once one is.
        }
      }
      if (
        this.replica.requests.length > 0 &&
        target !== undefined &&
        target !== this.id &&
        !this.canAssign()
      ) {
        // Another peer leads: what was queued here waiting for this peer to lead is dropped
        // (never forwarded again, which could make two peers bounce it between them); every
        // origin resends its own pending commands to the leader it knows.
        this.replica.requests = [];
      }
      this.replica.assign();
      this.leader.flush();
    }
    this.drainSelf();
    this.serveReads();
  }

  private sendRequest(to: PeerId, cmds: readonly Command[]): void {
    // Large queues go in several requests, so no message exceeds a batch.
    const max = this.opts.maxBatchCommands;
    for (let i = 0; i < cmds.length; i += max) {
      const part = cmds.slice(i, i + max);
      this.send(to, { type: 'request', commands: encodeBatch(part), hops: 0 }, false);
    }
  }

  private onDecided(slot: Slot, value: Uint8Array, config: Configuration): void {
    // Tell every replica of the slot's configuration and of the newest one.
    const to = new Set(membersOf(config));
    const latest = this.replica.configs.latest();
    if (latest !== undefined) for (const p of membersOf(latest)) to.add(p);
    to.delete(this.id);
    // At once, not after this turn's write: the slot is chosen, whatever this peer has written
    // (docs/protocol.md). A follower then gets decision s with P2a s+1 in one frame: one write.
    for (const p of to) this.ctx.send(p, { type: 'decision', slot, value });
    this.replica.onDecision(slot, value, 'self');
  }

  private onApplied(c: Command, outcome: Outcome, slot: Slot): void {
    if (this.client.isMine(c) && this.client.settled(c.seq))
      this.results.push({ seq: c.seq, outcome });
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

  /**
   * After a snapshot install, our commands that took effect inside it are answered from the
   * client table, which keeps the outcomes we have not acknowledged.
   */
  private settleFromClientTable(): void {
    if (this.client === undefined) return;
    const e = this.replica.clients.get(this.id);
    if (e === undefined || e.inc !== this.client.inc) return;
    for (const seq of [...this.client.pending.keys()]) {
      if (seq > e.seq) break;
      const outcome = e.outcomes.get(seq) ?? {
        ok: false as const,
        code: 'outcome-lost',
        message: 'the command took effect but its outcome was compacted away',
      };
      this.client.settled(seq);
      this.results.push({ seq, outcome });
    }
  }

  private onProgress(): void {
    this.leader.sync();
    this.updateRemoved();
    this.serveReads();
  }

  /**
   * A peer is removed once it has been a member and a configuration without it governs. This
   * is not final: a removed peer still learns (it may be behind, replaying its own history, or
   * be added again), and it is no longer removed when it learns of a configuration with it.
   * A removed peer takes no part in new configurations, since none names it.
   */
  private updateRemoved(): void {
    const configs = this.replica.configs;
    const latest = configs.latest();
    if (latest === undefined) return;
    // A member of the configuration governing slotOut, or of any later one, takes part: it may
    // have left in one configuration and come back in the next, learning both at once.
    const from = configs.at(this.replica.slotOut)?.id ?? latest.id;
    const member = configs.all().some((c) => c.id >= from && membersOf(c).includes(this.id));
    // A joining peer replays configurations from before it was added: it is not "removed"
    // until it has been a member and then a configuration without it governs.
    if (member) {
      this.wasMember = true;
      if (this.removedFlag)
        this.ctx.trace(`${this.id} is a member again (configuration ${latest.id})`);
      this.removedFlag = false;
    } else if (this.wasMember && !this.removedFlag) {
      this.removedFlag = true;
      this.ctx.trace(`${this.id} was removed (configuration ${latest.id})`);
      for (const token of this.reads.keys()) this.readResults.push({ token, ok: false });
      this.reads.clear();
    }
  }

  private readsSettled(ids: readonly number[], ok: boolean): void {
    for (const id of ids) {
      const c = this.confirmations.get(id);
      if (c === undefined) continue;
      this.confirmations.delete(id);
      if (c.kind === 'remote') {
        this.send(c.peer, { type: 'readIndexResp', id: c.id, index: ok ? c.index : -1 }, false);
      } else if (this.reads.has(c.token)) {
        if (ok) {
          this.reads.set(c.token, { state: 'waiting', index: c.index });
        } else {
          this.reads.delete(c.token);
          this.readResults.push({ token: c.token, ok: false });
        }
      }
    }
    this.serveReads();
  }

  private serveReads(): void {
    if (this.reads.size === 0) return;
    for (const [token, r] of this.reads) {
      if (r.state === 'waiting' && this.replica.slotOut > r.index) {
        this.reads.delete(token);
        this.readResults.push({ token, ok: true });
      }
    }
  }

  // ---------------------------------------------------------------- status

  get removed(): boolean {
    return this.removedFlag;
  }

  /**
   * The one sentence for this peer's user when peers found its storage rolled back (restored
   * from an older copy, or replaced): why, and what to do. Null otherwise.
   */
  get amnesia(): string | null {
    const why = this.stores.amnesia;
    if (why === undefined) return null;
    return `This peer's storage went back in time (${why}), so it no longer votes or leads under its id: remove it from the log on another member, then join again here with a new invite (nothing the log holds is lost).`;
  }

  get initialized(): boolean {
    return this.replica.initialized;
  }

  status(): NodeStatus {
    const latest = this.replica.configs.latest() ?? null;
    const governing = this.replica.configs.at(this.replica.slotOut);
    const leaders = this.leader.summary();
    const mine = leaders.find((l) => l.active) ?? leaders[leaders.length - 1];
    return {
      id: this.id,
      initialized: this.replica.initialized,
      removed: this.removedFlag,
      config: latest,
      roles:
        latest === null
          ? { replica: false, leader: false, acceptor: false }
          : rolesOf(latest, this.id),
      activeLeader: this.leaderTarget() ?? null,
      leader: {
        active: mine?.active ?? false,
        ballot: mine?.ballot ?? BOTTOM,
        proposals: leaders.reduce((n, l) => n + l.proposals, 0),
      },
      acceptor: {
        ballot: governing === undefined ? BOTTOM : this.acceptor.ballotFor(governing.id),
        accepted: this.acceptor.accepted.size,
        watermark: this.acceptor.watermark,
      },
      slotIn: this.replica.slotIn,
      slotOut: this.replica.slotOut,
      pending: this.client?.pending.size ?? 0,
      queued: this.replica.requests.length,
      snapshotSlot: this.replica.snapshot?.slot ?? 0,
      catchup: this.catchup.progress() ?? null,
      reconfigPending: this.reconfigPending(),
      amnesia: this.amnesia,
    };
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
