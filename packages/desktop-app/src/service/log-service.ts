/**
 * One log of the peer service: its document, its operations (entries, history, edits, invites,
 * members), its status, its protocol view and its events. The peer service (peer-service.ts)
 * holds one per log of the data directory and hands each request naming a log to it; this class
 * knows nothing of the others, nor of HTTP or Electron.
 *
 * Its core runs on the service's PeerHost (@synod/peer): `start` creates, joins or opens the log
 * there; `detach` stops it (suspend, close, leave) and `start` with `open` brings it back. The
 * document (DocumentLog) is made anew at every start (the store replays into it); the protocol
 * monitor, the name and the listeners stay.
 */
import { HandoverPendingError, RemovedError, TimeoutError, type AppliedCommand } from '@synod/core';
import type { PeerHost, Peer, LogOptions } from '@synod/peer';
import {
  decodeCommand,
  decodeResult,
  DocumentLog,
  encodeCommand,
  type DocumentCommand,
  type DocumentResult,
  type EntryView,
} from '../document/index.js';
import type { OperationRequest as Req, OperationResult as Res } from '../operations/table.js';
import {
  AmbiguousPeerError,
  DocumentError,
  LogClosedError,
  OperationTimeoutError,
  UnknownPeerError,
} from './errors.js';
import { InviteRequests } from './invite-requests.js';
import { ProtocolMonitor } from './protocol-monitor.js';
import { majorityInfo, NO_NODE, peerViews, protocolView } from './status.js';
import type {
  AppliedOperation,
  EditOutcome,
  LogSummary,
  ReadMode,
  ServiceEvent,
  ServiceState,
  ServiceStatus,
} from './types.js';

/** A status event goes out at least this often (peers' lastSeen and RTT age). */
export const STATUS_HEARTBEAT_MS = 5000;
/** Status changes closer together than this go out as one event (a busy log changes slot_out at every turn). */
const STATUS_COALESCE_MS = 50;

/** What a log takes from the peer service. */
export interface LogContext {
  readonly dataDir: string;
  /** This peer's display name now. */
  name(): string;
  /** Default timeout of writes and linearizable reads, ms. */
  readonly timeoutMs: number;
  /** Whether anyone follows the events (applied operations are described only then). */
  listening(): boolean;
  emit(event: ServiceEvent): void;
  /** The log's state changed in a way the list of logs shows. */
  changed(): void;
}

/** How a log starts on the host. */
export type LogStart =
  | { readonly kind: 'create'; readonly logName?: string | undefined }
  | { readonly kind: 'join'; readonly invite: string; readonly logName?: string | undefined }
  | { readonly kind: 'open' };

export class LogService {
  private state: ServiceState = 'stopped';
  private peer: Peer<DocumentLog> | undefined;
  private unsubscribe: (() => void)[] = [];
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingApplied: AppliedOperation[] = [];
  private nameProposed = false;
  /** The protocol messages this peer sends and receives in this log, for the protocol view. */
  private readonly monitor = new ProtocolMonitor();
  /** LAN peers in no log asking this member for an invite, waiting for the user's answer. */
  private readonly inviteRequests = new InviteRequests(() => this.emitStatus());
  lastStatusAt = 0;
  /** The title the list of logs shows (it changes with a rename, or once a joiner caught up). */
  private listedTitle: string | null = null;

  constructor(
    /** The log's id (known before it starts: from the invite, or chosen here). */
    readonly logId: string,
    private logName: string | undefined,
    private readonly ctx: LogContext,
  ) {}

  /** Create, join or open the log on `host`; resolves once it runs (a join: once added). */
  async start(
    host: PeerHost,
    how: LogStart,
    options: Pick<LogOptions<DocumentLog>, 'protocol' | 'bootstrap'>,
  ): Promise<void> {
    const sm = new DocumentLog();
    sm.onReset = () => this.ctx.emit({ type: 'reset', log: this.logId });
    const common = {
      stateMachine: sm,
      name: this.ctx.name(),
      onMessage: this.monitor.observe,
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      ...(options.bootstrap !== undefined ? { bootstrap: options.bootstrap } : {}),
    };
    const peer =
      how.kind === 'create'
        ? await host.createLog({ ...common, logId: this.logId, logName: how.logName })
        : how.kind === 'join'
          ? await host.joinLog({ ...common, invite: how.invite, logName: how.logName })
          : await host.openLog({ ...common, log: this.logId });
    this.peer = peer;
    this.logName = peer.logName();
    this.state = 'running';
    this.nameProposed = false;
    this.unsubscribe = [
      peer.node.subscribe((e) => this.onApplied(e, sm)),
      peer.node.watchStatus(() => this.onStatusChange()),
    ];
    // What the node loaded: a log that removed this peer is `removed` now, not at the next
    // status change, which with the members away may never come.
    this.noticeState(peer);
    this.ctx.emit({ type: 'reset', log: this.logId });
    this.emitStatus();
  }

  /**
   * If this peer leads the log, hand leadership over to a member it is connected to, so that
   * the others' writes wait a round trip rather than an election timeout (before a close, a
   * sleep, a quit or a leave: @synod/peer's handOver), and say so on the console. Bounded (two
   * election timeouts, within 2–5 s); never throws: a handover that fails is said, and the
   * caller goes on.
   */
  async handOver(): Promise<void> {
    const outcome = await this.peer?.handOver();
    if (outcome === undefined || outcome.kind === 'not-leader') return;
    const line = `synod: log ${this.logName ?? this.logId}: ${outcome.line}`;
    if (outcome.kind === 'handed-over') console.log(line);
    else console.warn(line);
  }

  /**
   * Stop the log's core here (its file stays): `closed`, `suspended` or `stopped`. A removed
   * peer's hand-over still pending is waited for first, bounded (@synod/peer's stop), and what
   * became of it is said. `waited`: a forced leave has just waited for it and said so; the stop
   * neither waits again nor says it again.
   */
  async detach(state: 'closed' | 'suspended' | 'stopped', waited = false): Promise<void> {
    await this.handOver();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    this.peer?.onInviteRequest(undefined);
    this.inviteRequests.declineAll();
    const peer = this.peer;
    this.peer = undefined;
    this.state = state;
    await peer?.stop(waited ? { removalHandoverWaitMs: 0 } : {});
    // A removed peer's stop waited for its hand-over (bounded): say what became of it.
    const h = peer?.removalHandover;
    if (h !== undefined && !waited) {
      const line = `synod: log ${this.logName ?? this.logId}: ${h.line}`;
      if (h.kind === 'done') console.log(line);
      else console.warn(line);
    }
    this.emitStatus();
  }

  /**
   * Take this peer out of the log (resolves once the configuration without it governs and a
   * member that stays holds every slot before it), and set its file aside. Its only member has
   * no one to tell: the log just goes (into left/). Bounded by `timeoutMs`: past it, the log
   * stays open here and the error says why (a removal decided but not yet handed over:
   * `handover-pending`; the next leave waits for that hand-over again).
   *
   * `force` sets the log aside past `handover-pending` all the same, after the same wait: the
   * user's way out when no member that stays can confirm (they compacted past this peer's
   * removal and refuse it: docs/protocol.md, "A peer that leaves hands over first"). This peer
   * cannot tell that from a member that stays being away, so it is never done unasked. Only past
   * `handover-pending`, that is once the removal is decided: never a member's log (a dead
   * acceptor left in the configuration). The file is kept in left/, as for every leave.
   */
  async leave(host: PeerHost, timeoutMs: number, force = false): Promise<void> {
    const peer = this.peer;
    const s = peer?.node.status();
    const members = new Set([...(s?.config?.acceptors ?? []), ...(s?.config?.replicas ?? [])]);
    const alone = members.size === 1 && peer !== undefined && members.has(peer.id);
    // Removed by its own earlier leave, which stopped waiting: wait for its hand-over again.
    const handingOver = s?.handover?.done === false;
    let waited = false;
    if (peer !== undefined && ((s?.removed === false && !alone) || handingOver)) {
      await this.handOver();
      const t0 = performance.now();
      try {
        await peer.leave({ timeoutMs });
      } catch (err) {
        if (!(force && err instanceof HandoverPendingError))
          throw this.timeoutError(err, timeoutMs);
        // This wait is the hand-over's one wait: the stop below neither waits nor warns again.
        waited = true;
        console.warn(
          `synod: log ${this.logName ?? this.logId}: set aside (force) before a member that ` +
            `stays confirmed it holds the slots before ${err.start} (waited ` +
            `${Math.round(performance.now() - t0)} ms); if none does, the log cannot learn them ` +
            `again without this peer's store, kept in left/`,
        );
      }
    }
    await this.detach('stopped', waited);
    await host.discardLog(this.logId);
  }

  get open(): boolean {
    return this.peer !== undefined;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Whether this log takes invite requests (LAN peers asking for an invite) now. */
  takeInviteRequests(yes: boolean): void {
    this.peer?.onInviteRequest(
      yes && this.state === 'running' ? this.inviteRequests.ask : undefined,
    );
    if (!yes) this.inviteRequests.declineAll();
  }

  summary(): LogSummary {
    return {
      logId: this.logId,
      logName: this.logName ?? null,
      // A closed log keeps the title it had when it was open.
      title: this.peer?.node.stateMachine.stats().title ?? this.listedTitle,
      open: this.peer !== undefined,
      state: this.state,
    };
  }

  /** Is this log named `ref` (its id, or its name on this peer)? */
  isNamed(ref: string): boolean {
    return ref === this.logId || ref === this.logName;
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

  /** This peer's new display name: kept in this log's file, and recorded in the log. */
  async setName(name: string): Promise<void> {
    if (this.peer === undefined) return;
    await this.peer.setName(name);
    if (this.state === 'running') await this.propose({ type: 'set-name', ...this.stamp() });
  }

  /** The entries: linearizable by default (confirmed by the leader with a majority). */
  entries(r: Req<'entries'>): Promise<Res<'entries'>> {
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
    const at = r.atVersion;
    const [entry, body] = await this.read(r.read ?? 'linearizable', r.timeoutMs, (sm) => [
      sm.get(r.id),
      at === undefined ? undefined : sm.bodyAt(r.id, at),
    ]);
    if (entry === undefined) throw new DocumentError('unknown-entry', `no entry ${r.id}`, 0);
    if (at === undefined) return entry;
    if (body === undefined) {
      // 'conflict': the version the caller holds is not one this peer can serve.
      throw new DocumentError(
        'conflict',
        `entry ${r.id} is at version ${entry.version}; its version ${at} is ${at > entry.version ? 'not decided yet' : 'no longer kept on this peer'}`,
        entry.version,
      );
    }
    return { ...entry, version: at, body };
  }

  /** The decided history, oldest first: records with n > after, or the newest `limit`. */
  history(r: Req<'history'>): Promise<Res<'history'>> {
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
  invite(r: Req<'invite'>): Promise<Res<'invite'>> {
    return this.live().invite(r.ttlMs !== undefined ? { ttlMs: r.ttlMs } : {});
  }

  /** The user's answer to a LAN peer that asked for an invite (status().inviteRequests). */
  answerInviteRequest(r: Req<'answerInviteRequest'>): Res<'answerInviteRequest'> {
    this.inviteRequests.answer(r.request, r.accept);
    return {};
  }

  /** Remove a member, named by peer id or by a name only it uses. */
  async removePeer(r: Req<'removePeer'>): Promise<Res<'removePeer'>> {
    const peer = this.live();
    const id = this.resolvePeer(r.peer);
    const timeoutMs = r.timeoutMs ?? this.ctx.timeoutMs;
    try {
      await peer.node.removePeer(id, { timeoutMs });
    } catch (err) {
      throw this.timeoutError(err, timeoutMs);
    }
    this.emitStatus();
    return { removed: id };
  }

  /** Peers found on the LAN or by address (members of this log or not). */
  discovered(): Res<'discovered'> {
    return { peers: this.peer?.discovered() ?? [] };
  }

  /**
   * What the protocol view draws: this peer's acceptor, leader and replica state (as in
   * status().protocol), the protocol messages after cursor `after` (at most `limit`, the
   * newest), and the other peers as their messages show them.
   */
  protocol(r: Req<'protocol'>): Res<'protocol'> {
    const peer = this.peer;
    return {
      self: peer?.id ?? null,
      protocol: peer === undefined ? null : protocolView(peer.node.status()),
      trace: this.monitor.trace(r.after ?? 0, r.limit ?? 200),
    };
  }

  status(): ServiceStatus {
    const peer = this.peer;
    const base = {
      state: this.state,
      dataDir: this.ctx.dataDir,
      name: this.ctx.name(),
      logId: this.logId,
      logName: this.logName ?? null,
    };
    if (peer === undefined) {
      return { ...base, ...NO_NODE };
    }
    const s = peer.node.status();
    const sm = peer.node.stateMachine;
    return {
      ...base,
      id: peer.id,
      addresses: peer.addresses(),
      log: sm.stats(),
      protocol: protocolView(s),
      peers: peerViews(s, this.ctx.name(), (id) => sm.nameOf(id)),
      majority: majorityInfo(s),
      failure: s.failure,
      inviteRequests: this.inviteRequests.list(),
      handover: s.handover,
    };
  }

  emitStatus(): void {
    if (this.statusTimer !== undefined) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
    }
    this.lastStatusAt = Date.now();
    this.ctx.emit({ type: 'status', status: this.status() });
  }

  // ------------------------------------------------------------------ internals

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
    return { time: Date.now(), author: this.ctx.name() };
  }

  /** The log's peer, if it may take operations now. */
  private live(): Peer<DocumentLog> {
    const peer = this.peer;
    if (peer === undefined) throw new LogClosedError(this.logName ?? this.logId, this.state);
    if (this.state === 'removed') throw new RemovedError();
    return peer;
  }

  private async propose(
    cmd: DocumentCommand,
    timeout: number | undefined = undefined,
  ): Promise<Extract<DocumentResult, { ok: true }>> {
    const peer = this.live();
    const timeoutMs = timeout ?? this.ctx.timeoutMs;
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
    const peer = this.live();
    const timeoutMs = timeout ?? this.ctx.timeoutMs;
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
    const peer = this.live();
    const config = peer.node.status().config;
    const members =
      config === null
        ? []
        : [...new Set([...config.replicas, ...config.leaders, ...config.acceptors])];
    if (members.includes(ref)) return ref;
    const sm = peer.node.stateMachine;
    const me = this.ctx.name();
    const named = members.filter((id) => (id === peer.id ? me : sm.nameOf(id)) === ref);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw new AmbiguousPeerError(ref, named);
    throw new UnknownPeerError(ref);
  }

  private onApplied(e: AppliedCommand, sm: DocumentLog): void {
    if (!this.ctx.listening()) return;
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
    if (operations.length > 0) this.ctx.emit({ type: 'applied', log: this.logId, operations });
  }

  /** A running log whose node failed or removed this peer becomes `failed` or `removed`. */
  private noticeState(peer: Peer<DocumentLog>): void {
    if (this.state !== 'running') return;
    const s = peer.node.status();
    if (s.failure !== null) this.state = 'failed';
    else if (s.removed) this.state = 'removed';
    if (this.state !== 'running') this.ctx.changed();
  }

  /** The node says its status changed: notice removal and failure, tell the listeners. */
  private onStatusChange(): void {
    const peer = this.peer;
    if (peer === undefined) return;
    const title = peer.node.stateMachine.stats().title;
    if (title !== this.listedTitle) {
      this.listedTitle = title;
      this.ctx.changed();
    }
    this.noticeState(peer);
    const s = peer.node.status();
    if (this.state === 'running' && !this.nameProposed && s.initialized && majorityInfo(s)?.ok) {
      this.recordName(peer);
    }
    if (!this.ctx.listening() || this.statusTimer !== undefined) return;
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
      .read((sm) => sm.nameOf(peer.id), { timeoutMs: this.ctx.timeoutMs })
      .then((recorded) =>
        recorded === this.ctx.name()
          ? undefined
          : this.propose({ type: 'set-name', ...this.stamp() }),
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
