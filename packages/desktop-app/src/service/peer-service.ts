/**
 * The peer service: one peer of a shared document log, with typed operations and an event
 * stream. The headless `synod start` hosts it behind the local API; Electron's main process
 * (issue 7) hosts the same service behind IPC. It holds no Electron and no HTTP.
 *
 * Life cycle: a data directory without a log is in `setup` (the store is open, so locked: one
 * peer per directory) until `create()` or `join()`; then `running` (maybe still catching up);
 * `removed` once a member removed it; `leave()` takes it out of the log and back to `setup`
 * (the old store is moved to <dataDir>/left/); `stop()` ends it.
 */
import { mkdirSync, renameSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RemovedError, TimeoutError, type AppliedCommand, type ProtocolOptions } from '@synod/core';
import {
  createPeer,
  ensureDataDir,
  inspectDataDir,
  META_JOINING,
  META_NAME,
  peerDbPath,
  type Peer,
  type PeerOptions,
} from '@synod/peer';
import { openSqliteStorage, type Durability, type SqliteStorage } from '@synod/storage-sqlite';
import {
  decodeInvite,
  JoinRefusedError,
  type DiscoveredPeer,
  type IssuedInvite,
} from '@synod/transport-libp2p';
import {
  decodeCommand,
  decodeResult,
  DocumentLog,
  encodeCommand,
  MAX_NAME,
  type DocumentCommand,
  type DocumentResult,
  type EntryView,
  type HistoryRecord,
} from '../document/index.js';
import {
  AlreadyInitializedError,
  AmbiguousPeerError,
  DocumentError,
  InvalidArgumentError,
  NotInitializedError,
  OperationTimeoutError,
  ServiceStoppedError,
  UnknownPeerError,
} from './errors.js';
import { ProtocolMonitor, type ProtocolTrace } from './protocol-monitor.js';
import { majorityInfo, peerViews, protocolView } from './status.js';
import type {
  AppliedOperation,
  EditOutcome,
  EditRequest,
  ReadMode,
  ServiceEvent,
  ServiceState,
  ServiceStatus,
} from './types.js';
import * as check from './validate.js';

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
  /** How often the status is checked for changes to report, ms (default 250). */
  statusIntervalMs?: number;
}

export interface ListResult {
  readonly title: string;
  readonly entries: readonly EntryView[];
  readonly operations: number;
  readonly lastSlot: number;
  /** How it was read: `local` may be stale. */
  readonly read: ReadMode;
}

export interface HistoryResult {
  readonly records: readonly HistoryRecord[];
  /** The `n` of the oldest record kept, and of the newest operation. */
  readonly from: number;
  readonly operations: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A status event goes out when something changes, and at least this often (lastSeen ages). */
const STATUS_HEARTBEAT_MS = 5000;

type Listener = (event: ServiceEvent) => void;

function defaultName(): string {
  return hostname().slice(0, MAX_NAME) || 'peer';
}

export class PeerService {
  private state: ServiceState = 'setup';
  private peer: Peer<DocumentLog> | undefined;
  private setupStore: SqliteStorage | undefined;
  private myName: string;
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => void) | undefined;
  private transition: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastSignature = '';
  private lastStatusAt = 0;
  private pendingApplied: AppliedOperation[] = [];
  private nameProposed = false;
  private readonly timeoutMs: number;
  /** The protocol messages this peer sends and receives, for the protocol view. */
  private readonly monitor = new ProtocolMonitor();

  private constructor(
    private readonly options: PeerServiceOptions,
    name: string,
  ) {
    this.myName = name;
    this.timeoutMs = options.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Open the data directory: start the peer if it belongs to a log, else wait in `setup`.
   * Throws the store's typed errors (storage-locked: another peer runs on this directory).
   */
  static async open(options: PeerServiceOptions): Promise<PeerService> {
    if (options.name !== undefined) check.name(options.name);
    ensureDataDir(options.dataDir);
    const found = await inspectDataDir(options.dataDir, storeOptions(options));
    const service = new PeerService(options, options.name ?? found.name ?? defaultName());
    await service.settle();
    const interval = options.statusIntervalMs ?? 250;
    service.timer = setInterval(() => service.checkStatus(), interval);
    service.timer.unref();
    return service;
  }

  // ------------------------------------------------------------------ life cycle

  /** Create a new log with this peer as its only member. */
  create(options: { title?: string } = {}): Promise<ServiceStatus> {
    const title = options.title === undefined ? undefined : check.title(options.title);
    return this.serially(async () => {
      const store = this.inSetup();
      await store.close();
      this.setupStore = undefined;
      try {
        await this.startPeer({ init: true });
      } catch (err) {
        await this.settle();
        throw err;
      }
      if (title !== undefined && title !== '') {
        await this.propose({ type: 'rename-log', ...this.stamp(), title });
      }
      return this.status();
    });
  }

  /**
   * Join the log of an invite. Resolves once a member has added this peer (it then catches
   * up: see status().protocol). Throws the transport's typed errors (invalid-invite,
   * already-used, expired, join-failed…).
   */
  join(invite: string): Promise<ServiceStatus> {
    if (typeof invite !== 'string')
      return Promise.reject(new InvalidArgumentError('invite must be a string'));
    const decoded = decodeInvite(invite.trim());
    return this.serially(async () => {
      const store = this.inSetup();
      const prepared = store.logId;
      await store.close();
      this.setupStore = undefined;
      // A store left by a join to another log that never got through holds no log: set it
      // aside rather than refuse (it is kept, never deleted).
      if (prepared !== undefined && prepared !== decoded.logId) this.archive('unused');
      try {
        await this.startPeer({ join: invite.trim() });
      } catch (err) {
        // A refusal is final (the inviter did not add us): do not ask again at the next start.
        if (err instanceof JoinRefusedError) await this.forgetJoin();
        await this.settle().catch(() => undefined);
        throw err;
      }
      return this.status();
    });
  }

  /**
   * Leave the log: remove this peer (it resolves once the configuration without it governs),
   * stop it, move its store to <dataDir>/left/, and return to `setup`.
   */
  leave(): Promise<ServiceStatus> {
    return this.serially(async () => {
      const peer = this.peer;
      if (peer === undefined) throw new NotInitializedError();
      if (!peer.node.status().removed) await peer.leave();
      await this.stopPeer();
      this.archive('left');
      await this.settle();
      this.emit({ type: 'reset' });
      return this.status();
    });
  }

  /** Stop: pending operations fail with StoppedError, the store is closed. */
  stop(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') return;
      if (this.timer !== undefined) clearInterval(this.timer);
      await this.stopPeer();
      await this.setupStore?.close();
      this.setupStore = undefined;
      this.state = 'stopped';
      this.emitStatus();
      this.listeners.clear();
    });
  }

  // ------------------------------------------------------------------ operations

  async append(
    entry: { title: unknown; body: unknown },
    options: { timeoutMs?: unknown } = {},
  ): Promise<{ id: number; version: number }> {
    const title = check.title(entry.title);
    const body = check.body(entry.body);
    const r = await this.propose(
      { type: 'append', ...this.stamp(), title, body },
      check.timeout(options.timeoutMs, this.timeoutMs),
    );
    return { id: r.id, version: r.version };
  }

  async edit(
    id: unknown,
    request: EditRequest | Record<string, unknown>,
    options: { timeoutMs?: unknown } = {},
  ): Promise<{ version: number; rebased: boolean }> {
    const cmd = this.editCommand(id, request);
    const r = await this.propose(cmd, check.timeout(options.timeoutMs, this.timeoutMs));
    return { version: r.version, rebased: r.rebased };
  }

  /**
   * Several edits of one entry, proposed in order with all outstanding at once (a typist's
   * burst): they take effect in this order. Each gets its own outcome.
   */
  async editMany(
    id: unknown,
    edits: unknown,
    options: { timeoutMs?: unknown } = {},
  ): Promise<EditOutcome[]> {
    if (!Array.isArray(edits)) throw new InvalidArgumentError('edits must be an array');
    const commands = edits.map((e) => this.editCommand(id, e as Record<string, unknown>));
    const timeoutMs = check.timeout(options.timeoutMs, this.timeoutMs);
    // Every propose() call takes its place in this peer's order synchronously, here.
    const results = commands.map((c) => this.propose(c, timeoutMs));
    return Promise.all(
      results.map((p) =>
        p.then(
          (r): EditOutcome => ({ ok: true, version: r.version, rebased: r.rebased }),
          (err: unknown): EditOutcome => ({
            ok: false,
            code: (err as { code?: string }).code ?? 'internal',
            message: err instanceof Error ? err.message : String(err),
            version: err instanceof DocumentError ? err.version : 0,
          }),
        ),
      ),
    );
  }

  async delete(
    id: unknown,
    options: { version?: unknown; timeoutMs?: unknown } = {},
  ): Promise<{ version: number }> {
    return this.deleteOrRestore('delete', id, options);
  }

  async restore(
    id: unknown,
    options: { version?: unknown; timeoutMs?: unknown } = {},
  ): Promise<{ version: number }> {
    return this.deleteOrRestore('restore', id, options);
  }

  async renameLog(title: unknown, options: { timeoutMs?: unknown } = {}): Promise<void> {
    const t = check.title(title);
    await this.propose(
      { type: 'rename-log', ...this.stamp(), title: t },
      check.timeout(options.timeoutMs, this.timeoutMs),
    );
  }

  /** Change this peer's display name (kept in the store, and recorded in the log). */
  async setName(name: unknown): Promise<void> {
    const n = check.name(name);
    this.myName = n;
    if (this.peer !== undefined) {
      await this.peer.setName(n);
      await this.propose({ type: 'set-name', ...this.stamp() });
    } else if (this.setupStore !== undefined) {
      await this.setupStore.setMeta(META_NAME, new TextEncoder().encode(n));
    }
    this.emitStatus();
  }

  /** The entries: linearizable by default (confirmed by the leader with a majority). */
  list(
    options: {
      read?: unknown;
      includeDeleted?: unknown;
      bodies?: unknown;
      timeoutMs?: unknown;
    } = {},
  ): Promise<ListResult> {
    const mode = readMode(options.read);
    return this.read(mode, options.timeoutMs, (sm) => {
      const stats = sm.stats();
      return {
        title: stats.title,
        entries: sm.list({
          includeDeleted: options.includeDeleted === true,
          bodies: options.bodies !== false,
        }),
        operations: stats.operations,
        lastSlot: stats.lastSlot,
        read: mode,
      };
    });
  }

  async get(
    id: unknown,
    options: { read?: unknown; timeoutMs?: unknown } = {},
  ): Promise<EntryView> {
    const n = check.positive(id, 'id');
    const entry = await this.read(readMode(options.read), options.timeoutMs, (sm) => sm.get(n));
    if (entry === undefined) throw new DocumentError('unknown-entry', `no entry ${n}`, 0);
    return entry;
  }

  /** The decided history, oldest first: records with n > after, or the newest `limit`. */
  history(
    options: { after?: unknown; limit?: unknown; read?: unknown; timeoutMs?: unknown } = {},
  ): Promise<HistoryResult> {
    const after = options.after === undefined ? undefined : nonNegative(options.after, 'after');
    const limit = options.limit === undefined ? 100 : check.positive(options.limit, 'limit');
    return this.read(readMode(options.read), options.timeoutMs, (sm) => {
      const stats = sm.stats();
      return {
        records: sm.historyRecords({ after, limit: Math.min(limit, 10_000) }),
        from: stats.historyFrom,
        operations: stats.operations,
      };
    });
  }

  /** A single-use invite to this log. */
  invite(options: { ttlMs?: unknown } = {}): Promise<IssuedInvite> {
    const peer = this.running();
    const ttlMs = options.ttlMs === undefined ? undefined : check.timeout(options.ttlMs, 0);
    return peer.invite(ttlMs !== undefined ? { ttlMs } : {});
  }

  /** Remove a member, named by peer id or by a name only it uses. */
  async remove(ref: unknown, options: { timeoutMs?: unknown } = {}): Promise<string> {
    const peer = this.running();
    if (typeof ref !== 'string' || ref.length === 0) throw new UnknownPeerError(String(ref));
    const id = this.resolvePeer(ref);
    const timeoutMs = check.timeout(options.timeoutMs, this.timeoutMs);
    try {
      await peer.node.removePeer(id, { timeoutMs });
    } catch (err) {
      throw this.timeoutError(err, timeoutMs);
    }
    this.emitStatus();
    return id;
  }

  /** Peers found on the LAN (mDNS) or by address, members or not. */
  discovered(): DiscoveredPeer[] {
    return this.peer?.transport.discoveredPeers() ?? [];
  }

  /**
   * What the protocol view draws: this peer's acceptor, leader and replica state (as in
   * status().protocol), the protocol messages after cursor `after` (at most `limit`, the
   * newest), and the other peers as their messages show them.
   */
  protocol(options: { after?: unknown; limit?: unknown } = {}): {
    self: string | null;
    protocol: ServiceStatus['protocol'];
    trace: ProtocolTrace;
  } {
    const after = options.after === undefined ? 0 : nonNegative(options.after, 'after');
    const limit = options.limit === undefined ? 200 : check.positive(options.limit, 'limit');
    const peer = this.peer;
    return {
      self: peer?.id ?? null,
      protocol: peer === undefined ? null : protocolView(peer.node.status()),
      trace: this.monitor.trace(after, Math.min(limit, 1000)),
    };
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
    };
  }

  /** Events: applied operations (batched per turn), status changes, resets. Returns unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ internals

  private editCommand(id: unknown, r: EditRequest | Record<string, unknown>): DocumentCommand {
    if (typeof r !== 'object' || r === null)
      throw new InvalidArgumentError('an edit must be an object');
    const rebase = (r as { rebase?: unknown }).rebase;
    if (rebase !== undefined && typeof rebase !== 'boolean') {
      throw new InvalidArgumentError('rebase must be a boolean');
    }
    const t = (r as { title?: unknown }).title;
    return {
      type: 'edit',
      ...this.stamp(),
      id: check.positive(id, 'id'),
      version: check.positive((r as { version?: unknown }).version, 'version'),
      patches: check.patches((r as { patches?: unknown }).patches),
      ...(t !== undefined ? { title: check.title(t) } : {}),
      ...(rebase === true ? { rebase: true } : {}),
    };
  }

  private async deleteOrRestore(
    type: 'delete' | 'restore',
    id: unknown,
    options: { version?: unknown; timeoutMs?: unknown },
  ): Promise<{ version: number }> {
    const version = options.version === undefined ? 0 : check.positive(options.version, 'version');
    const r = await this.propose(
      { type, ...this.stamp(), id: check.positive(id, 'id'), version },
      check.timeout(options.timeoutMs, this.timeoutMs),
    );
    return { version: r.version };
  }

  private stamp(): { time: number; author: string } {
    return { time: Date.now(), author: this.myName };
  }

  private running(): Peer<DocumentLog> {
    if (this.state === 'stopped') throw new ServiceStoppedError();
    const peer = this.peer;
    if (peer === undefined) throw new NotInitializedError();
    if (this.state === 'removed') throw new RemovedError();
    return peer;
  }

  private async propose(
    cmd: DocumentCommand,
    timeoutMs = this.timeoutMs,
  ): Promise<Extract<DocumentResult, { ok: true }>> {
    const peer = this.running();
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
    timeout: unknown,
    query: (sm: DocumentLog) => T,
  ): Promise<T> {
    const peer = this.running();
    const timeoutMs = check.timeout(timeout, this.timeoutMs);
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

  private inSetup(): SqliteStorage {
    if (this.state === 'stopped') throw new ServiceStoppedError();
    if (this.setupStore === undefined) throw new AlreadyInitializedError(this.peer?.logId ?? '?');
    return this.setupStore;
  }

  /** One life-cycle change at a time. */
  private serially<T>(f: () => Promise<T>): Promise<T> {
    const result = this.transition.then(f, f);
    this.transition = result.catch(() => undefined);
    return result;
  }

  /**
   * Start the peer if the directory belongs to a log (or a join of it was under way), else
   * wait in `setup`, holding the store open: its lock keeps a second peer off the directory.
   */
  private async settle(): Promise<void> {
    const o = this.options;
    const found = await inspectDataDir(o.dataDir, storeOptions(o));
    if (found.member !== undefined || found.joining !== undefined) {
      try {
        await this.startPeer({ init: false });
        return;
      } catch (err) {
        // A member that cannot start is an error; a join that cannot complete (the inviter
        // gone, the invite refused) leaves this peer in setup, to join again.
        if (found.member !== undefined) throw err;
        if (err instanceof JoinRefusedError) await this.forgetJoin();
      }
    }
    this.setupStore = await openSqliteStorage(peerDbPath(o.dataDir), storeOptions(o));
    this.state = 'setup';
    this.emitStatus();
  }

  /** Drop the invite of a join that was refused, so that no start presents it again. */
  private async forgetJoin(): Promise<void> {
    const o = this.options;
    const store = await openSqliteStorage(peerDbPath(o.dataDir), storeOptions(o));
    try {
      await store.setMeta(META_JOINING, new Uint8Array(0));
    } finally {
      await store.close();
    }
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
      ...storeOptions(o),
    });
    this.peer = peer;
    this.state = 'running';
    this.nameProposed = false;
    this.unsubscribe = peer.node.subscribe((e) => this.onApplied(e, sm));
    this.emit({ type: 'reset' });
    this.emitStatus();
  }

  private async stopPeer(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const peer = this.peer;
    this.peer = undefined;
    await peer?.stop();
  }

  /** Move the store aside (never delete: it may be needed to understand what happened). */
  private archive(why: 'left' | 'unused'): void {
    const dir = join(this.options.dataDir, why);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const db = peerDbPath(this.options.dataDir);
    for (const suffix of ['', '-wal', '-journal', '-shm']) {
      if (existsSync(db + suffix)) renameSync(db + suffix, join(dir, `peer-${stamp}.db${suffix}`));
    }
  }

  private onApplied(e: AppliedCommand, sm: DocumentLog): void {
    if (this.listeners.size === 0) return;
    if (this.pendingApplied.length === 0) setImmediate(() => this.flushApplied());
    this.pendingApplied.push(describe(e, sm));
  }

  private flushApplied(): void {
    const operations = this.pendingApplied;
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
    const status = this.status();
    this.lastSignature = signature(status);
    this.lastStatusAt = Date.now();
    this.emit({ type: 'status', status });
  }

  /** Periodic: notice removal and failure, report changes, record our name in the log. */
  private checkStatus(): void {
    const peer = this.peer;
    if (peer !== undefined && this.state === 'running') {
      const s = peer.node.status();
      if (s.failure !== null) this.state = 'failed';
      else if (s.removed) this.state = 'removed';
      else if (!this.nameProposed && s.initialized && majorityInfo(s)?.ok === true) {
        this.nameProposed = true;
        // A linearizable read, not this replica's copy: after a restart the name may sit in a
        // slot that a new leader is still re-deciding, and a local read would record it twice.
        peer.node
          .read((sm) => sm.nameOf(peer.id), { timeoutMs: this.timeoutMs })
          .then((recorded) =>
            recorded === this.myName
              ? undefined
              : this.propose({ type: 'set-name', ...this.stamp() }),
          )
          .catch(() => {
            this.nameProposed = false;
          });
      }
    }
    if (this.listeners.size === 0) return;
    const status = this.status();
    const sig = signature(status);
    if (sig !== this.lastSignature || Date.now() - this.lastStatusAt >= STATUS_HEARTBEAT_MS) {
      this.lastSignature = sig;
      this.lastStatusAt = Date.now();
      this.emit({ type: 'status', status });
    }
  }
}

function storeOptions(o: PeerServiceOptions): { durability?: Durability; nativeBinding?: string } {
  return {
    ...(o.durability !== undefined ? { durability: o.durability } : {}),
    ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
  };
}

function readMode(v: unknown): ReadMode {
  if (v === undefined || v === 'linearizable') return 'linearizable';
  if (v === 'local') return 'local';
  throw new InvalidArgumentError('read must be "linearizable" or "local"');
}

function nonNegative(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer`);
  }
  return v;
}

/** The status without what changes all the time (lastSeen, RTT): changes worth an event. */
function signature(s: ServiceStatus): string {
  return JSON.stringify({
    ...s,
    peers: s.peers.map((p) => ({ ...p, lastSeen: null, rttMs: null })),
  });
}

/** An applied command as the event stream tells it. */
function describe(e: AppliedCommand, sm: DocumentLog): AppliedOperation {
  const base = { slot: e.slot, client: e.client, rebased: false };
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
  return {
    ...base,
    type: cmd?.type ?? 'unknown',
    author: cmd?.author ?? '',
    time: cmd?.time ?? 0,
    entry: result?.ok === true ? result.id : cmd !== undefined && 'id' in cmd ? cmd.id : 0,
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
  };
}
