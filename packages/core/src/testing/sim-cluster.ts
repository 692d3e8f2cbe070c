/**
 * The deterministic cluster under the simulator and the scenario scripts (DESIGN.md §4).
 *
 * Every peer is a RawNode with a MemoryStorage. Time is virtual; everything that happens is an
 * event in one queue, ordered by (time, insertion), and every random choice comes from one
 * seeded Prng, so a run is a function of its seed. The cluster models:
 *  - a network that delays, drops, duplicates and reorders messages, and partitions peers
 *    (or, in manual mode, holds every message until a script delivers it);
 *  - storage whose writes take time (a simulated fsync on one disk: they complete in order, and
 *    a peer runs further turns while they are in flight, as the Runtime does); a crash loses
 *    every write not yet complete (or, for `crash(id, keep)`, all but the first `keep` of them);
 *  - crashes (all in-memory state lost), restarts from storage, and pauses (a sleeping laptop);
 *  - clients that propose key-value commands and linearizable reads, whose history is recorded.
 * It checks agreement at every applied slot; the simulator checks the rest.
 */
import type { BugName } from '../bugs.js';
import type { Membership } from '../configuration.js';
import type { StorageRead } from '../storage-reads.js';
import { MemoryStorage } from '../memory-storage.js';
import type { CatchupRequest, Message } from '../messages.js';
import { DEFAULT_OPTIONS, type ProtocolOptions } from '../options.js';
import { RawNode, type Ready } from '../raw-node.js';
import type { Snapshot, StorageBatch } from '../storage.js';
import type { PeerId } from '../types.js';
import { WritePipeline } from '../write-pipeline.js';
import { encodeSnapshot } from '../snapshot.js';
import { EventQueue } from './event-queue.js';
import { injectedRules } from './injected-bugs.js';
import { decodeKvResult, encodeKv, KvStateMachine } from './kv-state-machine.js';
import type { KvInput, Operation } from './linearizability.js';
import { Prng } from './prng.js';

export interface NetworkFaults {
  /** Delay of a message, uniform in [minDelayMs, maxDelayMs]. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice. */
  dupRate: number;
  /** Probability that a message takes the slow path (uniform up to maxDelayMs). */
  slowRate: number;
  /**
   * Probability that a message is late: delayed up to `lateMs` more, long enough to arrive after
   * its sender or receiver crashed and restarted (a heartbeat to a peer's previous run).
   */
  lateRate?: number;
  lateMs?: number;
}

export interface SimClusterOptions {
  seed: number;
  protocol?: Partial<ProtocolOptions>;
  bugs?: ReadonlySet<BugName>;
  network?: Partial<NetworkFaults>;
  /** Simulated fsync time, uniform in [min, max] ms. */
  fsyncMs?: [number, number];
  /** The most writes a peer has in flight (the Runtime's maxWritesInFlight); default 2. */
  maxWritesInFlight?: number;
  /** Hold every message until `deliver` (scenario scripts). */
  manual?: boolean;
  /**
   * Tick every peer at this fixed period instead of arming a timer at each node's next
   * deadline (the Runtime's way). Scenario scripts use it: their time moves in 10 ms ticks, and
   * which peer wins an election depends on it.
   */
  tickMs?: number;
  /** Keep protocol trace lines (the last `traceLimit`). */
  traceLimit?: number;
}

export interface InFlight {
  readonly id: number;
  readonly from: PeerId;
  readonly to: PeerId;
  readonly msg: Message;
}

export type SimOperation = Operation<KvInput, string>;

interface PendingOp {
  readonly op: { -readonly [K in keyof SimOperation]: SimOperation[K] };
}

export class SimPeer {
  node: RawNode | null = null;
  sm: KvStateMachine | null = null;
  /** Writes issued and not yet on disk, oldest first (the disk completes them in order). */
  writes: { readonly id: number; readonly batch: StorageBatch }[] = [];
  pipeline: WritePipeline;
  /** When the simulated disk finishes the last write queued on it. */
  diskFreeAt = 0;
  /** The peer's one timer, armed for its node's next deadline (as the Runtime's). */
  timerAt = Infinity;
  /** When its timer last fired. */
  tickedAt = -Infinity;
  /** Consecutive ticks after which a deadline was still due. */
  spins = 0;
  turnScheduled = false;
  paused = false;
  /** Its node says it was removed from the log. */
  removed = false;
  readonly commands = new Map<number, PendingOp>();
  readonly reads = new Map<number, PendingOp>();
  generation = 0;
  /** Crash at the next turn that has state to write, once its early messages have left. */
  crashBeforeWrite = false;

  constructor(
    readonly id: PeerId,
    readonly storage: MemoryStorage,
    maxWritesInFlight: number,
  ) {
    this.pipeline = new WritePipeline(maxWritesInFlight);
  }

  get up(): boolean {
    return this.node !== null;
  }

  /** A write is in flight: a crash now loses it. */
  get writing(): boolean {
    return this.writes.length > 0;
  }
}

export class SimCluster {
  now = 0;
  readonly prng: Prng;
  readonly peers = new Map<PeerId, SimPeer>();
  readonly history: SimOperation[] = [];
  readonly violations: string[] = [];
  readonly inFlight: InFlight[] = [];
  /** For every slot any replica applied: the value (agreement). */
  private readonly chosen = new Map<number, Uint8Array>();
  private readonly queue = new EventQueue();
  private readonly cut = new Set<string>();
  /** Messages of these types from one peer to another are lost (`from>to` -> types). */
  private readonly lossy = new Map<string, Set<Message['type']>>();
  net: NetworkFaults;
  private readonly fsync: [number, number];
  private readonly traceLines: string[] = [];
  private readonly tickMs: number | undefined;
  private tickerRunning = false;
  private readonly traceLimit: number;
  private nextMsgId = 1;
  private nextToken = 1;
  private nextValue = 1;
  messagesSent = 0;
  /** Hold every message until `deliver` (scenario scripts); can be switched at any time. */
  manual: boolean;
  commandsApplied = 0;

  constructor(readonly options: SimClusterOptions) {
    this.prng = new Prng(options.seed);
    this.net = {
      minDelayMs: 1,
      maxDelayMs: 10,
      dropRate: 0,
      dupRate: 0,
      slowRate: 1,
      ...options.network,
    };
    this.fsync = options.fsyncMs ?? [0.5, 3];
    this.traceLimit = options.traceLimit ?? 600;
    this.tickMs = options.tickMs;
    this.manual = options.manual ?? false;
  }

  // ------------------------------------------------------------------ tracing

  /** How many trace lines were ever written. */
  traceCount = 0;

  /** The lines written since `mark` (a former traceCount), as far as the buffer still holds them. */
  traceSince(mark: number): string[] {
    const n = Math.min(this.traceCount - mark, this.traceLines.length);
    return n <= 0 ? [] : this.traceLines.slice(this.traceLines.length - n);
  }

  trace(line: string): void {
    this.traceCount++;
    this.traceLines.push(`${this.now.toFixed(1).padStart(8)} ${line}`);
    if (this.traceLines.length > this.traceLimit)
      this.traceLines.splice(0, this.traceLines.length - this.traceLimit);
  }

  traceTail(): string[] {
    return [...this.traceLines];
  }

  violation(text: string): void {
    this.violations.push(`t=${this.now.toFixed(1)} ${text}`);
    this.trace(`VIOLATION ${text}`);
  }

  // ------------------------------------------------------------------ peers

  /** The snapshot every peer of a new log starts from (`members` all roles, configuration 0). */
  static initialSnapshot(membership: Membership, window = 8, skips = true): Snapshot {
    const sm = new KvStateMachine();
    return {
      slot: 0,
      data: encodeSnapshot({
        slot: 0,
        window,
        skips,
        configs: [{ id: 0, start: 1, ...membership }],
        clients: [],
        app: sm.snapshot(),
      }),
    };
  }

  /** Add a peer; with a snapshot it starts as a member of that log, without one it joins. */
  addPeer(id: PeerId, snapshot?: Snapshot): SimPeer {
    if (this.peers.has(id)) throw new Error(`peer ${id} exists`);
    const storage = new MemoryStorage();
    if (snapshot !== undefined) storage.applySync({ snapshot });
    const p = new SimPeer(id, storage, this.options.maxWritesInFlight ?? 2);
    this.peers.set(id, p);
    return p;
  }

  peer(id: PeerId): SimPeer {
    const p = this.peers.get(id);
    if (p === undefined) throw new Error(`no peer ${id}`);
    return p;
  }

  start(id: PeerId): void {
    const p = this.peer(id);
    if (p.node !== null) return;
    p.removed = false;
    p.paused = false;
    p.generation++;
    const sm = new KvStateMachine();
    sm.keepLog = false;
    const rng = this.prng.fork();
    const node = new RawNode({
      id,
      stateMachine: sm,
      options: this.options.protocol ?? {},
      random: () => rng.next(),
      ...(this.options.bugs !== undefined
        ? { bugs: this.options.bugs, rules: injectedRules(this.options.bugs) }
        : {}),
      trace: (line) => this.trace(line),
      onSlotApplied: (slot, value) => this.checkAgreement(id, slot, value),
    });
    p.node = node;
    p.sm = sm;
    p.writes = [];
    p.pipeline.clear();
    p.diskFreeAt = 0;
    p.timerAt = Infinity;
    node.load(p.storage.loadSync(), this.now);
    node.tick(this.now);
    this.trace(`${id} starts (incarnation ${p.storage.loadSync().incarnation + 1})`);
    this.scheduleTurn(p);
    if (this.tickMs !== undefined) this.ensureTicker(this.tickMs);
  }

  /** The fixed polling tick (`tickMs`): every live peer, in order, every period. */
  private ensureTicker(period: number): void {
    if (this.tickerRunning) return;
    this.tickerRunning = true;
    const tick = () => {
      for (const p of this.peers.values()) {
        if (p.node === null || p.paused) continue;
        p.node.tick(this.now);
        this.scheduleTurn(p);
      }
      this.queue.push(this.now + period, tick);
    };
    this.queue.push(this.now + period, tick);
  }

  /**
   * Lose everything in memory, and every write in flight but the first `keep` (the disk had
   * finished those; the peer had not heard yet, so nothing that waited for them left).
   */
  crash(id: PeerId, keep = 0): void {
    const p = this.peer(id);
    if (p.node === null) return;
    const kept = p.writes.slice(0, keep);
    for (const w of kept) p.storage.applySync(w.batch);
    this.trace(
      `${id} CRASHES` +
        (p.writes.length > 0
          ? ` (${kept.length} of ${p.writes.length} writes in flight kept)`
          : ''),
    );
    p.node = null;
    p.sm = null;
    p.writes = [];
    p.pipeline.clear();
    p.turnScheduled = false;
    p.generation++;
    this.abandonClients(p);
  }

  pause(id: PeerId): void {
    const p = this.peer(id);
    if (p.node === null || p.paused) return;
    this.trace(`${id} sleeps`);
    p.paused = true;
  }

  resume(id: PeerId): void {
    const p = this.peer(id);
    if (!p.paused) return;
    this.trace(`${id} wakes up`);
    p.paused = false;
    // Its timers did not run while it slept: it catches up with the time now.
    if (this.tickMs === undefined) p.node?.tick(this.now);
    this.scheduleTurn(p);
  }

  /** The clients at this peer give up: their outcomes stay unknown. */
  abandon(id: PeerId): void {
    this.abandonClients(this.peer(id));
  }

  private abandonClients(p: SimPeer): void {
    // Outcome unknown: the command may or may not take effect.
    for (const { op } of p.commands.values()) op.ret = Infinity;
    p.commands.clear();
    // A read that never answered has no effect: it leaves the history.
    for (const { op } of p.reads.values()) this.dropFromHistory(op);
    p.reads.clear();
  }

  private dropFromHistory(op: SimOperation): void {
    const i = this.history.indexOf(op);
    if (i >= 0) this.history.splice(i, 1);
  }

  // ------------------------------------------------------------------ network

  partition(groups: readonly (readonly PeerId[])[]): void {
    this.cut.clear();
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]!) for (const b of groups[j]!) this.cut.add(`${a}>${b}`);
      }
    }
    this.trace(`partition ${groups.map((g) => `{${g.join(',')}}`).join(' ')}`);
  }

  /** Cut one direction only (one-way loss). */
  cutLink(from: PeerId, to: PeerId): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Restore the links between two peers only (both directions). */
  healLink(a: PeerId, b: PeerId): void {
    this.cut.delete(`${a}>${b}`);
    this.cut.delete(`${b}>${a}`);
    this.trace(`link ${a}-${b} heals`);
  }

  /** Lose every message of `types` from `from` to `to` until healed (asymmetric loss). */
  loseTypes(from: PeerId, to: PeerId, types: readonly Message['type'][]): void {
    const key = `${from}>${to}`;
    const set = this.lossy.get(key) ?? new Set();
    for (const t of types) set.add(t);
    this.lossy.set(key, set);
    this.trace(`${types.join(',')} from ${from} to ${to} are lost`);
  }

  /** Stop losing the types `loseTypes` made lossy from `from` to `to`. */
  stopLosing(from: PeerId, to: PeerId): void {
    if (this.lossy.delete(`${from}>${to}`)) this.trace(`messages from ${from} to ${to} flow again`);
  }

  heal(): void {
    if (this.cut.size > 0 || this.lossy.size > 0) this.trace('network heals');
    this.cut.clear();
    this.lossy.clear();
  }

  linkUp(from: PeerId, to: PeerId): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  /** No link is cut and no message type is being lost. */
  get whole(): boolean {
    return this.cut.size === 0 && this.lossy.size === 0;
  }

  private transmit(from: PeerId, to: PeerId, msg: Message): void {
    this.messagesSent++;
    if (msg.type === 'p1a' && msg.ballot.leader === from) this.checkBallot(from, msg.ballot);
    if (msg.type === 'catchupReq') this.checkCatchupRequest(from, to, msg);
    if (this.manual) {
      this.inFlight.push({ id: this.nextMsgId++, from, to, msg });
      return;
    }
    if (!this.linkUp(from, to) || this.lost(from, to, msg) || this.prng.chance(this.net.dropRate))
      return;
    const copies = this.prng.chance(this.net.dupRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      // Heavy-tailed, as real networks are: most messages are fast, some are very late, so
      // messages overtake each other (a late heartbeat, a fast P2a).
      const { minDelayMs: lo, maxDelayMs: hi, slowRate } = this.net;
      const span = this.prng.chance(slowRate) ? hi - lo : Math.min(2, hi - lo);
      let delay = lo + this.prng.next() * span;
      if (this.net.lateRate !== undefined && this.prng.chance(this.net.lateRate))
        delay += this.prng.next() * (this.net.lateMs ?? 1000);
      this.queue.push(this.now + delay, () => this.receive(from, to, msg));
    }
  }

  private lost(from: PeerId, to: PeerId, msg: Message): boolean {
    return this.lossy.get(`${from}>${to}`)?.has(msg.type) === true;
  }

  /** Deliver a message now (a partition cut at delivery time also loses it). */
  receive(from: PeerId, to: PeerId, msg: Message): void {
    const p = this.peers.get(to);
    if (p?.node == null || p.paused || !this.linkUp(from, to) || this.lost(from, to, msg)) return;
    this.observeTime(p.node);
    const key = `${to}>${from}`;
    if (
      msg.type === 'catchupDecisions' &&
      msg.decisions.length === 0 &&
      p.node.initialized &&
      // The first such answer for this slot counts: asking again and again renews nothing.
      this.lackers.get(key)?.slot !== p.node.replica.slotOut
    ) {
      this.lackers.set(key, {
        slot: p.node.replica.slotOut,
        at: this.now,
        generation: p.generation,
      });
    }
    p.node.step(from, msg);
    this.scheduleTurn(p);
  }

  /** Manual mode: deliver held messages that match (all when no filter), in order. */
  deliver(filter: (m: InFlight) => boolean = () => true): InFlight[] {
    const out: InFlight[] = [];
    for (let i = 0; i < this.inFlight.length;) {
      const m = this.inFlight[i]!;
      if (filter(m)) {
        this.inFlight.splice(i, 1);
        out.push(m);
        this.receive(m.from, m.to, m.msg);
      } else {
        i++;
      }
    }
    return out;
  }

  /** Manual mode: drop held messages that match. */
  drop(filter: (m: InFlight) => boolean): InFlight[] {
    const out = this.inFlight.filter(filter);
    for (const m of out) this.inFlight.splice(this.inFlight.indexOf(m), 1);
    return out;
  }

  // ------------------------------------------------------------------ the peer loop

  /** Let a peer run a turn (after its RawNode was driven from outside). */
  kick(id: PeerId): void {
    this.scheduleTurn(this.peer(id));
  }

  private scheduleTurn(p: SimPeer): void {
    if (p.turnScheduled || p.node === null) return;
    p.turnScheduled = true;
    const gen = p.generation;
    this.queue.push(this.now, () => {
      if (p.generation !== gen) return;
      p.turnScheduled = false;
      this.turn(p);
    });
  }

  /** One runtime turn, exactly as the real Runtime does it, with a simulated fsync. */
  private turn(p: SimPeer): void {
    const node = p.node;
    if (node === null || p.paused) return;
    const rd = node.ready(p.pipeline.canWrite);
    if (RawNode.isEmptyReady(rd)) {
      this.arm(p);
      return;
    }
    for (const e of rd.messages) this.transmit(p.id, e.to, e.msg);
    this.deliverResults(p, rd);
    if (rd.persist !== null && p.crashBeforeWrite) {
      // Between sending and persisting: what left at once (P2a, P1a) is out, the write is lost.
      p.crashBeforeWrite = false;
      this.crash(p.id);
      return;
    }
    const id = p.pipeline.accept(rd);
    if (id !== 0) this.startWrite(p, id, rd.persist!);
    for (const f of rd.fetches) this.startRead(p, f);
    this.checkRemoved(p);
    this.arm(p);
  }

  /**
   * Before an input: the Runtime tells its node the time. A polling driver (`tickMs`) tells it
   * only at its ticks, as the Runtime did before it had deadline timers.
   */
  observeTime(node: RawNode): void {
    if (this.tickMs === undefined) node.observeTime(this.now);
  }

  /** Arm the peer's timer for its node's next deadline (only ever earlier, as the Runtime). */
  private arm(p: SimPeer): void {
    if (this.tickMs !== undefined) return;
    const at = p.node!.nextDeadline();
    if (at >= p.timerAt) return;
    // As the Runtime's timers: at least 1 ms after the last one fired, so a deadline that stays
    // due (nothing to do yet) costs a tick per ms, never an endless loop at one instant.
    const when = Math.max(at, p.tickedAt === this.now ? this.now + 1 : this.now);
    p.timerAt = when;
    const gen = p.generation;
    this.queue.push(when, () => {
      if (p.generation !== gen || p.timerAt !== when) return;
      p.timerAt = Infinity;
      p.tickedAt = this.now;
      if (p.node === null) return;
      if (p.paused) {
        // A sleeping machine runs no timers; it ticks again when it wakes.
        return;
      }
      p.node.tick(this.now);
      // A deadline that is still due right after its tick means the timer spins (a Runtime
      // would burn a core): nextDeadline() must only name moments at which tick() acts.
      if (p.node.nextDeadline() <= this.now) {
        if (++p.spins === 1000) this.violation(`${p.id}: its deadline stays due: the timer spins`);
      } else {
        p.spins = 0;
      }
      this.scheduleTurn(p);
    });
  }

  /** The disk does one write at a time, in order; a crash in between loses it. */
  private startWrite(p: SimPeer, id: number, batch: StorageBatch): void {
    const node = p.node!;
    p.writes.push({ id, batch });
    const [lo, hi] = this.fsync;
    p.diskFreeAt = Math.max(this.now, p.diskFreeAt) + lo + this.prng.next() * (hi - lo);
    const gen = p.generation;
    this.queue.push(p.diskFreeAt, () => {
      // A crash in between loses the write: that is what persist-before-send protects against.
      if (p.generation !== gen || p.node !== node) return;
      const w = p.writes.shift()!;
      p.storage.applySync(w.batch);
      const { durable, envelopes } = p.pipeline.completed(w.id);
      for (const e of envelopes) this.transmit(p.id, e.to, e.msg);
      if (durable !== 0) node.persisted(durable);
      this.checkRemoved(p);
      this.scheduleTurn(p);
    });
  }

  /**
   * A storage read (catch-up from decisions kept only in storage) completes later than asked,
   * after a random delay within the fsync's range, unordered with the writes: it sees what the
   * disk holds then. A crash in between loses it (the peer it was for is never answered).
   */
  private startRead(p: SimPeer, f: StorageRead): void {
    const node = p.node!;
    const [lo, hi] = this.fsync;
    const gen = p.generation;
    this.queue.push(this.now + lo + this.prng.next() * (hi - lo), () => {
      if (p.generation !== gen || p.node !== node) return;
      if (f.kind === 'decisions')
        node.decisionsRead(f.id, p.storage.readDecisionsSync(f.from, f.max, f.maxBytes));
      else node.acceptedRead(f.id, p.storage.readAcceptedSync(f.from, f.to));
      this.scheduleTurn(p);
    });
  }

  /** Results and reads reach the clients before the turn's write, as in the Runtime. */
  private deliverResults(p: SimPeer, rd: Ready): void {
    for (const r of rd.results) {
      const pending = p.commands.get(r.seq);
      if (pending === undefined) continue;
      p.commands.delete(r.seq);
      pending.op.ret = this.now;
      pending.op.output = r.outcome.ok ? decodeKvResult(r.outcome.result) : undefined;
      if (!r.outcome.ok)
        this.violation(`${p.id}: command ${r.seq} refused: ${r.outcome.code} ${r.outcome.message}`);
    }
    for (const r of rd.reads) {
      const pending = p.reads.get(r.token);
      if (pending === undefined) continue;
      p.reads.delete(r.token);
      if (r.ok) {
        pending.op.ret = this.now;
        pending.op.output = p.sm!.get(pending.op.input.key);
      } else {
        this.dropFromHistory(pending.op);
      }
    }
    this.commandsApplied += rd.applied.length;
  }

  private checkRemoved(p: SimPeer): void {
    const node = p.node!;
    if (node.removed !== p.removed) {
      p.removed = node.removed;
      // Its clients' commands will not complete here (the runtime fails them): unknown outcome.
      if (p.removed) this.abandonClients(p);
    }
  }

  // ------------------------------------------------------------------ clients

  /** A client at `peer` invokes a key-value operation. Returns false if the peer cannot take it. */
  invoke(peer: PeerId, input: KvInput): boolean {
    const p = this.peer(peer);
    const node = p.node;
    if (node === null || p.paused || node.removed) return false;
    this.observeTime(node);
    const op: PendingOp['op'] = {
      client: peer,
      input,
      output: undefined,
      call: this.now,
      ret: Infinity,
    };
    if (input.op === 'get') {
      const token = this.nextToken++;
      p.reads.set(token, { op });
      this.history.push(op);
      node.read(token);
    } else {
      const seq = node.propose(
        encodeKv({
          op: input.op,
          key: input.key,
          value: input.value,
          id: `${peer}:${this.nextValue}`,
        }),
      );
      p.commands.set(seq, { op });
      this.history.push(op);
    }
    this.nextValue++;
    this.scheduleTurn(p);
    return true;
  }

  /** A fresh, unique value for a write. */
  freshValue(): string {
    return `v${this.nextValue++}.`;
  }

  outstanding(peer: PeerId): number {
    const p = this.peer(peer);
    return p.commands.size + p.reads.size;
  }

  totalOutstanding(): number {
    let n = 0;
    for (const p of this.peers.values()) n += p.commands.size + p.reads.size;
    return n;
  }

  // ------------------------------------------------------------------ time

  /** Run events until virtual time `t` (or until `stop` returns true after an event). */
  runUntil(t: number, stop?: () => boolean): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > t) break;
      const e = this.queue.pop()!;
      this.now = Math.max(this.now, e.at);
      e.run();
      if (stop?.()) return;
    }
    this.now = Math.max(this.now, t);
  }

  runFor(ms: number, stop?: () => boolean): void {
    this.runUntil(this.now + ms, stop);
  }

  /** Schedule `fn` at virtual time now + `delay`. */
  at(delay: number, fn: () => void): void {
    this.queue.push(this.now + delay, fn);
  }

  // ------------------------------------------------------------------ invariants

  /** `asker>peer`: the peer answered `asker`'s catch-up request without a decision at `slot`. */
  private readonly lackers = new Map<string, { slot: number; at: number; generation: number }>();

  /**
   * Catch-up moves on (docs/protocol.md, "Catch-up ends at a peer that has what is missing"): a
   * replica does not ask a peer again for the slot that peer just said it lacks, for an answer
   * timeout at least, while that peer still lacks it; it asks another one. (Asking again at once is how a replica stayed stuck
   * on a stale source for ever: simulator seed 4020591.) A removed peer's hand-over is no
   * catch-up: it asks the replicas that stay, from its own slotOut, every retransmit interval,
   * to hear when one holds its slots durably (handover.ts), and an answer without decisions is
   * what it expects. Its requests are not judged while it hands over.
   */
  private checkCatchupRequest(from: PeerId, to: PeerId, m: CatchupRequest): void {
    const { fromSlot } = m;
    const lacked = this.lackers.get(`${from}>${to}`);
    if (lacked === undefined || lacked.slot !== fromSlot) return;
    if (this.peer(from).node?.handoverState?.done === false) return;
    // Asking again is right once the asker restarted (it forgot), or the peer has the slot now,
    // or showed it has: the request asks for the rest of a snapshot covering the slot that the
    // peer began to send (its "lacks" answer was older, delivered late; the peer may have
    // crashed since, and comes back with that snapshot: seed 130021602 of profile ballot-reuse).
    const peer = this.peers.get(to)?.node;
    if (
      this.peer(from).generation !== lacked.generation ||
      (peer != null && peer.initialized && peer.replica.slotOut > fromSlot) ||
      (m.offset > 0 && m.snapshotSlot >= fromSlot)
    )
      return;
    const o = this.options.protocol ?? {};
    const answerTimeout = Math.max(
      2 * (o.retransmitIntervalMs ?? DEFAULT_OPTIONS.retransmitIntervalMs),
      o.electionTimeoutMs ?? DEFAULT_OPTIONS.electionTimeoutMs,
    );
    // A request made before the answer arrived may leave after it: it waited for a write, and
    // that write behind the ones in flight (the disk does them one at a time).
    const writes = (this.options.maxWritesInFlight ?? 2) + 1;
    const grace = (this.tickMs ?? 0) + writes * this.fsync[1] + 1;
    if (this.now - lacked.at > grace && this.now - lacked.at < answerTimeout) {
      this.lackers.set(`${from}>${to}`, { ...lacked, slot: -1 });
      this.violation(
        `catch-up: ${from} asks ${to} for slot ${fromSlot} again ${(this.now - lacked.at).toFixed(1)} ms after ${to} answered it lacks it`,
      );
    }
  }

  /** For each peer: the run (generation) that first produced each of its ballots' rounds. */
  private readonly ballotRuns = new Map<PeerId, Map<number, number>>();

  /**
   * `id`'s store went back (restored from a copy, or wiped): the runs after the copy are lost to
   * it, and its next runs may make their ballots again. That is amnesia, which peers find by
   * store stamps (store-guard.ts) and the agreement check judges; the ballot check starts a new
   * history for it. (Which runs a copy still knows is not tracked: a copy taken before a run's
   * first write lacks that run's incarnation too, seed 30001943 of profile amnesia.)
   */
  storeWentBack(id: PeerId): void {
    this.ballotRuns.delete(id);
  }

  /**
   * PMMC Invariant A4 across restarts: no run of a peer produces a ballot an earlier run of it
   * produced (a leader keeps no durable state; ballot.ts). Checked on every P1a a peer sends.
   */
  private checkBallot(peer: PeerId, ballot: { round: number }): void {
    const gen = this.peer(peer).generation;
    let runs = this.ballotRuns.get(peer);
    if (runs === undefined) this.ballotRuns.set(peer, (runs = new Map<number, number>()));
    const first = runs.get(ballot.round);
    if (first === undefined) runs.set(ballot.round, gen);
    else if (first !== gen && first !== -1) {
      runs.set(ballot.round, -1);
      this.violation(
        `ballot reuse: ${peer} runs with round ${ballot.round} again, used by an earlier run`,
      );
    }
  }

  private checkAgreement(peer: PeerId, slot: number, value: Uint8Array): void {
    const prev = this.chosen.get(slot);
    if (prev === undefined) {
      this.chosen.set(slot, value);
      return;
    }
    if (!sameBytes(prev, value)) {
      this.violation(
        `agreement: ${peer} applied a different value at slot ${slot} (${hex(value)} vs ${hex(prev)})`,
      );
    }
  }

  /** Slots applied by some replica, for reports. */
  get decidedSlots(): number {
    return this.chosen.size;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return (
    [...b.subarray(0, 12)].map((x) => x.toString(16).padStart(2, '0')).join('') +
    (b.length > 12 ? '…' : '')
  );
}
