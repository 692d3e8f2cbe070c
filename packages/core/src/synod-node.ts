/**
 * The runtime: drives a RawNode against a Storage and a Transport, and gives an app its API.
 *
 *   const node = await startNode({ id, storage, transport, stateMachine });
 *   const result = await node.propose(bytes);
 *   const value = await node.read((sm) => sm.get('x'));
 *
 * One turn of the event loop is one Ready: every message, proposal and tick handled in the turn
 * lands in one storage write (group commit). The runtime sends what may leave at once, awaits
 * the write, and only then sends what depends on it and delivers results (persist before send,
 * DESIGN.md §2). While a write is in flight the next turn's inputs accumulate, which is what
 * makes batching grow with load.
 */
import type { BugName } from './bugs.js';
import { ByteReader } from './bytes.js';
import type { Membership } from './configuration.js';
import { membersOf } from './configuration.js';
import {
  CommandRejectedError,
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
import * as membership from './membership.js';
import type { Envelope, Message } from './messages.js';
import type { ProtocolOptions } from './options.js';
import { RawNode, newLogSnapshot, type NodeStatus, type Ready } from './raw-node.js';
import type { AppliedCommand } from './replica.js';
import type { StateMachine } from './state-machine.js';
import type { Storage } from './storage.js';
import type { PeerLinkStatus, Transport } from './transport.js';
import type { PeerId, Roles } from './types.js';

export interface NodeOptions<SM extends StateMachine = StateMachine> {
  /** This peer's id; must equal `transport.id`. */
  id: PeerId;
  storage: Storage;
  transport: Transport;
  stateMachine: SM;
  /** Protocol options (WINDOW, batching, timeouts...). */
  protocol?: Partial<ProtocolOptions>;
  /** How often time is passed to the protocol, in ms. Default 10. */
  tickIntervalMs?: number;
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
  /** Give up after this many ms (the operation may still take effect later). */
  timeoutMs?: number;
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
}

type Listener = (entry: AppliedCommand) => void;

/** A protocol message seen by the onMessage observer. */
export interface MessageEvent {
  readonly direction: 'in' | 'out';
  readonly peer: PeerId;
  readonly message: Message;
}

interface PendingCommand {
  resolve(result: Uint8Array): void;
  reject(err: Error): void;
  cleanup(): void;
}

interface PendingRead {
  run(): void;
  fail(err: Error): void;
  retryAt: number;
  deadline: number;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

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
  private readonly tickIntervalMs: number;
  private readonly defaultTimeout: number | undefined;
  private readonly onMessage: ((event: MessageEvent) => void) | undefined;

  private readonly commands = new Map<number, PendingCommand>();
  private readonly reads = new Map<number, PendingRead>();
  private nextReadToken = 1;
  private readonly listeners = new Set<Listener>();
  private readonly statusWatchers = new Set<() => void>();
  private statusKey = '';
  private readonly governWaiters: { start: number; resolve(): void; reject(e: Error): void }[] = [];
  private readonly stopWaiters: (() => void)[] = [];
  /** Waiting for a replica that stays to hold what this leaving peer must hand over. */
  private readonly handoverWaiters: { resolve(): void; reject(e: Error): void }[] = [];

  private scheduled = false;
  /** A turn is running (its write, or the app's reaction to its results). */
  private busy = false;
  private running = false;
  private failure: Error | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** The clock at the last tick given to the core. */
  private lastTick = 0;
  private members = '';
  private membersStamp = '';
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
    this.tickIntervalMs = opts.tickIntervalMs ?? 10;
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
    this.raw.load(state, this.clock());
    this.raw.tick(this.clock());
    this.updateMembers();
    await this.transport.start((from, messages) => this.onMessages(from, messages));
    this.running = true;
    this.ticker = setInterval(() => this.onTick(), this.tickIntervalMs);
    this.schedule();
  }

  // ---------------------------------------------------------------- app API

  /**
   * Propose a command; resolves with its result once it is decided and applied here. Rejects
   * with CommandRejectedError when the state machine refused it, TimeoutError, StoppedError.
   */
  propose(op: Uint8Array, options: OperationOptions = {}): Promise<Uint8Array> {
    const err = this.unavailable();
    if (err !== undefined) return Promise.reject(err);
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
        retryAt: 0,
        deadline: now + timeout,
      });
      this.raw.read(token);
      this.schedule();
    });
  }

  /** Call `listener` for every command applied here, in log order. Returns an unsubscribe. */
  subscribe(listener: Listener): () => void {
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
    };
  }

  /** Add a peer with the given roles; resolves once the new configuration governs. */
  addPeer(id: PeerId, roles?: Roles, options?: OperationOptions): Promise<void> {
    return this.changeMembership((m) => membership.addPeer(m, id, roles), options);
  }

  /**
   * Remove a peer; resolves once the configuration without it governs. A peer that removes
   * itself (to stop afterwards) resolves only once a replica that stays has applied every slot
   * before that configuration: the older configurations may need this peer to learn them again
   * (two members becoming one), so leaving earlier could strand the log (docs/protocol.md).
   */
  removePeer(id: PeerId, options?: OperationOptions): Promise<void> {
    return this.changeMembership((m) => membership.removePeer(m, id), options);
  }

  /** Replace `old` (e.g. a dead machine) by `next`, with the same roles. */
  replacePeer(old: PeerId, next: PeerId, options?: OperationOptions): Promise<void> {
    return this.changeMembership((m) => membership.replacePeer(m, old, next), options);
  }

  /** Change the roles of a member. */
  setRoles(id: PeerId, roles: Roles, options?: OperationOptions): Promise<void> {
    return this.changeMembership((m) => membership.setRoles(m, id, roles), options);
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
    const next = f(latest);
    const seq = this.raw.proposeReconfig(next);
    this.changing = true;
    try {
      const p = this.track(seq, options);
      this.schedule();
      let result: Uint8Array;
      try {
        result = await p;
      } catch (e) {
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
      await new Promise<void>((resolve, reject) => {
        this.governWaiters.push({ start, resolve, reject });
        this.checkGoverning();
      });
      if (!membersOf(next).includes(this.id)) {
        this.raw.handOver(start, next.replicas);
        this.schedule();
        await new Promise<void>((resolve, reject) => {
          this.handoverWaiters.push({ resolve, reject });
          this.checkHandover();
        });
      }
    } finally {
      this.changing = false;
    }
  }

  /** Stop: pending operations fail with StoppedError; storage and transport are closed. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    // Let an in-flight write finish, so nothing half-sent remains.
    if (this.busy) await new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    this.failAll(new StoppedError());
    await this.transport.stop();
    await this.storage.close();
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
    return new Promise<Uint8Array>((resolve, reject) => {
      const timeout = options.timeoutMs ?? this.defaultTimeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        cleanup();
        reject(new StoppedError('operation aborted'));
      };
      const cleanup = () => {
        this.commands.delete(seq);
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`not decided within ${timeout} ms (it may still take effect)`));
        }, timeout);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.commands.set(seq, { resolve, reject, cleanup });
    });
  }

  private onMessages(from: PeerId, messages: readonly Message[]): void {
    if (!this.running || this.failure !== undefined) return;
    // The core reads time only from ticks. After the process slept (a laptop's lid, a stopped
    // process, a long GC) its sockets may be read before its timer fires, and the core would
    // stamp what the messages teach it with the time it fell asleep: a catch-up source found
    // lacking a slot was then forgiven at once and asked again (simulator seed 200035500 of
    // profile mixed). So the clock moves on first when a tick is overdue.
    if (this.clock() - this.lastTick >= this.tickIntervalMs) this.onTick();
    const observe = this.onMessage;
    for (const m of messages) {
      if (observe !== undefined) observe({ direction: 'in', peer: from, message: m });
      this.raw.step(from, m);
    }
    this.schedule();
  }

  private onTick(): void {
    if (!this.running || this.failure !== undefined) return;
    const now = this.clock();
    this.lastTick = now;
    this.raw.tick(now);
    for (const [token, r] of this.reads) {
      if (now >= r.deadline) {
        r.fail(
          this.raw.status().activeLeader === null
            ? new NotLeaderError('no active leader is known: the read could not be confirmed')
            : new TimeoutError('no leader confirmed the read in time'),
        );
      } else if (r.retryAt !== 0 && now >= r.retryAt) {
        r.retryAt = 0;
        this.raw.read(token);
      }
    }
    // Links come and go between turns.
    this.noteStatus();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    defer(() => {
      this.scheduled = false;
      void this.turn();
    });
  }

  private async turn(): Promise<void> {
    if (this.busy || this.failure !== undefined) return;
    this.busy = true;
    let again = false;
    try {
      again = await this.runTurn();
    } finally {
      this.busy = false;
      for (const w of this.stopWaiters.splice(0)) w();
    }
    if (again) this.schedule();
  }

  /** One turn of the loop; returns whether another may be due. */
  private async runTurn(): Promise<boolean> {
    // Results first: they rest on chosen decisions only (docs/protocol.md, "Results before the
    // decision is durable here"). The app's reaction to them, often its next proposal, then
    // joins this turn's write: one fsync carries a decision and the next command's pvalue.
    if (this.deliver(this.raw.takeResults())) {
      await new Promise<void>((resolve) => defer(resolve));
      if (!this.running || this.failure !== undefined) return false;
    }
    const rd = this.raw.ready();
    if (RawNode.isEmptyReady(rd)) {
      this.raw.advance();
      this.checkHandover();
      return false;
    }
    this.sendAll(rd.messages);
    this.deliver(rd);
    if (rd.persist !== null) {
      try {
        await this.storage.write(rd.persist);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return false;
      }
      if (!this.running) return false;
    }
    this.sendAll(rd.afterPersist);
    this.raw.advance();
    this.updateMembers();
    this.checkGoverning();
    this.checkHandover();
    if (this.raw.removed && this.commands.size > 0) this.failAll(new RemovedError());
    // Peers drop what a rolled-back peer proposes: its pending operations fail, saying why.
    const amnesia = this.raw.amnesia;
    if (amnesia !== null && this.commands.size + this.reads.size > 0)
      this.failAll(new StoreRolledBackError(amnesia));
    this.noteStatus();
    return true;
  }

  private sendAll(envelopes: readonly Envelope[]): void {
    if (envelopes.length === 0) return;
    // One frame per peer per turn.
    const byPeer = new Map<PeerId, Message[]>();
    for (const e of envelopes) {
      let list = byPeer.get(e.to);
      if (list === undefined) byPeer.set(e.to, (list = []));
      list.push(e.msg);
    }
    const observe = this.onMessage;
    for (const [to, msgs] of byPeer) {
      if (observe !== undefined)
        for (const m of msgs) observe({ direction: 'out', peer: to, message: m });
      this.transport.send(to, msgs);
    }
  }

  /** Hand results, reads and applied commands to the app; returns whether there were any. */
  private deliver(rd: Pick<Ready, 'results' | 'reads' | 'applied'>): boolean {
    if (rd.results.length === 0 && rd.reads.length === 0 && rd.applied.length === 0) return false;
    for (const r of rd.results) {
      const p = this.commands.get(r.seq);
      if (p === undefined) continue;
      p.cleanup();
      if (r.outcome.ok) p.resolve(r.outcome.result);
      else p.reject(new CommandRejectedError(r.outcome.code, r.outcome.message));
    }
    for (const r of rd.reads) {
      const p = this.reads.get(r.token);
      if (p === undefined) continue;
      if (r.ok) p.run();
      else if (this.raw.removed) p.fail(new RemovedError());
      // No leader confirmed it yet (an election may be running): try again shortly.
      else p.retryAt = this.clock() + 20;
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

  private checkGoverning(): void {
    if (this.governWaiters.length === 0) return;
    const slotOut = this.raw.replica.slotOut;
    for (let i = this.governWaiters.length - 1; i >= 0; i--) {
      const w = this.governWaiters[i]!;
      if (slotOut >= w.start) {
        this.governWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private checkHandover(): void {
    if (this.handoverWaiters.length === 0 || !this.raw.handedOver) return;
    for (const w of this.handoverWaiters.splice(0)) w.resolve();
  }

  /** Tell the transport who may talk to us: every member of every configuration still kept. */
  private updateMembers(): void {
    const configs = this.raw.replica.configs.all();
    if (configs.length === 0) return;
    // Only when the configuration history changed (its first and last ids identify it).
    const stamp = `${configs[0]!.id}-${configs[configs.length - 1]!.id}`;
    if (stamp === this.membersStamp) return;
    this.membersStamp = stamp;
    const ids = new Set<PeerId>();
    for (const c of configs) for (const p of membersOf(c)) ids.add(p);
    const key = [...ids].sort().join(',');
    if (key === this.members) return;
    this.members = key;
    this.transport.setMembers([...ids]);
  }

  private fail(err: Error): void {
    this.failure = err;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.failAll(new StorageFailedError(`storage write failed: ${err.message}`, { cause: err }));
    for (const w of this.stopWaiters.splice(0)) w();
    this.noteStatus();
  }

  private failAll(err: Error): void {
    for (const p of [...this.commands.values()]) {
      p.cleanup();
      p.reject(err);
    }
    for (const r of [...this.reads.values()]) r.fail(err);
    for (const w of this.governWaiters.splice(0)) w.reject(err);
    // A leaving peer is removed while it hands over: that is no reason to stop waiting.
    if (!(err instanceof RemovedError))
      for (const w of this.handoverWaiters.splice(0)) w.reject(err);
  }

  /** @internal For tests: the RawNode inside. */
  get rawNode(): RawNode {
    return this.raw;
  }
}
