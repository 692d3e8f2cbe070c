/**
 * The peer service: one peer of a shared document log, with one method per operation of the
 * operation table (operations/table.ts: it `implements OperationHandlers`, each method taking
 * its validated request) and an event stream. The host module (host/) serves it over the local
 * API and Electron's IPC; requests reach it through `dispatch`, which validates them first.
 * It holds no Electron and no HTTP, and reaches the store and the network only through
 * @synod/peer (createPeer, PeerDirectory).
 *
 * Life cycle: a data directory without a log is in `setup` (the directory is held, so locked:
 * one peer per directory) until `createLog` or `join`; then `running` (maybe still catching up);
 * `removed` once a member removed it; `suspended` between `suspend` and `resume` (sleep);
 * `leave` takes it out of the log and back to `setup` (the old store is set aside in
 * <dataDir>/left/); `stop()` ends it.
 *
 * Events are pushed, never polled: the node tells when its status changes (watchStatus) and
 * what it applied (subscribe); an `applied` event carries each changed entry.
 */
import { hostname } from 'node:os';
import { RemovedError, TimeoutError, type AppliedCommand, type ProtocolOptions } from '@synod/core';
import {
  createPeer,
  JoinRefusedError,
  PeerDirectory,
  type Durability,
  type LanAsker,
  type Peer,
  type PeerOptions,
} from '@synod/peer';
import {
  decodeCommand,
  decodeResult,
  DocumentLog,
  encodeCommand,
  MAX_NAME,
  type DocumentCommand,
  type DocumentResult,
  type EntryView,
} from '../document/index.js';
import type {
  OperationHandlers,
  OperationRequest as Req,
  OperationResult as Res,
} from '../operations/table.js';
import {
  AlreadyInitializedError,
  AmbiguousPeerError,
  DocumentError,
  LanUnavailableError,
  NotInitializedError,
  OperationTimeoutError,
  ServiceStoppedError,
  UnknownPeerError,
} from './errors.js';
import { InviteRequests } from './invite-requests.js';
import { ProtocolMonitor } from './protocol-monitor.js';
import { majorityInfo, peerViews, protocolView } from './status.js';
import type {
  AppliedOperation,
  EditOutcome,
  ReadMode,
  ServiceEvent,
  ServiceState,
  ServiceStatus,
} from './types.js';

export interface PeerServiceOptions {
  dataDir: string;
  /** This peer's display name (default: the one kept in the store, else the host name). */
  name?: string;
  /** Multiaddrs to listen on (default: every interface, a free port). */
  listen?: string[];
  /** Peers to reach by address (multiaddrs ending in /p2p/<id>). */
  bootstrap?: string[];
  /** LAN discovery (default true). */
  mdns?: boolean;
  protocol?: Partial<ProtocolOptions>;
  durability?: Durability;
  nativeBinding?: string;
  psk?: Uint8Array;
  /** Default timeout of writes and linearizable reads, ms (default 30 000). */
  operationTimeoutMs?: number;
  /** The Synod wire protocol versions to speak (default: every one this build speaks). */
  wireVersions?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A status event goes out at least this often (peers' lastSeen and RTT age). */
const STATUS_HEARTBEAT_MS = 5000;
/** Status changes closer together than this go out as one event (a busy log changes slot_out at every turn). */
const STATUS_COALESCE_MS = 50;

type Listener = (event: ServiceEvent) => void;

export interface SubscribeOptions {
  /** The listener shows invite requests to a person who can answer them (a UI). */
  readonly answersInviteRequests?: boolean;
}

function defaultName(): string {
  return hostname().slice(0, MAX_NAME) || 'peer';
}

export class PeerService implements OperationHandlers {
  private state: ServiceState = 'setup';
  private peer: Peer<DocumentLog> | undefined;
  private readonly directory: PeerDirectory;
  private myName: string;
  private readonly listeners = new Set<Listener>();
  /** The listeners that show invite requests to a person who can answer them (a UI). */
  private readonly answerers = new Set<Listener>();
  private unsubscribe: (() => void)[] = [];
  private transition: Promise<unknown> = Promise.resolve();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStatusAt = 0;
  private pendingApplied: AppliedOperation[] = [];
  private nameProposed = false;
  private readonly timeoutMs: number;
  /** The protocol messages this peer sends and receives, for the protocol view. */
  private readonly monitor = new ProtocolMonitor();
  /** LAN peers in no log asking this member for an invite, waiting for the user's answer. */
  private readonly inviteRequests = new InviteRequests(() => this.emitStatus());
  /** In setup with LAN discovery on: members found on the LAN, to ask for an invite. */
  private asker: LanAsker | undefined;

  private constructor(
    private readonly options: PeerServiceOptions,
    directory: PeerDirectory,
    name: string,
  ) {
    this.directory = directory;
    this.myName = name;
    this.timeoutMs = options.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Open the data directory: start the peer if it belongs to a log, else wait in `setup`.
   * Throws the store's typed errors (storage-locked: another peer runs on this directory).
   */
  static async open(options: PeerServiceOptions): Promise<PeerService> {
    const directory = PeerDirectory.open(options);
    const found = await directory.state();
    const service = new PeerService(
      options,
      directory,
      options.name ?? found.name ?? defaultName(),
    );
    await service.settle();
    service.heartbeat = setInterval(() => {
      if (Date.now() - service.lastStatusAt >= STATUS_HEARTBEAT_MS) service.emitStatus();
    }, STATUS_HEARTBEAT_MS);
    service.heartbeat.unref();
    return service;
  }

  // ------------------------------------------------------------------ life cycle

  /** Create a new log with this peer as its only member. */
  createLog(request: Req<'createLog'>): Promise<ServiceStatus> {
    return this.serially(async () => {
      this.inSetup();
      await this.stopAsker();
      await this.directory.release();
      try {
        await this.startPeer({ init: true });
      } catch (err) {
        await this.settle();
        throw err;
      }
      if (request.title !== undefined && request.title !== '') {
        await this.propose({ type: 'rename-log', ...this.stamp(), title: request.title });
      }
      return this.status();
    });
  }

  /**
   * Join the log of an invite. Resolves once a member has added this peer (it then catches
   * up: see status().protocol). Throws the transport's typed errors (invalid-invite,
   * already-used, expired, join-failed…).
   */
  async join(request: Req<'join'>): Promise<ServiceStatus> {
    if (request.name !== undefined) await this.setName({ name: request.name });
    const invite = request.invite;
    return this.serially(async () => {
      this.inSetup();
      await this.stopAsker();
      const recorded = await this.directory.release();
      try {
        this.directory.prepareJoin(invite, recorded);
        await this.startPeer({ join: invite });
      } catch (err) {
        // A refusal is final (the inviter did not add us): do not ask again at the next start.
        if (err instanceof JoinRefusedError) await this.directory.forgetJoin();
        await this.settle().catch(() => undefined);
        throw err;
      }
      return this.status();
    });
  }

  /**
   * First run on a LAN: ask a member that answered this peer's LAN query (discovered) for an
   * invite — its user accepts or declines in its app — then join with it. Throws the typed
   * refusal (declined, busy, not-accepting, timeout) or invite-request-failed.
   */
  async askToJoin(request: Req<'askToJoin'>): Promise<ServiceStatus> {
    if (request.name !== undefined) await this.setName({ name: request.name });
    if (this.state !== 'setup') throw new AlreadyInitializedError(this.peer?.logId ?? '?');
    const asker = this.asker;
    if (asker === undefined) {
      throw new LanUnavailableError('LAN discovery is off (started with --no-mdns)');
    }
    const invite = await asker.requestInvite(request.peer, { name: this.myName });
    return this.join({ invite });
  }

  /** The user's answer to a LAN peer that asked for an invite (status().inviteRequests). */
  answerInviteRequest(request: Req<'answerInviteRequest'>): Promise<Res<'answerInviteRequest'>> {
    this.inviteRequests.answer(request.request, request.accept);
    return Promise.resolve({});
  }

  /**
   * Leave the log: remove this peer (it resolves once the configuration without it governs),
   * stop it, set its store aside in <dataDir>/left/, and return to `setup`.
   */
  leave(): Promise<ServiceStatus> {
    return this.serially(async () => {
      const peer = this.peer;
      if (peer === undefined) throw new NotInitializedError();
      if (!peer.node.status().removed) await peer.leave();
      await this.stopPeer();
      this.directory.setAside('left');
      await this.settle();
      this.emit({ type: 'reset' });
      return this.status();
    });
  }

  /**
   * Before the system sleeps or the app quits: step down (stepDown) and go offline, keeping
   * the store. Writes fail with `stopped` until resume. A peer in setup just stays so.
   */
  suspend(): Promise<ServiceStatus> {
    return this.serially(async () => {
      if (this.state === 'running' || this.state === 'removed' || this.state === 'failed') {
        await this.stepDown();
        this.state = 'suspended';
        this.emitStatus();
      }
      return this.status();
    });
  }

  /** After wake: start the peer again; it reconnects and catches up (status().protocol.catchup). */
  resume(): Promise<ServiceStatus> {
    return this.serially(async () => {
      if (this.state === 'suspended') await this.settle();
      return this.status();
    });
  }

  /** Stop: pending operations fail with StoppedError, the store is closed. */
  stop(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') return;
      if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
      if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
      await this.stopPeer();
      await this.stopAsker();
      await this.directory.release();
      this.state = 'stopped';
      this.emitStatus();
      this.listeners.clear();
      this.answerers.clear();
    });
  }

  // ------------------------------------------------------------------ operations

  async append(r: Req<'append'>): Promise<Res<'append'>> {
    const { id, version } = await this.propose(
      { type: 'append', ...this.stamp(), title: r.title, body: r.body },
      r.timeoutMs,
    );
    return { id, version };
  }

  async edit(r: Req<'edit'>): Promise<Res<'edit'>> {
    const { version, rebased } = await this.propose(this.editCommand(r.id, r), r.timeoutMs);
    return { version, rebased };
  }

  /**
   * Several edits of one entry, proposed in order with all outstanding at once (a typist's
   * burst): they take effect in this order. Each gets its own outcome.
   */
  async editMany(r: Req<'editMany'>): Promise<Res<'editMany'>> {
    const commands = r.edits.map((e) => this.editCommand(r.id, e));
    // Every propose() call takes its place in this peer's order synchronously, here.
    const results = commands.map((c) => this.propose(c, r.timeoutMs));
    return {
      results: await Promise.all(
        results.map((p) =>
          p.then(
            (x): EditOutcome => ({ ok: true, version: x.version, rebased: x.rebased }),
            (err: unknown): EditOutcome => ({
              ok: false,
              code: (err as { code?: string }).code ?? 'internal',
              message: err instanceof Error ? err.message : String(err),
              version: err instanceof DocumentError ? err.version : 0,
            }),
          ),
        ),
      ),
    };
  }

  async deleteEntry(r: Req<'deleteEntry'>): Promise<Res<'deleteEntry'>> {
    const cmd = { type: 'delete' as const, ...this.stamp(), id: r.id, version: r.version ?? 0 };
    return { version: (await this.propose(cmd, r.timeoutMs)).version };
  }

  async restoreEntry(r: Req<'restoreEntry'>): Promise<Res<'restoreEntry'>> {
    const cmd = { type: 'restore' as const, ...this.stamp(), id: r.id, version: r.version ?? 0 };
    return { version: (await this.propose(cmd, r.timeoutMs)).version };
  }

  async renameLog(r: Req<'renameLog'>): Promise<Res<'renameLog'>> {
    await this.propose({ type: 'rename-log', ...this.stamp(), title: r.title }, r.timeoutMs);
    return {};
  }

  /** Change this peer's display name (kept in the data directory, and recorded in the log). */
  async setName(r: Req<'setName'>): Promise<Res<'setName'>> {
    this.myName = r.name;
    if (this.peer !== undefined) {
      await this.peer.setName(r.name);
      if (this.state === 'running') await this.propose({ type: 'set-name', ...this.stamp() });
    } else if (this.directory.holding) {
      await this.directory.setName(r.name);
    }
    this.emitStatus();
    return {};
  }

  /** The entries: linearizable by default (confirmed by the leader with a majority). */
  entries(r: Req<'entries'> = {}): Promise<Res<'entries'>> {
    const mode = r.read ?? 'linearizable';
    return this.read(mode, r.timeoutMs, (sm) => {
      const stats = sm.stats();
      return {
        title: stats.title,
        entries: sm.list({ includeDeleted: r.deleted === true, bodies: r.bodies !== false }),
        operations: stats.operations,
        lastSlot: stats.lastSlot,
        read: mode,
      };
    });
  }

  async entry(r: Req<'entry'>): Promise<Res<'entry'>> {
    const entry = await this.read(r.read ?? 'linearizable', r.timeoutMs, (sm) => sm.get(r.id));
    if (entry === undefined) throw new DocumentError('unknown-entry', `no entry ${r.id}`, 0);
    return entry;
  }

  /** The decided history, oldest first: records with n > after, or the newest `limit`. */
  history(r: Req<'history'> = {}): Promise<Res<'history'>> {
    return this.read(r.read ?? 'linearizable', r.timeoutMs, (sm) => {
      const stats = sm.stats();
      return {
        records: sm.historyRecords({ after: r.after, limit: r.limit ?? 100 }),
        from: stats.historyFrom,
        operations: stats.operations,
      };
    });
  }

  /** A single-use invite to this log. */
  invite(r: Req<'invite'> = {}): Promise<Res<'invite'>> {
    return this.running().invite(r.ttlMs !== undefined ? { ttlMs: r.ttlMs } : {});
  }

  /** Remove a member, named by peer id or by a name only it uses. */
  async removePeer(r: Req<'removePeer'>): Promise<Res<'removePeer'>> {
    const peer = this.running();
    const id = this.resolvePeer(r.peer);
    const timeoutMs = r.timeoutMs ?? this.timeoutMs;
    try {
      await peer.node.removePeer(id, { timeoutMs });
    } catch (err) {
      throw this.timeoutError(err, timeoutMs);
    }
    this.emitStatus();
    return { removed: id };
  }

  /**
   * Peers found on the LAN (mDNS) or by address, members or not; in setup, the members of logs
   * that answered this peer's LAN query.
   */
  discovered(): Promise<Res<'discovered'>> {
    if (this.peer === undefined) {
      const found = this.asker?.peers() ?? [];
      return Promise.resolve({ peers: found.map((p) => ({ ...p, member: false })) });
    }
    return Promise.resolve({ peers: this.peer.discovered() });
  }

  /**
   * What the protocol view draws: this peer's acceptor, leader and replica state (as in
   * status().protocol), the protocol messages after cursor `after` (at most `limit`, the
   * newest), and the other peers as their messages show them.
   */
  protocol(r: Req<'protocol'> = {}): Promise<Res<'protocol'>> {
    const peer = this.peer;
    return Promise.resolve({
      self: peer?.id ?? null,
      protocol: peer === undefined ? null : protocolView(peer.node.status()),
      trace: this.monitor.trace(r.after ?? 0, r.limit ?? 200),
    });
  }

  status(): ServiceStatus {
    const peer = this.peer;
    if (peer === undefined) {
      return {
        state: this.state,
        dataDir: this.options.dataDir,
        name: this.myName,
        id: null,
        logId: null,
        addresses: [],
        log: null,
        protocol: null,
        peers: [],
        majority: null,
        failure: null,
        inviteRequests: [],
      };
    }
    const s = peer.node.status();
    const sm = peer.node.stateMachine;
    return {
      state: this.state,
      dataDir: this.options.dataDir,
      name: this.myName,
      id: peer.id,
      logId: peer.logId,
      addresses: this.state === 'stopped' ? [] : peer.addresses(),
      log: sm.stats(),
      protocol: protocolView(s),
      peers: peerViews(s, this.myName, (id) => sm.nameOf(id)),
      majority: majorityInfo(s),
      failure: s.failure,
      inviteRequests: this.inviteRequests.list(),
    };
  }

  /**
   * Events: applied operations (batched per turn), status changes, resets. Returns unsubscribe.
   * A UI says `answersInviteRequests`: only while one follows does this member take invite
   * requests, and so let strangers connect to ask (`synod start`'s own report of the events
   * answers nothing: with it alone, a member with no invite out lets no stranger connect).
   */
  subscribe(listener: Listener, options: SubscribeOptions = {}): () => void {
    this.listeners.add(listener);
    if (options.answersInviteRequests === true) this.answerers.add(listener);
    this.takeInviteRequests();
    return () => {
      this.listeners.delete(listener);
      this.answerers.delete(listener);
      this.takeInviteRequests();
    };
  }

  // ------------------------------------------------------------------ internals

  /**
   * The safest step down available before the system sleeps: stop this peer's node cleanly
   * (its in-flight write finishes, its leader stops heartbeating, its links close), so that
   * the others elect a leader at once instead of waiting on a leader that vanished mid-turn.
   * One function on purpose: once the core offers transferLeadership (issue 13), it hands over
   * here first, then stops.
   */
  private async stepDown(): Promise<void> {
    await this.stopPeer();
  }

  private editCommand(
    id: number,
    r: {
      version: number;
      patches: readonly (readonly [number, number, string])[];
      title?: string | undefined;
      rebase?: boolean | undefined;
    },
  ): DocumentCommand {
    return {
      type: 'edit',
      ...this.stamp(),
      id,
      version: r.version,
      patches: r.patches,
      ...(r.title !== undefined ? { title: r.title } : {}),
      ...(r.rebase === true ? { rebase: true } : {}),
    };
  }

  private stamp(): { time: number; author: string } {
    return { time: Date.now(), author: this.myName };
  }

  private running(): Peer<DocumentLog> {
    if (this.state === 'stopped' || this.state === 'suspended') throw new ServiceStoppedError();
    const peer = this.peer;
    if (peer === undefined) throw new NotInitializedError();
    if (this.state === 'removed') throw new RemovedError();
    return peer;
  }

  private async propose(
    cmd: DocumentCommand,
    timeout: number | undefined = undefined,
  ): Promise<Extract<DocumentResult, { ok: true }>> {
    const peer = this.running();
    const timeoutMs = timeout ?? this.timeoutMs;
    let bytes: Uint8Array;
    try {
      bytes = await peer.node.propose(encodeCommand(cmd), { timeoutMs });
    } catch (err) {
      throw this.timeoutError(err, timeoutMs);
    }
    const r = decodeResult(bytes);
    if (!r.ok) throw new DocumentError(r.code, r.message, r.version);
    return r;
  }

  private async read<T>(
    mode: ReadMode,
    timeout: number | undefined,
    query: (sm: DocumentLog) => T,
  ): Promise<T> {
    const peer = this.running();
    const timeoutMs = timeout ?? this.timeoutMs;
    try {
      return await peer.node.read(query, { local: mode === 'local', timeoutMs });
    } catch (err) {
      throw this.timeoutError(err, timeoutMs);
    }
  }

  /** A core timeout, told apart: no majority reachable, or just slow. */
  private timeoutError(err: unknown, timeoutMs: number): unknown {
    if (!(err instanceof TimeoutError) || this.peer === undefined) return err;
    return new OperationTimeoutError(majorityInfo(this.peer.node.status()), timeoutMs);
  }

  private resolvePeer(ref: string): string {
    const peer = this.running();
    const config = peer.node.status().config;
    const members =
      config === null
        ? []
        : [...new Set([...config.replicas, ...config.leaders, ...config.acceptors])];
    if (members.includes(ref)) return ref;
    const sm = peer.node.stateMachine;
    const named = members.filter((id) => (id === peer.id ? this.myName : sm.nameOf(id)) === ref);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw new AmbiguousPeerError(ref, named);
    throw new UnknownPeerError(ref);
  }

  private inSetup(): void {
    if (this.state === 'stopped') throw new ServiceStoppedError();
    if (!this.directory.holding) throw new AlreadyInitializedError(this.peer?.logId ?? '?');
  }

  /** One life-cycle change at a time. */
  private serially<T>(f: () => Promise<T>): Promise<T> {
    const result = this.transition.then(f, f);
    this.transition = result.catch(() => undefined);
    return result;
  }

  /**
   * Start the peer if the directory belongs to a log (or a join of it was under way), else
   * wait in `setup`, holding the directory: its lock keeps a second peer off it.
   */
  private async settle(): Promise<void> {
    const found = await this.directory.state();
    if (found.member !== undefined || found.joining !== undefined) {
      try {
        await this.startPeer({ init: false });
        return;
      } catch (err) {
        // A member that cannot start is an error; a join that cannot complete (the inviter
        // gone, the invite refused) leaves this peer in setup, to join again.
        if (found.member !== undefined) throw err;
        if (err instanceof JoinRefusedError) await this.directory.forgetJoin();
      }
    }
    await this.directory.hold();
    this.state = 'setup';
    await this.startAsker();
    this.emitStatus();
  }

  /** In setup with LAN discovery on: look for logs on the LAN (failing that, say why and go on). */
  private async startAsker(): Promise<void> {
    if (this.asker !== undefined || this.options.mdns === false) return;
    try {
      this.asker = await this.directory.askOnLan();
    } catch (err) {
      console.warn(
        `synod: LAN discovery in setup is off: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async stopAsker(): Promise<void> {
    const asker = this.asker;
    this.asker = undefined;
    await asker?.stop();
  }

  /**
   * Peers in no log may ask this member for an invite while someone can answer (a UI follows
   * the events); otherwise they are refused at once (not-accepting) rather than left waiting.
   */
  private takeInviteRequests(): void {
    const peer = this.peer;
    if (peer === undefined) return;
    const someone = this.answerers.size > 0 && this.state === 'running';
    peer.onInviteRequest(someone ? this.inviteRequests.ask : undefined);
    if (!someone) this.inviteRequests.declineAll();
  }

  private async startPeer(mode: Pick<PeerOptions<DocumentLog>, 'init' | 'join'>): Promise<void> {
    const o = this.options;
    const sm = new DocumentLog();
    sm.onReset = () => this.emit({ type: 'reset' });
    const peer = await createPeer({
      dataDir: o.dataDir,
      stateMachine: sm,
      name: this.myName,
      mdns: o.mdns ?? true,
      init: false,
      onMessage: this.monitor.observe,
      ...mode,
      ...(o.listen !== undefined ? { listen: o.listen } : {}),
      ...(o.bootstrap !== undefined ? { bootstrap: o.bootstrap } : {}),
      ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
      ...(o.psk !== undefined ? { psk: o.psk } : {}),
      ...(o.durability !== undefined ? { durability: o.durability } : {}),
      ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
      ...(o.wireVersions !== undefined ? { transport: { wireVersions: o.wireVersions } } : {}),
    });
    this.peer = peer;
    this.state = 'running';
    this.nameProposed = false;
    this.unsubscribe = [
      peer.node.subscribe((e) => this.onApplied(e, sm)),
      peer.node.watchStatus(() => this.onStatusChange()),
    ];
    this.takeInviteRequests();
    this.emit({ type: 'reset' });
    this.emitStatus();
  }

  private async stopPeer(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.peer?.onInviteRequest(undefined);
    this.inviteRequests.declineAll();
    const peer = this.peer;
    this.peer = undefined;
    await peer?.stop();
  }

  private onApplied(e: AppliedCommand, sm: DocumentLog): void {
    if (this.listeners.size === 0) return;
    if (this.pendingApplied.length === 0) setImmediate(() => this.flushApplied());
    this.pendingApplied.push(describe(e, sm));
  }

  private flushApplied(): void {
    const seen = new Set<number>();
    // One copy of each changed entry per batch, on its last operation (bodies may be large).
    const operations = this.pendingApplied
      .reverse()
      .map((op) => {
        if (op.entryView === null) return op;
        if (seen.has(op.entry)) return { ...op, entryView: null };
        seen.add(op.entry);
        return op;
      })
      .reverse();
    this.pendingApplied = [];
    if (operations.length > 0) this.emit({ type: 'applied', operations });
  }

  private emit(event: ServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  private emitStatus(): void {
    if (this.statusTimer !== undefined) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
    }
    this.lastStatusAt = Date.now();
    this.emit({ type: 'status', status: this.status() });
  }

  /** The node says its status changed: notice removal and failure, tell the listeners. */
  private onStatusChange(): void {
    const peer = this.peer;
    if (peer === undefined) return;
    const s = peer.node.status();
    if (this.state === 'running') {
      if (s.failure !== null) this.state = 'failed';
      else if (s.removed) this.state = 'removed';
      else if (!this.nameProposed && s.initialized && majorityInfo(s)?.ok === true) {
        this.recordName(peer);
      }
    }
    if (this.listeners.size === 0 || this.statusTimer !== undefined) return;
    const wait = Math.max(0, this.lastStatusAt + STATUS_COALESCE_MS - Date.now());
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.emitStatus();
    }, wait);
  }

  /** Record this peer's name in the log, once, when it differs from the one recorded. */
  private recordName(peer: Peer<DocumentLog>): void {
    this.nameProposed = true;
    // A linearizable read, not this replica's copy: after a restart the name may sit in a
    // slot that a new leader is still re-deciding, and a local read would record it twice.
    peer.node
      .read((sm) => sm.nameOf(peer.id), { timeoutMs: this.timeoutMs })
      .then((recorded) =>
        recorded === this.myName ? undefined : this.propose({ type: 'set-name', ...this.stamp() }),
      )
      .catch(() => {
        this.nameProposed = false;
      });
  }
}

/** An applied command as the event stream tells it, with the entry it changed. */
function describe(e: AppliedCommand, sm: DocumentLog): AppliedOperation {
  const base = { slot: e.slot, client: e.client, rebased: false, entryView: null, logTitle: null };
  if (e.kind === 'reconfig') {
    return {
      ...base,
      type: 'membership',
      author: sm.nameOf(e.client) ?? '',
      time: 0,
      entry: 0,
      ok: e.outcome.ok,
      version: 0,
      code: e.outcome.ok ? null : e.outcome.code,
      message: e.outcome.ok ? null : e.outcome.message,
    };
  }
  let result: DocumentResult | undefined;
  if (e.outcome.ok) {
    try {
      result = decodeResult(e.outcome.result);
    } catch {
      result = undefined;
    }
  }
  let cmd: DocumentCommand | undefined;
  try {
    cmd = decodeCommand(e.op);
  } catch {
    cmd = undefined;
  }
  const ok = result?.ok === true;
  const entry = result?.ok === true ? result.id : cmd !== undefined && 'id' in cmd ? cmd.id : 0;
  // The entry as it is now (after the turn that applied this command; flushApplied keeps it
  // only on the last operation of each entry in a batch, the others carry null).
  const entryView: EntryView | null = ok && entry > 0 ? (sm.get(entry) ?? null) : null;
  return {
    ...base,
    type: cmd?.type ?? 'unknown',
    author: cmd?.author ?? '',
    time: cmd?.time ?? 0,
    entry,
    ok,
    version: result?.version ?? 0,
    rebased: result?.ok === true && result.rebased,
    code:
      result === undefined
        ? e.outcome.ok
          ? 'bad-result'
          : e.outcome.code
        : result.ok
          ? null
          : result.code,
    message:
      result === undefined
        ? e.outcome.ok
          ? null
          : e.outcome.message
        : result.ok
          ? null
          : result.message,
    entryView,
    logTitle: ok && cmd?.type === 'rename-log' ? cmd.title : null,
  };
}
