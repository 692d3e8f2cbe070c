/**
 * The peer service: one peer (one data directory, one libp2p node: a PeerHost of @synod/peer)
 * with any number of shared document logs, and one method per operation of the operation table
 * (operations/table.ts: it `implements OperationHandlers`) and an event stream. Each operation
 * method parses its request with the operation's schema before it acts (validateRequests): an
 * app calling it directly gets the same typed refusal as the local API and Electron's IPC (the
 * host module, host/, serves it over both), and the request is parsed once on every path. It
 * holds no Electron and no HTTP.
 *
 * Each log is a LogService (log-service.ts): its document, entries, history, members, invites
 * and protocol view. An operation of one log names it (`request.log`: its name on this peer or
 * its id); left out, it is the only log, and with several logs that is an error listing them
 * (`log-required`), which changes nothing.
 *
 * Life cycle: a data directory without a log is in `setup` (the directory is held, so locked:
 * one peer per directory; with LAN discovery, members of logs on the LAN may be asked for an
 * invite) until `createLog` or `join` starts the host and its first log. More logs are created,
 * joined, opened, closed and left at run time; leaving the last one returns to `setup`.
 * `suspend` stops every log and the node (sleep), `resume` starts them again; `stop()` ends it.
 * A directory of one log from before many logs per peer (its log in peer.db) opens unchanged:
 * its log is the host's home log.
 */
import { hostname } from 'node:os';
import type { ProtocolOptions } from '@synod/core';
import {
  checkListenAddresses,
  createHost,
  decodeInvite,
  JoinRefusedError,
  PeerDirectory,
  UnknownLogError,
  type Durability,
  type LanAsker,
  type PeerHost,
} from '@synod/peer';
import { MAX_NAME } from '../document/index.js';
import type {
  OperationHandlers,
  OperationRequest as Req,
  OperationResult as Res,
} from '../operations/table.js';
import { validateRequests } from '../operations/validate.js';
import {
  AlreadyInitializedError,
  LanUnavailableError,
  LogNameRequiredError,
  LogRequiredError,
  NotInitializedError,
  ServiceStoppedError,
} from './errors.js';
import { LogService, STATUS_HEARTBEAT_MS, type LogContext, type LogStart } from './log-service.js';
import { NO_NODE } from './status.js';
import { ProtocolMonitor } from './protocol-monitor.js';
import type { LogsView, ServiceEvent, ServiceStatus } from './types.js';

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
/** The protocol view of a peer in no log: nothing sent or received. */
const NO_TRACE = new ProtocolMonitor().trace(0, 0);

type Listener = (event: ServiceEvent) => void;

export interface SubscribeOptions {
  /** The listener shows invite requests to a person who can answer them (a UI). */
  readonly answersInviteRequests?: boolean;
}

function defaultName(): string {
  return hostname().slice(0, MAX_NAME) || 'peer';
}

type HostState = LogsView['state'];

export class PeerService implements OperationHandlers {
  private state: HostState = 'setup';
  /** The node and its logs, while any log is here (not in setup, nor suspended). */
  private host: PeerHost | undefined;
  /** Every log of the directory, open or closed, by id. */
  private readonly logMap = new Map<string, LogService>();
  private readonly directory: PeerDirectory;
  private myName: string;
  private readonly listeners = new Set<Listener>();
  /** The listeners that show invite requests to a person who can answer them (a UI). */
  private readonly answerers = new Set<Listener>();
  private transition: Promise<unknown> = Promise.resolve();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly timeoutMs: number;
  /** In setup with LAN discovery on: members found on the LAN, to ask for an invite. */
  private asker: LanAsker | undefined;
  private readonly ctx: LogContext;

  private constructor(
    private readonly options: PeerServiceOptions,
    directory: PeerDirectory,
    name: string,
  ) {
    this.directory = directory;
    this.myName = name;
    this.timeoutMs = options.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ctx = {
      dataDir: options.dataDir,
      name: () => this.myName,
      timeoutMs: this.timeoutMs,
      listening: () => this.listeners.size > 0,
      emit: (e) => this.emit(e),
      changed: () => this.logsChanged(),
    };
    validateRequests<PeerService>(this, { status: true, logs: true });
  }

  /**
   * Open the data directory: start its logs, if it has any, else wait in `setup`. Throws the
   * store's typed errors (storage-locked: another peer runs on this directory).
   */
  static async open(options: PeerServiceOptions): Promise<PeerService> {
    // Checked now, though a peer in setup listens only once it has a log: a bad address would
    // otherwise refuse the first init or join, as an error of the API (500).
    if (options.listen !== undefined) checkListenAddresses(options.listen);
    const directory = PeerDirectory.open(options);
    const found = await directory.state();
    const service = new PeerService(
      options,
      directory,
      options.name ?? found.name ?? defaultName(),
    );
    await service.settle();
    service.heartbeat = setInterval(() => {
      for (const log of service.logMap.values()) {
        if (Date.now() - log.lastStatusAt >= STATUS_HEARTBEAT_MS) log.emitStatus();
      }
    }, STATUS_HEARTBEAT_MS);
    service.heartbeat.unref();
    return service;
  }

  // ------------------------------------------------------------------ the logs

  /** This peer's logs. */
  logs(): LogsView {
    return {
      state: this.state,
      id: this.host?.id ?? null,
      name: this.myName,
      logs: [...this.logMap.values()]
        .map((l) => l.summary())
        .sort(
          (a, b) =>
            (a.logName ?? '\uffff').localeCompare(b.logName ?? '\uffff') ||
            a.logId.localeCompare(b.logId),
        ),
    };
  }

  /** Create a new log with this peer as its only member (beside others: named). */
  createLog(request: Req<'createLog'>): Promise<ServiceStatus> {
    return this.serially(async () => {
      const log = await this.startLog(crypto.randomUUID(), request.logName, {
        kind: 'create',
        logName: request.logName,
      });
      if (request.title !== undefined && request.title !== '') {
        await log.renameLog({ title: request.title });
      }
      return log.status();
    });
  }

  /**
   * Join the log of an invite. Resolves once a member has added this peer (it then catches
   * up: see status().protocol). Throws the transport's typed errors (invalid-invite,
   * already-used, expired, join-failed…).
   */
  async join(request: Req<'join'>): Promise<ServiceStatus> {
    // Decode first: a typo changes nothing.
    const { logId } = decodeInvite(request.invite);
    if (request.name !== undefined) await this.setName({ name: request.name });
    return this.serially(async () => {
      const log = await this.startLog(logId, request.logName, {
        kind: 'join',
        invite: request.invite,
        logName: request.logName,
      });
      return log.status();
    });
  }

  /**
   * First run on a LAN: ask a member that answered this peer's LAN query (discovered) for an
   * invite — its user accepts or declines in its app — then join with it. Throws the typed
   * refusal (declined, busy, not-accepting, timeout) or invite-request-failed.
   */
  async askToJoin(request: Req<'askToJoin'>): Promise<ServiceStatus> {
    if (request.name !== undefined) await this.setName({ name: request.name });
    if (this.state !== 'setup') {
      throw new AlreadyInitializedError(this.logMap.keys().next().value ?? '?');
    }
    const asker = this.asker;
    if (asker === undefined) {
      throw new LanUnavailableError('LAN discovery is off (started with --no-mdns)');
    }
    const invite = await asker.requestInvite(request.peer, { name: this.myName });
    return this.join({ invite });
  }

  /** Start a closed log again. */
  openLog(request: Req<'openLog'>): Promise<ServiceStatus> {
    return this.serially(async () => {
      const log = this.logOf(request.log);
      if (!log.open) await log.start(this.runningHost(), { kind: 'open' }, this.logOptions());
      this.logsChanged();
      return log.status();
    });
  }

  /** Stop a log's core here; its file stays. */
  closeLog(request: Req<'closeLog'>): Promise<LogsView> {
    return this.serially(async () => {
      const log = this.logOf(request.log);
      if (log.open) {
        await log.detach('closed');
        await this.host?.closeLog(log.logId).catch(() => undefined);
      }
      this.logsChanged();
      return this.logs();
    });
  }

  /**
   * Leave a log: remove this peer (it resolves once the configuration without it governs),
   * stop it, and set its store aside in <dataDir>/left/. The last log left: back to `setup`,
   * as a new peer (its identity set aside too).
   */
  leave(request: Req<'leave'>): Promise<LogsView> {
    return this.serially(async () => {
      const log = this.logOf(request.log);
      await log.leave(this.runningHost(), request.timeoutMs ?? this.timeoutMs, request.force);
      this.logMap.delete(log.logId);
      this.emit({ type: 'reset', log: log.logId });
      if (this.logMap.size === 0) {
        // The last log left: the peer starts over as a new peer (a new identity), as it did
        // before many logs per peer: peer.db (identity, name) goes to left/ too. A peer still in
        // other logs keeps its identity: they use it.
        await this.stopHost();
        this.directory.setAside('left');
        await this.toSetup();
      }
      this.logsChanged();
      return this.logs();
    });
  }

  /**
   * Before the system sleeps or the app quits: stop every log (the logs this peer leads hand
   * leadership over first, each its links close) and the node, keeping the stores. Writes fail
   * with `stopped` until resume.
   */
  suspend(): Promise<LogsView> {
    return this.serially(async () => {
      if (this.state === 'running') {
        await this.handOverAll();
        for (const log of this.logMap.values()) await log.detach('suspended');
        await this.stopHost();
        this.state = 'suspended';
        this.logsChanged();
      }
      return this.logs();
    });
  }

  /** After wake: start the node and its logs again; they reconnect and catch up. */
  resume(): Promise<LogsView> {
    return this.serially(async () => {
      if (this.state === 'suspended') await this.settle();
      return this.logs();
    });
  }

  /** Stop: pending operations fail with StoppedError, the stores are closed. */
  stop(): Promise<void> {
    return this.serially(async () => {
      if (this.state === 'stopped') return;
      if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
      await this.handOverAll();
      for (const log of this.logMap.values()) await log.detach('stopped');
      await this.stopHost();
      await this.stopAsker();
      await this.directory.release();
      this.state = 'stopped';
      this.logsChanged();
      this.listeners.clear();
      this.answerers.clear();
    });
  }

  // ------------------------------------------------------------------ operations of one log

  status(r: Req<'status'> = {}): ServiceStatus {
    if (r.log === undefined && this.logMap.size === 0) return this.setupStatus();
    return this.logOf(r.log).status();
  }

  append(r: Req<'append'>): Promise<Res<'append'>> {
    return this.logOf(r.log).append(r);
  }

  edit(r: Req<'edit'>): Promise<Res<'edit'>> {
    return this.logOf(r.log).edit(r);
  }

  editMany(r: Req<'editMany'>): Promise<Res<'editMany'>> {
    return this.logOf(r.log).editMany(r);
  }

  deleteEntry(r: Req<'deleteEntry'>): Promise<Res<'deleteEntry'>> {
    return this.logOf(r.log).deleteEntry(r);
  }

  restoreEntry(r: Req<'restoreEntry'>): Promise<Res<'restoreEntry'>> {
    return this.logOf(r.log).restoreEntry(r);
  }

  renameLog(r: Req<'renameLog'>): Promise<Res<'renameLog'>> {
    return this.logOf(r.log).renameLog(r);
  }

  entries(r: Req<'entries'> = {}): Promise<Res<'entries'>> {
    return this.logOf(r.log).entries(r);
  }

  entry(r: Req<'entry'>): Promise<Res<'entry'>> {
    return this.logOf(r.log).entry(r);
  }

  history(r: Req<'history'> = {}): Promise<Res<'history'>> {
    return this.logOf(r.log).history(r);
  }

  invite(r: Req<'invite'> = {}): Promise<Res<'invite'>> {
    return this.logOf(r.log).invite(r);
  }

  answerInviteRequest(r: Req<'answerInviteRequest'>): Promise<Res<'answerInviteRequest'>> {
    return Promise.resolve(this.logOf(r.log).answerInviteRequest(r));
  }

  removePeer(r: Req<'removePeer'>): Promise<Res<'removePeer'>> {
    return this.logOf(r.log).removePeer(r);
  }

  protocol(r: Req<'protocol'> = {}): Promise<Res<'protocol'>> {
    if (r.log === undefined && this.logMap.size === 0) {
      return Promise.resolve({ self: null, protocol: null, trace: NO_TRACE });
    }
    return Promise.resolve(this.logOf(r.log).protocol(r));
  }

  // ------------------------------------------------------------------ the peer as a whole

  /** Change this peer's display name (kept in the data directory, and recorded in its logs). */
  async setName(r: Req<'setName'>): Promise<Res<'setName'>> {
    this.myName = r.name;
    if (this.host !== undefined) {
      await this.host.setName(r.name);
      for (const log of this.logMap.values()) await log.setName(r.name);
    } else if (this.directory.holding) {
      await this.directory.setName(r.name);
    }
    this.logsChanged();
    for (const log of this.logMap.values()) log.emitStatus();
    return {};
  }

  /**
   * Peers found on the LAN (mDNS) or by address, members of a log of this peer or not; in
   * setup, the members of logs that answered this peer's LAN query.
   */
  discovered(): Promise<Res<'discovered'>> {
    const host = this.host;
    if (host === undefined) {
      const found = this.asker?.peers() ?? [];
      return Promise.resolve({ peers: found.map((p) => ({ ...p, member: false })) });
    }
    return Promise.resolve({ peers: host.transport.discoveredPeers() });
  }

  /**
   * Events: applied operations (batched per turn), status changes, resets, the list of logs.
   * Returns unsubscribe. A UI says `answersInviteRequests`: only while one follows does this
   * member take invite requests, and so let strangers connect to ask (`synod start`'s own
   * report of the events answers nothing: with it alone, a member with no invite out lets no
   * stranger connect).
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

  /** The log a request names, or the only one. Refuses unknown and ambiguous references. */
  private logOf(ref: string | undefined): LogService {
    if (this.state === 'stopped') throw new ServiceStoppedError();
    const all = [...this.logMap.values()];
    if (ref === undefined) {
      if (all.length === 1) return all[0]!;
      if (all.length === 0) throw new NotInitializedError();
      throw new LogRequiredError(this.logs().logs.map((l) => l.logName ?? l.logId));
    }
    const byId = this.logMap.get(ref);
    if (byId !== undefined) return byId;
    const named = all.filter((l) => l.isNamed(ref));
    if (named.length === 1) return named[0]!;
    throw new UnknownLogError(
      ref,
      this.logs().logs.map((l) => l.logName ?? l.logId),
    );
  }

  /** The host, started if this peer was in setup. */
  private async ensureHost(): Promise<PeerHost> {
    if (this.state === 'stopped') throw new ServiceStoppedError();
    if (this.host !== undefined) return this.host;
    await this.stopAsker();
    await this.directory.release();
    const o = this.options;
    try {
      this.host = await createHost({
        dataDir: o.dataDir,
        name: this.myName,
        mdns: o.mdns ?? true,
        ...(o.listen !== undefined ? { listen: o.listen } : {}),
        ...(o.psk !== undefined ? { psk: o.psk } : {}),
        ...(o.durability !== undefined ? { durability: o.durability } : {}),
        ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
        ...(o.wireVersions !== undefined ? { transport: { wireVersions: o.wireVersions } } : {}),
      });
    } catch (err) {
      await this.toSetup().catch(() => undefined);
      throw err;
    }
    this.state = 'running';
    return this.host;
  }

  private runningHost(): PeerHost {
    if (this.host === undefined) throw new ServiceStoppedError();
    return this.host;
  }

  private logOptions(): { protocol?: Partial<ProtocolOptions>; bootstrap?: string[] } {
    const o = this.options;
    return {
      ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
      ...(o.bootstrap !== undefined ? { bootstrap: o.bootstrap } : {}),
    };
  }

  /** Create or join a log: a second one must have a name here (to tell them apart). */
  private async startLog(
    logId: string,
    logName: string | undefined,
    how: LogStart,
  ): Promise<LogService> {
    if (this.state === 'stopped' || this.state === 'suspended') throw new ServiceStoppedError();
    const existing = this.logMap.get(logId);
    if (existing !== undefined) throw new AlreadyInitializedError(logId);
    if (this.logMap.size > 0 && logName === undefined) {
      throw new LogNameRequiredError(this.logMap.keys().next().value!);
    }
    const host = await this.ensureHost();
    const log = new LogService(logId, logName, this.ctx);
    try {
      await log.start(host, how, this.logOptions());
    } catch (err) {
      // A join refused, or a create that failed: the peer goes on with the logs it had.
      if (this.logMap.size === 0) await this.toSetup().catch(() => undefined);
      throw err;
    }
    this.logMap.set(logId, log);
    this.takeInviteRequests();
    this.logsChanged();
    return log;
  }

  /** One life-cycle change at a time. */
  private serially<T>(f: () => Promise<T>): Promise<T> {
    const result = this.transition.then(f, f);
    this.transition = result.catch(() => undefined);
    return result;
  }

  /**
   * Start the host and every log of the directory (a join under way resumes), if it has any;
   * else wait in `setup`, holding the directory: its lock keeps a second peer off it.
   */
  private async settle(): Promise<void> {
    if (!(await this.directory.hasLogs())) {
      await this.toSetup();
      return;
    }
    const host = await this.ensureHost();
    for (const entry of await host.logs()) {
      const log =
        this.logMap.get(entry.logId) ?? new LogService(entry.logId, entry.logName, this.ctx);
      try {
        await log.start(host, { kind: 'open' }, this.logOptions());
      } catch (err) {
        // A member that cannot start is an error; a join that cannot complete (the inviter
        // gone, the invite refused) is dropped (refused) or left for the next start.
        if (entry.member) throw err;
        if (err instanceof JoinRefusedError) await host.discardLog(entry.logId);
        continue;
      }
      this.logMap.set(entry.logId, log);
    }
    if (this.logMap.size === 0) {
      await this.toSetup();
      return;
    }
    this.takeInviteRequests();
    this.logsChanged();
  }

  /** No log: stop the node, hold the directory, and look for logs on the LAN. */
  private async toSetup(): Promise<void> {
    await this.stopHost();
    await this.directory.hold();
    this.state = 'setup';
    await this.startAsker();
    this.emit({ type: 'status', status: this.setupStatus() });
  }

  /**
   * Every log this peer leads hands leadership over, all at once (each is bounded; one after
   * the other, as the logs are detached, they would add up).
   */
  private async handOverAll(): Promise<void> {
    await Promise.all([...this.logMap.values()].map((log) => log.handOver()));
  }

  private async stopHost(): Promise<void> {
    const host = this.host;
    this.host = undefined;
    await host?.stop();
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
   * One log answers them (the first running one: an asker names no log).
   */
  private takeInviteRequests(): void {
    const someone = this.answerers.size > 0 && this.state === 'running';
    const answering = [...this.logMap.values()].find((l) => l.running);
    for (const log of this.logMap.values()) if (log !== answering) log.takeInviteRequests(false);
    answering?.takeInviteRequests(someone);
  }

  private setupStatus(): ServiceStatus {
    return {
      state: this.state === 'running' ? 'setup' : this.state,
      dataDir: this.options.dataDir,
      name: this.myName,
      logId: null,
      logName: null,
      ...NO_NODE,
    };
  }

  private logsChanged(): void {
    this.emit({ type: 'logs', logs: this.logs() });
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
}
