/**
 * The runtime: drives a RawNode against a Storage and a Transport, and gives an app its API.
 *
 *   const node = await startNode({ id, storage, transport, stateMachine });
 *   const result = await node.propose(bytes);
 *   const value = await node.read((sm) => sm.get('x'));
 *
 * One turn of the event loop is one Ready: every message, proposal and tick handled since the
 * last turn lands in one storage write (group commit). The runtime sends what may leave at once,
 * delivers results (they rest on chosen slots only), and starts the write without waiting for
 * it: turns go on while earlier writes are in flight (etcd-raft's asynchronous storage writes),
 * up to `maxWritesInFlight`, beyond which inputs accumulate into the next write. What depends on
 * a write (P1b, P2b, acks, this peer's own vote) leaves only once that write, and so every
 * earlier one, is durable (persist before send, DESIGN.md §2; write-pipeline.ts).
 */
import type { BugName } from './bugs.js';
import { ByteReader } from './bytes.js';
import {
  checkCommand,
  checkFunction,
  checkInitLog,
  checkNodeOptions,
  checkOperationOptions,
  checkPeerId,
  checkReadOptions,
  checkRoles,
  MAX_TIMER_MS,
  timerMs,
} from './check-args.js';
import type { Membership } from './configuration.js';
import { membersOf } from './configuration.js';
import {
  CommandRejectedError,
  HandoverPendingError,
  InvalidArgumentError,
  InvalidMembershipError,
  NotLeaderError,
  ReconfigPendingError,
  RemovedError,
  StorageFailedError,
  StoreRolledBackError,
  StoppedError,
  SynodError,
  TimeoutError,
} from './errors.js';
import { readFormerMembers, recordFormerMembers } from './former-members-record.js';
import { readHandedOver, recordHandedOver } from './handover-record.js';
import * as membership from './membership.js';
import type { Envelope, Message } from './messages.js';
import type { ProtocolOptions } from './options.js';
import { RawNode, type Ready } from './raw-node.js';
import { newLogSnapshot } from './snapshot.js';
import type { NodeStatus } from './status.js';
import { SeqMap } from './seq-map.js';
import { TokenMap } from './token-map.js';
import type { AppliedCommand } from './replica.js';
import type { StateMachine } from './state-machine.js';
import type { Storage, WriteHint } from './storage.js';
import type { StorageRead } from './storage-reads.js';
import type { PeerLinkStatus, Transport } from './transport.js';
import type { PeerId, Roles, Slot } from './types.js';
import { WritePipeline } from './write-pipeline.js';

export interface NodeOptions<SM extends StateMachine = StateMachine> {
  /** This peer's id; must equal `transport.id`. */
  id: PeerId;
  storage: Storage;
  transport: Transport;
  stateMachine: SM;
  /** Protocol options (WINDOW, batching, timeouts...). */
  protocol?: Partial<ProtocolOptions>;
  /**
   * The most storage writes in flight at once (default 2: one being made durable while the
   * next is queued). Beyond it, a turn still sends what may leave at once and delivers results,
   * and its state joins the next write.
   */
  maxWritesInFlight?: number;
  /** Default timeout of propose() and read(), in ms; undefined waits as long as it takes. */
  operationTimeoutMs?: number;
  /** Election jitter source; default Math.random. */
  random?: () => number;
  /** The clock in ms; default performance.now-based. */
  clock?: () => number;
  /** Called with protocol trace lines (for debugging). */
  trace?: (line: string) => void;
  /**
   * Called with every protocol message this peer sends or receives (for protocol views and
   * debugging; keep it cheap, it runs on the hot path).
   */
  onMessage?: (event: MessageEvent) => void;
  /** Test-only: switch on known bugs. */
  bugs?: ReadonlySet<BugName>;
}

export interface OperationOptions {
  /**
   * Give up after this many ms (the operation may still take effect later): a number >= 0;
   * Infinity (or more than 2^31 - 1 ms) waits as long as it takes. A membership change counts
   * every wait of the call: its decision, then the new configuration governing here, then (a
   * peer removing itself) the hand-over.
   */
  timeoutMs?: number;
  /** Stop waiting when it aborts; one aborted already refuses the call, which does nothing. */
  signal?: AbortSignal;
}

export interface ReadOptions extends OperationOptions {
  /** Read this replica's state as it is now: fast, possibly stale (not linearizable). */
  local?: boolean;
}

/** The node's status, with the transport's view of each peer. */
export interface SynodStatus extends NodeStatus {
  readonly links: PeerLinkStatus[];
  /** Set once the node has failed (e.g. its storage), with the reason. */
  readonly failure: string | null;
  /**
   * Set once this peer removed itself in this run (`removePeer(self)`), or learned in this run
   * that another member removed it: `start` is the first slot of the configuration without it,
   * and `done` turns true once a replica that stays confirmed it holds every slot before `start`
   * durably (then this peer may stop).
   */
  readonly handover: { readonly start: Slot; readonly done: boolean } | null;
}

type Listener = (entry: AppliedCommand) => void;

/** A protocol message seen by the onMessage observer. */
export interface MessageEvent {
  readonly direction: 'in' | 'out';
  readonly peer: PeerId;
  readonly message: Message;
}

/** A proposal waiting for its result: no timer and no closure of its own unless it asked for one. */
interface PendingCommand {
  resolve(result: Uint8Array): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Waiter {
  done(): boolean;
  resolve(): void;
  reject(e: Error): void;
}

interface PendingRead {
  run(): void;
  fail(err: Error): void;
  deadline: number;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Why a call is refused before it does anything: bad arguments (`check` throws
 * InvalidArgumentError) or an aborted signal. As a rejection, as the API's other errors are.
 */
function refused(check: () => void, options?: OperationOptions): Promise<never> | undefined {
  try {
    check();
  } catch (e) {
    return Promise.reject(asError(e));
  }
  if (options?.signal?.aborted === true) {
    return Promise.reject(new StoppedError('operation aborted'));
  }
  return undefined;
}

const AWAITED: WriteHint = { awaited: true };

const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

/**
 * Create a new log in an empty store, with this peer as its only member (configuration 0).
 * Refuses a store that already holds a log.
 */
export async function initLog(
  storage: Storage,
  id: PeerId,
  stateMachine: StateMachine,
  /** Options of the new log: its WINDOW is fixed here for the life of the log. */
  protocol: Partial<ProtocolOptions> = {},
): Promise<void> {
  checkInitLog(storage, id, stateMachine, protocol);
  const state = await storage.load();
  if (state.snapshot !== null || state.decisions.length > 0) {
    throw new SynodError('already-initialized', 'this store already holds a log');
  }
  await storage.write({ snapshot: newLogSnapshot(id, stateMachine, protocol) });
}

/** Load the peer's state from storage, start its transport and run it. */
export async function startNode<SM extends StateMachine>(
  opts: NodeOptions<SM>,
): Promise<SynodNode<SM>> {
  checkNodeOptions(opts);
  if (opts.transport.id !== opts.id) {
    throw new SynodError(
      'invalid-config',
      `transport id ${opts.transport.id} differs from node id ${opts.id}`,
    );
  }
  const node = new SynodNode(opts);
  await node.start();
  return node;
}

export class SynodNode<SM extends StateMachine = StateMachine> {
  readonly id: PeerId;
  readonly stateMachine: SM;
  private readonly raw: RawNode;
  private readonly storage: Storage;
  private readonly transport: Transport;
  private readonly clock: () => number;
  private readonly defaultTimeout: number | undefined;
  private readonly onMessage: ((event: MessageEvent) => void) | undefined;

  /** By seq (a SeqMap, not a Map: see seq-map.ts). */
  private readonly commands = new SeqMap<PendingCommand>();
  // Not a Map: token-map.ts.
  private readonly reads = new TokenMap<PendingRead>();
  private nextReadToken = 1;
  private readonly listeners = new Set<Listener>();
  private readonly statusWatchers = new Set<() => void>();
  private statusKey = '';
  /** Callers waiting until the node's state satisfies a condition (checked after each turn). */
  private readonly waiters: Waiter[] = [];
  private readonly stopWaiters: (() => void)[] = [];
  /** Waiting for a replica that stays to hold what this leaving peer must hand over. */
  private readonly handoverWaiters: Waiter[] = [];
  /**
   * This peer's own removal, once decided (by its own call, or learned here): the hand-over
   * begins when this replica reaches `start`, and goes on until done or stopped, whether or not
   * a caller still waits for it.
   */
  private leaving:
    { start: Slot; replicas: readonly PeerId[]; begun: boolean; done: boolean } | undefined;
  /** The `start` of the last hand-over confirmed, as recorded in the store (handover-record.ts). */
  private handedOverThrough = 0;
  private scheduled = false;
  /** Decisions received with a P2a, stepped a macrotask after the turn that takes the P2a. */
  private laterDecisions: { from: PeerId; m: Message }[] = [];
  /** Decisions that leave with the next turn's messages to their peer (sendAll). */
  private heldDecisions = new Map<PeerId, Message[]>();
  private readonly pipeline: WritePipeline;
  private running = false;
  /** The stop under way or done, once stop() was called on a running node. */
  private stopping: Promise<void> | undefined;
  private failure: Error | undefined;
  /** The one timer: armed for the protocol's next deadline (or a read's), never a polling tick. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private members = '';
  private membersStamp = '';
  /** The former members as last recorded in the store and given to the transport. */
  private formers = '';
  private changing = false;

  constructor(opts: NodeOptions<SM>) {
    this.id = opts.id;
    this.stateMachine = opts.stateMachine;
    this.storage = opts.storage;
    this.transport = opts.transport;
    const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
    this.clock =
      opts.clock ??
      (typeof performance !== 'undefined' ? () => performance.now() - t0 : () => Date.now() - t0);
    this.pipeline = new WritePipeline(opts.maxWritesInFlight ?? 2);
    this.defaultTimeout = opts.operationTimeoutMs;
    this.onMessage = opts.onMessage;
    this.raw = new RawNode({
      id: opts.id,
      stateMachine: opts.stateMachine,
      options: opts.protocol ?? {},
      random: opts.random ?? Math.random,
      ...(opts.bugs !== undefined ? { bugs: opts.bugs } : {}),
      ...(opts.trace !== undefined ? { trace: opts.trace } : {}),
    });
    this.raw.reportApplied = false;
  }

  /** @internal Use startNode(). */
  async start(): Promise<void> {
    const state = await this.storage.load();
    this.handedOverThrough = (await readHandedOver(this.storage)) ?? 0;
    const formers = await readFormerMembers(this.storage);
    this.raw.load(state, this.clock());
    // Whom configurations removed, as earlier runs saw: compaction may have dropped those.
    this.raw.knownFormerMembers(formers);
    this.formers = formers.join(',');
    // A removed peer begins its hand-over again at load, unless a run saw it confirmed.
    this.raw.confirmedHandover(this.handedOverThrough);
    this.raw.tick(this.clock());
    // So that awaitHandover() waits for it from the start.
    this.checkHandover();
    this.updateMembers();
    await this.transport.start((from, messages) => this.onMessages(from, messages));
    this.running = true;
    this.schedule();
  }

  // ---------------------------------------------------------------- app API

  /**
   * Propose a command; resolves with its result once it is decided and applied here. Rejects
   * with CommandRejectedError when the state machine refused it, TimeoutError, StoppedError;
   * with InvalidArgumentError, proposing nothing, for a command that is no Uint8Array or bad
   * options.
   */
  propose(op: Uint8Array, options: OperationOptions = {}): Promise<Uint8Array> {
    // Inline, not refused(): no closure per command.
    try {
      checkCommand(op);
      checkOperationOptions(options);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    if (options.signal?.aborted === true) {
      return Promise.reject(new StoppedError('operation aborted'));
    }
    const err = this.unavailable();
    if (err !== undefined) return Promise.reject(err);
    this.raw.observeTime(this.clock());
    const seq = this.raw.propose(op);
    const p = this.track(seq, options);
    this.schedule();
    return p;
  }

  /**
   * Read the state machine. By default linearizable: it reflects every write that completed
   * before the call, confirmed by the active leader with a majority, without a log write. With
   * `{ local: true }` it reads this replica's state at once (possibly stale).
   */
  read<T>(query: (sm: SM) => T, options: ReadOptions = {}): Promise<T> {
    const bad = refused(() => {
      checkFunction(query, 'query');
      checkReadOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    const err = this.unavailable();
    if (err !== undefined) return Promise.reject(err);
    if (options.local === true) {
      try {
        return Promise.resolve(query(this.stateMachine));
      } catch (e) {
        return Promise.reject(asError(e));
      }
    }
    return new Promise<T>((resolve, reject) => {
      const token = this.nextReadToken++;
      const timeout = options.timeoutMs ?? this.defaultTimeout ?? 10_000;
      const now = this.clock();
      const onAbort = () => settle(new StoppedError('read aborted'));
      const settle = (e?: Error) => {
        this.reads.delete(token);
        this.raw.cancelRead(token);
        options.signal?.removeEventListener('abort', onAbort);
        if (e !== undefined) {
          reject(e);
          return;
        }
        try {
          resolve(query(this.stateMachine));
        } catch (qe) {
          reject(asError(qe));
        }
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.reads.set(token, {
        run: () => settle(),
        fail: (e) => settle(e),
        deadline: now + timeout,
      });
      this.raw.observeTime(now);
      this.raw.read(token);
      this.schedule();
    });
  }

  /** Call `listener` for every command applied here, in log order. Returns an unsubscribe. */
  subscribe(listener: Listener): () => void {
    checkFunction(listener, 'listener');
    this.listeners.add(listener);
    this.raw.reportApplied = true;
    return () => {
      this.listeners.delete(listener);
      this.raw.reportApplied = this.listeners.size > 0;
    };
  }

  /**
   * Call `listener` when this peer's status changes in a way a UI shows: its leader, ballots,
   * slot_out, configuration, catch-up, pending commands, a link up or down, removal, failure.
   * At most once per turn or tick, with no argument: the listener reads status(). (A push, so
   * that apps need not poll status() to notice changes.) Returns an unsubscribe.
   */
  watchStatus(listener: () => void): () => void {
    checkFunction(listener, 'listener');
    this.statusWatchers.add(listener);
    return () => this.statusWatchers.delete(listener);
  }

  /** Tell the status watchers if what they show changed (a compact key, not the whole status). */
  private noteStatus(): void {
    if (this.statusWatchers.size === 0) return;
    const s = this.raw.status();
    const c = s.catchup;
    const peers = this.transport.peers();
    const links = peers
      .filter((l) => l.connected)
      .map((l) => l.peer)
      .join(',');
    const incompatible = peers
      .map((l) => l.incompatible ?? '')
      .filter((t) => t !== '')
      .join(',');
    const key = [
      s.initialized,
      s.removed,
      s.config?.id,
      s.activeLeader,
      s.leader.active,
      s.leader.ballot.round,
      s.leader.ballot.leader,
      s.acceptor.ballot.round,
      s.acceptor.ballot.leader,
      s.slotOut,
      s.pending,
      s.reconfigPending,
      c?.target,
      c?.snapshotBytes?.received,
      links,
      incompatible,
      this.failure?.message,
      this.running,
      this.leaving?.done,
    ].join('|');
    if (key === this.statusKey) return;
    this.statusKey = key;
    for (const l of this.statusWatchers) {
      try {
        l();
      } catch {
        // A watcher's failure is its own business.
      }
    }
  }

  status(): SynodStatus {
    return {
      ...this.raw.status(),
      links: this.transport.peers(),
      failure: this.failure === undefined ? null : this.failure.message,
      // RawNode's until this turn ends (it begins a hand-over on its own: checkHandover).
      handover:
        this.leaving === undefined
          ? this.raw.handoverState
          : { start: this.leaving.start, done: this.leaving.done },
    };
  }

  /** Add a peer with the given roles; resolves once the new configuration governs. */
  addPeer(id: PeerId, roles?: Roles, options?: OperationOptions): Promise<void> {
    const bad = refused(() => {
      this.checkNewPeer(id, 'id');
      if (roles !== undefined) checkRoles(roles);
      if (options !== undefined) checkOperationOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    return this.changeMembership((m) => membership.addPeer(m, id, roles), options);
  }

  /**
   * Remove a peer; resolves once the configuration without it governs. A peer that removes
   * itself (to stop afterwards) resolves only once a replica that stays holds every slot before
   * that configuration durably: the older configurations may need this peer to learn them again
   * (two members becoming one), so leaving earlier could strand the log (docs/protocol.md).
   * `timeoutMs` and `signal` bound the whole call. Once the removal is decided, they end it
   * with HandoverPendingError (a peer removing itself: it is no longer a member, but keep it
   * running until `status().handover.done`), or TimeoutError / StoppedError (another peer: the
   * removal is decided and governs once this replica reaches its start).
   */
  removePeer(id: PeerId, options?: OperationOptions): Promise<void> {
    const bad = refused(() => {
      // Any member can be removed, one added before ids were checked too: the core's rule only.
      checkPeerId(id, 'id');
      if (options !== undefined) checkOperationOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    return this.changeMembership((m) => membership.removePeer(m, id), options);
  }

  /** Replace `old` (e.g. a dead machine) by `next`, with the same roles. */
  replacePeer(old: PeerId, next: PeerId, options?: OperationOptions): Promise<void> {
    const bad = refused(() => {
      checkPeerId(old, 'old');
      this.checkNewPeer(next, 'next');
      if (options !== undefined) checkOperationOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    return this.changeMembership((m) => membership.replacePeer(m, old, next), options);
  }

  /** Change the roles of a member. */
  setRoles(id: PeerId, roles: Roles, options?: OperationOptions): Promise<void> {
    const bad = refused(() => {
      checkPeerId(id, 'id');
      checkRoles(roles);
      if (options !== undefined) checkOperationOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    return this.changeMembership((m) => membership.setRoles(m, id, roles), options);
  }

  /** A peer to put into the membership: an id by the core's rule that the transport can reach. */
  private checkNewPeer(id: PeerId, what: string): void {
    checkPeerId(id, what);
    if (this.transport.isPeerId !== undefined && !this.transport.isPeerId(id)) {
      throw new InvalidArgumentError(
        `${what} ${JSON.stringify(id)} is not a peer id the transport can reach`,
      );
    }
  }

  private async changeMembership(
    f: (m: Membership) => Membership,
    options: OperationOptions = {},
  ): Promise<void> {
    const err = this.unavailable();
    if (err !== undefined) throw err;
    // One change at a time (PMMC §2.1 allows more, but each must name the configuration it
    // replaces; two in flight would refuse each other).
    if (this.changing)
      throw new ReconfigPendingError('a membership change from this peer is still pending');
    const latest = this.raw.status().config;
    if (latest === null) throw new InvalidMembershipError('this peer has no configuration yet');
    this.raw.observeTime(this.clock());
    const next = f(latest);
    const seq = this.raw.proposeReconfig(next);
    this.changing = true;
    // One deadline for the whole call: the decision, then the waits after it.
    const timeout = options.timeoutMs ?? this.defaultTimeout;
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    try {
      const p = this.track(seq, options);
      this.schedule();
      let result: Uint8Array;
      try {
        result = await p;
      } catch (e) {
        // Timed out or aborted: a removal of this peer may still be decided, and then its
        // RawNode begins the hand-over, which checkHandover follows.
        // Another peer's change won the race: the log refused ours, the same way everywhere.
        if (
          e instanceof CommandRejectedError &&
          (e.code === 'reconfig-conflict' || e.code === 'reconfig-pending')
        ) {
          throw new ReconfigPendingError(`another membership change won: ${e.message}`);
        }
        throw e;
      }
      const r = new ByteReader(result);
      r.uint();
      const start = r.uint();
      const rest = {
        ...(deadline !== undefined ? { timeoutMs: deadline - Date.now() } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      };
      if (!membersOf(next).includes(this.id)) {
        this.leaving = { start, replicas: next.replicas, begun: false, done: false };
        this.checkHandover();
        await this.awaitHandover(rest);
        return;
      }
      await this.waitUntil(
        this.waiters,
        () => this.raw.replica.slotOut >= start,
        rest,
        (reason) =>
          reason === 'timeout'
            ? new TimeoutError(
                `the change is decided but does not govern here yet: this replica has not reached its first slot, ${start}, within ${timeout} ms`,
              )
            : new StoppedError(
                `operation aborted; the change is decided and governs from slot ${start}`,
              ),
      );
    } finally {
      this.changing = false;
    }
  }

  /**
   * Wait for the hand-over of this peer's removal (`removePeer(self)`, or by another member,
   * learned in this run): resolves once a replica that stays confirmed it holds every slot before the configuration without this peer
   * (`status().handover.done`), at once if there is none in this run. `timeoutMs` and `signal`
   * end the wait with HandoverPendingError; the hand-over itself goes on until the node stops.
   */
  awaitHandover(options: OperationOptions = {}): Promise<void> {
    const bad = refused(() => checkOperationOptions(options));
    if (bad !== undefined) return bad;
    const l = this.leaving;
    if (l === undefined || l.done) return Promise.resolve();
    if (this.failure !== undefined || !this.running) {
      return Promise.reject(this.unavailable() ?? new StoppedError());
    }
    return this.waitUntil(
      this.handoverWaiters,
      () => l.done,
      options,
      (reason) => new HandoverPendingError(l.start, reason),
    );
  }

  /**
   * Wait (in `list`, checked after each turn) until `done()`; the options' time or signal end
   * the wait with `ended(reason)`. Nothing is undone: what is waited for may still happen.
   */
  private waitUntil(
    list: Waiter[],
    done: () => boolean,
    options: OperationOptions,
    ended: (reason: 'timeout' | 'aborted') => Error,
  ): Promise<void> {
    if (done()) return Promise.resolve();
    const signal = options.signal;
    return new Promise<void>((resolve, reject) => {
      const giveUp = (e: Error) => {
        const i = list.indexOf(w);
        if (i >= 0) list.splice(i, 1);
        w.reject(e);
      };
      const onAbort = () => giveUp(ended('aborted'));
      // None for Infinity or past setTimeout's range (it would fire at once).
      const delay = timerMs(options.timeoutMs);
      const timer =
        delay === undefined
          ? undefined
          : setTimeout(() => giveUp(ended('timeout')), Math.max(0, delay));
      const settled = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const w: Waiter = {
        done,
        resolve: () => {
          settled();
          resolve();
        },
        reject: (e) => {
          settled();
          reject(e);
        },
      };
      list.push(w);
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Hand leadership over to `peer`, another leader of the current configuration (etcd's and
   * hashicorp/raft's leadership transfer): a peer about to quit or sleep calls it so that writes
   * never wait an election timeout for a planned departure. This peer stops assigning slots,
   * lets those in flight finish, and tells `peer` to run at once. Resolves once `peer` leads;
   * rejects with NotLeaderError when this peer does not lead, InvalidMembershipError for a peer
   * that cannot lead, TimeoutError (default: operationTimeoutMs, else 10 s), StoppedError when
   * `signal` aborts the wait (the transfer goes on; one aborted before the call refuses it, and
   * nothing is transferred).
   */
  async transferLeadership(peer: PeerId, options: OperationOptions = {}): Promise<void> {
    const bad = refused(() => {
      checkPeerId(peer, 'peer');
      checkOperationOptions(options);
    }, options);
    if (bad !== undefined) return bad;
    const err = this.unavailable();
    if (err !== undefined) throw err;
    this.raw.observeTime(this.clock());
    this.raw.transferLeadership(peer);
    this.schedule();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeout ?? 10_000;
    // Stop waiting when it ends (the transfer itself goes on: this peer has stopped assigning
    // slots).
    await this.waitUntil(
      this.waiters,
      () => {
        const s = this.raw.status();
        return s.activeLeader === peer && !s.leader.active;
      },
      { ...options, timeoutMs },
      (reason) =>
        reason === 'timeout'
          ? new TimeoutError(`${peer} did not take over within ${timeoutMs} ms`)
          : new StoppedError('transfer aborted'),
    );
  }

  /**
   * The peers `transferLeadership` should hand over to, best first (RawNode.transferTargets):
   * other leaders of the current configuration heard from within an election timeout, the most
   * caught up first. Empty when this peer does not lead, or no other leader answered lately.
   */
  transferTargets(): PeerId[] {
    this.raw.observeTime(this.clock());
    return this.raw.transferTargets();
  }

  /** The protocol options this node runs with (defaults filled in). */
  get protocol(): Readonly<ProtocolOptions> {
    return this.raw.opts;
  }

  /**
   * Stop: pending operations fail with StoppedError; storage and transport are closed. Every
   * call resolves only once they are: a second call made while the first is under way waits for
   * it (had it resolved at once, a restart on the same file would find it still locked).
   */
  stop(): Promise<void> {
    if (this.stopping === undefined && this.running) this.stopping = this.stopOnce();
    return this.stopping ?? Promise.resolve();
  }

  private async stopOnce(): Promise<void> {
    this.running = false;
    this.disarm();
    // A caller waiting for the hand-over is told at once, and why it matters.
    const l = this.leaving;
    if (l !== undefined && !l.done) {
      const e = new StoppedError(
        `stopped before a remaining replica confirmed that it holds every slot before ${l.start} (the removal of this peer is decided)`,
      );
      for (const w of this.handoverWaiters.splice(0)) w.reject(e);
    }
    // Decisions held for a turn that will not run now: the transport is still up.
    this.sendHeld();
    // Let the writes in flight finish, so the store is closed after its last write.
    if (this.pipeline.size > 0 && this.failure === undefined)
      await new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    await this.writeRest();
    this.failAll(new StoppedError());
    await this.transport.stop();
    await this.storage.close();
  }

  /**
   * The last write of a stop: what no write has taken yet, decisions held for the next write
   * above all. A stop is not a crash: a peer stopped just after it learned its own removal
   * came back not removed, and with no hand-over to resume (6 of 6 runs in process), because
   * the decisions of the removal waited for a write that never came. Its messages are not sent
   * (the node has stopped; dropping a message is always safe), nor its results delivered (the
   * pending operations fail with StoppedError next). A failed write changes nothing of that.
   */
  private async writeRest(): Promise<void> {
    if (this.failure !== undefined) return;
    this.raw.stopping();
    const rd = this.raw.ready(true);
    if (rd.persist === null) return;
    await this.storage.write(rd.persist).catch(() => undefined);
  }

  // ---------------------------------------------------------------- the loop

  private unavailable(): Error | undefined {
    if (this.failure !== undefined) {
      return new StorageFailedError(`the node failed: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
    if (!this.running) return new StoppedError();
    if (this.raw.removed) return new RemovedError();
    const amnesia = this.raw.amnesia;
    if (amnesia !== null) return new StoreRolledBackError(amnesia);
    return undefined;
  }

  private track(seq: number, options: OperationOptions): Promise<Uint8Array> {
    let pending!: PendingCommand;
    const promise = new Promise<Uint8Array>((resolve, reject) => {
      pending = { resolve, reject, timer: undefined, signal: undefined, onAbort: undefined };
    });
    this.commands.set(seq, pending);
    const timeout = timerMs(options.timeoutMs ?? this.defaultTimeout);
    if (timeout !== undefined) {
      pending.timer = setTimeout(
        () =>
          this.settle(
            seq,
            new TimeoutError(`not decided within ${timeout} ms (it may still take effect)`),
          ),
        timeout,
      );
    }
    const signal = options.signal;
    if (signal !== undefined) {
      pending.signal = signal;
      pending.onAbort = () => this.settle(seq, new StoppedError('operation aborted'));
      signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    return promise;
  }

  /** Resolve (a result) or reject (an error) the proposal `seq`, once. */
  private settle(seq: number, outcome: Uint8Array | Error): void {
    const p = this.commands.get(seq);
    if (p === undefined) return;
    this.commands.delete(seq);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (p.onAbort !== undefined) p.signal!.removeEventListener('abort', p.onAbort);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onMessages(from: PeerId, messages: readonly Message[]): void {
    if (!this.running || this.failure !== undefined) return;
    // The clock first: after the process slept (a laptop's lid, a stopped process, a long GC)
    // its sockets may be read before its timer fires, and the core would stamp what the
    // messages teach it with the time it fell asleep (simulator seed 200035500 of profile mixed:
    // a catch-up source found lacking a slot was forgiven at once and asked again).
    this.raw.observeTime(this.clock());
    const observe = this.onMessage;
    // Decisions that share a frame with a P2a wait until its write has started (see
    // stepLaterDecisions); so do the later ones, to keep decisions in the order they came.
    const later = this.laterDecisions.length > 0 || messages.some((m) => m.type === 'p2a');
    for (const m of messages) {
      if (observe !== undefined) observe({ direction: 'in', peer: from, message: m });
      if (later && m.type === 'decision') this.laterDecisions.push({ from, m });
      else this.raw.step(from, m);
    }
    this.schedule();
  }

  /**
   * A follower gets decision s with P2a s+1 in one frame (sendAll holds decisions for that).
   * Stepped in the order they came, the decision applies slot s's batch first: at C=256, 256
   * commands of the app's apply and the client table (150 µs) before this peer's accept of s+1
   * is written and its P2b leaves, on the round trip that every command of s+1 waits for (issue
   * 13). Stepped after the turn that starts that write (a macrotask later: the commit and the
   * P2b go in the microtasks after that turn), they apply while the disk syncs or after the P2b
   * left. Stepping a decision late is safe, as the network may delay it: it is chosen already,
   * it is made durable with the next write, and an acceptor's vote on another slot does not
   * depend on its replica.
   */
  private stepLaterDecisions(): void {
    if (this.laterDecisions.length === 0) return;
    const decisions = this.laterDecisions;
    this.laterDecisions = [];
    if (!this.running || this.failure !== undefined) return;
    this.raw.observeTime(this.clock());
    for (const { from, m } of decisions) this.raw.step(from, m);
    this.schedule();
  }

  /** The timer fired: pass time to the protocol, and fail or retry reads that are due. */
  private onTick(): void {
    if (!this.running || this.failure !== undefined) return;
    const now = this.clock();
    if (this.raw.nextDeadline() > now && this.reads.size === 0) {
      // The deadline moved on since the timer was armed (a follower heard its leader).
      this.arm();
      return;
    }
    this.raw.tick(now);
    // The core retries a read until it is confirmed; the runtime only keeps its deadline.
    for (const r of this.reads.values()) {
      if (now >= r.deadline) {
        r.fail(
          this.raw.status().activeLeader === null
            ? new NotLeaderError('no active leader is known: the read could not be confirmed')
            : new TimeoutError('no leader confirmed the read in time'),
        );
      }
    }
    // Links come and go between turns.
    this.noteStatus();
    this.schedule();
  }

  /**
   * Arm the one timer for the next deadline: the protocol's, or a read's deadline. It is moved
   * whenever the deadline moves, later too: an idle follower's election deadline moves at every
   * heartbeat, and a timer left at the old one woke the peer every 300–600 ms for a tick with
   * nothing to do (each wake-up of an idle peer costs about what a message does: issue 13's idle
   * CPU). Moving a timer costs no wake-up.
   */
  private arm(): void {
    let at = this.raw.nextDeadline();
    if (this.reads.size > 0) {
      for (const r of this.reads.values()) at = Math.min(at, r.deadline);
    }
    if (at === this.timerAt) return;
    this.disarm();
    if (at === Infinity) return;
    this.timerAt = at;
    // +1: timers fire on the event loop's millisecond clock, which may run behind ours.
    // At most setTimeout's longest (a read's far deadline): a longer delay fires at once.
    const delay = Math.min(Math.max(0, Math.ceil(at - this.clock())) + 1, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      // Read the sockets first: after a stall (a busy machine, a long GC), heartbeats that
      // arrived meanwhile must count before this peer decides that its leader is gone. Timers
      // run before the event loop's poll phase; setImmediate runs after it.
      defer(() => this.onTick());
    }, delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    defer(() => {
      this.scheduled = false;
      this.turn();
    });
  }

  /** One turn of the loop: take a Ready, send, deliver, start its write. */
  private turn(): void {
    if (!this.running || this.failure !== undefined) return;
    if (this.laterDecisions.length > 0) defer(() => this.stepLaterDecisions());
    const rd = this.raw.ready(this.pipeline.canWrite);
    if (RawNode.isEmptyReady(rd)) {
      this.sendHeld();
      this.checkHandover();
      this.arm();
      return;
    }
    this.sendAll(rd.messages, true);
    const id = this.pipeline.accept(rd);
    if (id !== 0) {
      // Nothing else of ours is in flight: see WriteHint.
      const awaited = this.pipeline.size === 1;
      this.storage.write(rd.persist!, awaited ? AWAITED : undefined).then(
        () => this.written(id),
        (err: unknown) => this.fail(asError(err)),
      );
    }
    for (const f of rd.fetches) this.fetch(f);
    // In the turn that decided them: results rest on chosen slots, not on this turn's write
    // (docs/protocol.md, "Results before the decision is durable here").
    this.deliver(rd);
    this.updateMembers();
    this.checkWaiters();
    this.checkHandover();
    if (this.raw.removed && this.commands.size > 0) this.failAll(new RemovedError());
    // Peers drop what a rolled-back peer proposes: its pending operations fail, saying why.
    const amnesia = this.raw.amnesia;
    if (amnesia !== null && this.commands.size + this.reads.size > 0)
      this.failAll(new StoreRolledBackError(amnesia));
    this.noteStatus();
    this.arm();
  }

  /**
   * A storage read (Ready.fetches): its answer is stepped back in. One that fails answers []:
   * the peer that wanted it asks again (or elsewhere); the node does not fail for a read.
   */
  private fetch(f: StorageRead): void {
    const step = (answer: () => void) => {
      if (!this.running || this.failure !== undefined) return;
      answer();
      this.schedule();
    };
    if (f.kind === 'decisions') {
      this.storage.readDecisions(f.from, f.max, f.maxBytes).then(
        (d) => step(() => this.raw.decisionsRead(f.id, d)),
        () => step(() => this.raw.decisionsRead(f.id, [])),
      );
    } else {
      this.storage.readAccepted(f.from, f.to).then(
        (pvs) => step(() => this.raw.acceptedRead(f.id, pvs)),
        () => step(() => this.raw.acceptedRead(f.id, [])),
      );
    }
  }

  /** The store finished write `id`: release what waited for it, in write order. */
  private written(id: number): void {
    if (this.failure !== undefined) return;
    const { durable, envelopes } = this.pipeline.completed(id);
    if (durable === 0) return;
    if (this.running) {
      this.sendAll(envelopes);
      this.raw.persisted(durable);
      this.schedule();
    }
    if (this.pipeline.size === 0) for (const w of this.stopWaiters.splice(0)) w();
  }

  /**
   * Send, one frame per peer. With `holdDecisions`, a peer whose messages of this turn are all
   * decisions gets them with the next turn's messages instead (a turn is scheduled for it): at
   * one command in flight, decision s then leaves in one frame with P2a s+1, which the app's
   * next proposal makes in that turn, instead of a frame of its own now. So the result reaches
   * the app before the decisions are encrypted and written to the sockets (they would be, in
   * this turn's microtasks, ahead of the result's promise reactions), and each follower wakes
   * once per command instead of twice (its turn for the decision alone wrote nothing anyway:
   * a decision waits for the next write). Delaying a message is always safe (the network may);
   * a decision is held one turn at most, and whatever else goes to that peer takes it along,
   * in order.
   */
  private sendAll(envelopes: readonly Envelope[], holdDecisions = false): void {
    // A turn sends every decision held by an earlier one (with its own messages to that peer).
    const earlier = this.heldDecisions.size > 0 ? this.heldDecisions : undefined;
    if (holdDecisions && earlier !== undefined) this.heldDecisions = new Map();
    const byPeer = new Map<PeerId, Message[]>();
    for (const e of envelopes) {
      let list = byPeer.get(e.to);
      if (list === undefined) byPeer.set(e.to, (list = []));
      list.push(e.msg);
    }
    for (const [to, msgs] of byPeer) {
      const held = earlier?.get(to);
      if (held !== undefined) {
        earlier!.delete(to);
        this.sendTo(to, [...held, ...msgs]);
      } else if (holdDecisions && msgs.every((m) => m.type === 'decision')) {
        this.heldDecisions.set(to, msgs);
        this.schedule();
      } else {
        this.sendTo(to, msgs);
      }
    }
    if (holdDecisions && earlier !== undefined)
      for (const [to, msgs] of earlier) this.sendTo(to, msgs);
  }

  /** Send the decisions held for a turn that has nothing else for their peers. */
  private sendHeld(): void {
    if (this.heldDecisions.size === 0) return;
    for (const [to, msgs] of this.heldDecisions) this.sendTo(to, msgs);
    this.heldDecisions.clear();
  }

  private sendTo(to: PeerId, msgs: Message[]): void {
    const observe = this.onMessage;
    if (observe !== undefined)
      for (const m of msgs) observe({ direction: 'out', peer: to, message: m });
    this.transport.send(to, msgs);
  }

  /** Hand results, reads and applied commands to the app; returns whether there were any. */
  private deliver(rd: Pick<Ready, 'results' | 'reads' | 'applied'>): boolean {
    if (rd.results.length === 0 && rd.reads.length === 0 && rd.applied.length === 0) return false;
    for (const r of rd.results) {
      if (!this.commands.has(r.seq)) continue;
      this.settle(
        r.seq,
        r.outcome.ok
          ? r.outcome.result
          : new CommandRejectedError(r.outcome.code, r.outcome.message),
      );
    }
    for (const r of rd.reads) {
      const p = this.reads.get(r.token);
      if (p === undefined) continue;
      // A read fails in the core only for good: this peer was removed.
      if (r.ok) p.run();
      else p.fail(new RemovedError());
    }
    if (this.listeners.size > 0) {
      for (const entry of rd.applied) {
        for (const l of this.listeners) {
          try {
            l(entry);
          } catch {
            // A listener's failure is its own business; the log goes on.
          }
        }
      }
    }
    return true;
  }

  private checkWaiters(list: Waiter[] = this.waiters): void {
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i]!;
      if (w.done()) {
        list.splice(i, 1);
        w.resolve();
      }
    }
  }

  /**
   * This peer's own removal: begin the hand-over once this replica reaches the new
   * configuration's start (RawNode.handOver; its asks leave from the next tick), follow the one
   * RawNode begins when it learns a removal proposed elsewhere, and note when it is done. Runs
   * after every turn, so it goes on when no caller waits any more.
   */
  private checkHandover(): void {
    const r = this.raw.handoverState;
    if (r !== null && (this.leaving === undefined || r.start > this.leaving.start)) {
      // RawNode began it: this replica learned the removal of this peer, whoever proposed it
      // (another member; or this one, whose call stopped waiting before the decision).
      const l = (this.leaving ??= { start: r.start, replicas: [], begun: true, done: false });
      l.start = r.start;
      l.begun = true;
      l.done = false;
    }
    const l = this.leaving;
    if (l === undefined || l.done) return;
    if (!l.begun) {
      if (this.raw.replica.slotOut < l.start) return;
      this.raw.handOver(l.start, l.replicas);
      l.begun = true;
      this.schedule();
    }
    if (!this.raw.handedOver) return;
    l.done = true;
    if (l.start > this.handedOverThrough) {
      this.handedOverThrough = l.start;
      void recordHandedOver(this.storage, l.start);
    }
    this.checkWaiters(this.handoverWaiters);
    this.noteStatus();
  }

  /**
   * Tell the transport who may talk to us: every member of every configuration still kept, and
   * the former members, who may ask for our progress only (former-members.ts); record those.
   */
  private updateMembers(): void {
    const configs = this.raw.replica.configs.all();
    if (configs.length === 0) return;
    // Only when the configuration history changed (its first and last ids identify it): the
    // former members change only with it.
    const stamp = `${configs[0]!.id}-${configs[configs.length - 1]!.id}`;
    if (stamp === this.membersStamp) return;
    this.membersStamp = stamp;
    const ids = new Set<PeerId>();
    for (const c of configs) for (const p of membersOf(c)) ids.add(p);
    const formerList = this.raw.formerMembers;
    const formers = formerList.join(',');
    if (formers !== this.formers) {
      this.formers = formers;
      void recordFormerMembers(this.storage, formerList);
    }
    const key = `${[...ids].sort().join(',')};${[...formerList].sort().join(',')}`;
    if (key === this.members) return;
    this.members = key;
    this.transport.setMembers(
      [...ids],
      formerList.filter((p) => !ids.has(p)),
    );
  }

  private fail(err: Error): void {
    this.failure = err;
    this.disarm();
    this.failAll(new StorageFailedError(`storage write failed: ${err.message}`, { cause: err }));
    for (const w of this.stopWaiters.splice(0)) w();
    this.noteStatus();
  }

  private failAll(err: Error): void {
    for (const seq of [...this.commands.keys()]) this.settle(seq, err);
    for (const r of [...this.reads.values()]) r.fail(err);
    for (const w of this.waiters.splice(0)) w.reject(err);
    // A leaving peer is removed while it hands over: that is no reason to stop waiting.
    if (!(err instanceof RemovedError))
      for (const w of this.handoverWaiters.splice(0)) w.reject(err);
  }

  /** @internal For tests: the RawNode inside. */
  get rawNode(): RawNode {
    return this.raw;
  }
}
