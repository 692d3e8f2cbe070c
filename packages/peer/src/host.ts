/**
 * PeerHost: one data directory, one libp2p node (one peer id, one port, one set of connections,
 * one mDNS service) and any number of logs, each with its own core, its own SQLite file, its own
 * members, invites and catch-up, created, joined, opened, left and closed at run time
 * (docs/many-logs.md).
 *
 *   const host = await createHost({ dataDir });
 *   const notes = await host.createLog({ logName: 'notes', stateMachine: new Notes() });
 *   const trip = await host.joinLog({ invite, stateMachine: new Trip() });
 *   await host.closeLog('notes');  // stops its core; `openLog({ log: 'notes', … })` again
 *   await host.stop();
 *
 * The directory: `peer.db` keeps the identity and name, and the home log of a directory made by
 * createPeer (or before many logs per peer); every other log is `logs/<hash of its id>.db`. The
 * host holds peer.db open for its whole life: SQLite's exclusive lock on it is the directory's.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import {
  initLog,
  startNode,
  type MessageEvent,
  type OperationOptions,
  type ProtocolOptions,
  type Roles,
  type StateMachine,
  type Storage,
  type SynodNode,
} from '@synod/core';
import type { Durability, SqliteStorage } from '@synod/storage-sqlite';
import {
  createTransportHost,
  decodeInvite,
  JoinRefusedError,
  type JoinResult,
  type Libp2pHost,
  type Libp2pTransport,
  type LinkDefaults,
  type MdnsOptions,
  type TransportHost,
  type TransportHostOptions,
} from '@synod/transport-libp2p';
import { Admitter, type AdmitHook } from './admit.js';
import {
  ensureDataDir,
  logDbPath,
  LOGS_DIR,
  META_JOINING,
  META_LEFT,
  META_LEFT_LOGS,
  META_LOG_NAME,
  META_MEMBER,
  META_NAME,
  META_PEER_ID,
  peerDbPath,
} from './data-dir.js';
import { makeDirDurable, renameDurable } from './durable-file.js';
import {
  AlreadyMemberError,
  InvalidPeerOptionsError,
  LeftLogError,
  NotInitializedError,
  OtherLogError,
  UnknownLogError,
} from './errors.js';
import { checkLogId, checkLogOptions } from './check-options.js';
import { checkName } from './name.js';
import { RunningPeer, type Peer } from './peer.js';
import {
  bindToLog,
  discardStore,
  inspectStoreAt,
  openStore,
  openStoreAt,
  readMetaString,
  storeState,
  writeMetaString,
  type StoreOptions,
  type StoreState,
} from './store.js';
import { existsSync } from 'node:fs';

/** The options of createHost: the directory, and the libp2p node every log shares. */
export interface HostOptions {
  /** Where the peer keeps its state (created, owner-only, if missing). One host per directory. */
  dataDir: string;
  /** This peer's display name, kept in peer.db; a log created or joined here starts with it. */
  name?: string | undefined;
  /** Multiaddrs to listen on. Default: every interface, a free port. */
  listen?: string[] | undefined;
  /** LAN discovery with mDNS. Default true: this is a LAN app's peer. */
  mdns?: boolean | MdnsOptions | undefined;
  /** A pre-shared network key (see generatePsk in @synod/transport-libp2p). */
  psk?: Uint8Array | undefined;
  /** SQLite durability of every log's file (default `full`: every batch fsynced). */
  durability?: Durability | undefined;
  /** A better_sqlite3.node built for another ABI (Electron). */
  nativeBinding?: string | undefined;
  /** More options of the libp2p host (timeouts, frame sizes, wire versions…), passed through. */
  transport?:
    Omit<TransportHostOptions, 'storage' | 'identity' | 'listen' | 'mdns' | 'psk'> | undefined;
}

/** What every log takes, whichever way it is started (create, join, open). */
export interface LogOptions<SM extends StateMachine> {
  /** The app's replicated state of this log. */
  stateMachine: SM;
  /** This peer's display name in this log (default: the host's). */
  name?: string | undefined;
  /** Protocol options; `window` is fixed when a log is created. */
  protocol?: Partial<ProtocolOptions> | undefined;
  /** Default timeout of propose() and read(), ms. */
  operationTimeoutMs?: number | undefined;
  /** Told of every protocol message sent and received (protocol views; keep it cheap). */
  onMessage?: ((event: MessageEvent) => void) | undefined;
  /**
   * Who may join with an invite of this peer. Default: whoever presents a valid, unused invite
   * (the invite is the authorization). `false` refuses every join; a function decides.
   */
  admit?: false | AdmitHook | undefined;
  /** The roles a joining peer gets (default: replica, leader and acceptor). */
  joinRoles?: Roles | undefined;
  /** How long a join waits for the inviter, ms (default 60 000). */
  joinTimeoutMs?: number | undefined;
  /** Members of this log to reach by address (multiaddrs ending in /p2p/<id>). */
  bootstrap?: string[] | undefined;
  /** This log's link and invite options (ping, backoff, invite lifetime…). */
  links?: LinkDefaults | undefined;
}

/** A log in the directory, open or not. */
export interface LogEntry {
  readonly logId: string;
  /** Its name on this peer, if it has one. */
  readonly logName: string | undefined;
  /** Its file. */
  readonly path: string;
  /** Kept in peer.db (a directory made by createPeer, or before many logs per peer). */
  readonly home: boolean;
  /** Its core runs now. */
  readonly open: boolean;
  /** Created here or joined; false while a join has not finished. */
  readonly member: boolean;
}

/** How a log is started on its file (create-peer.ts and the host's create/join/open). */
export type Plan =
  | { kind: 'load'; logId: string }
  | { kind: 'create'; logId: string }
  | { kind: 'join'; logId: string; invite: string };

export class PeerHost<Host extends Libp2pHost = Libp2p> {
  /** This peer's id (its libp2p peer id): the same in every log. */
  readonly id: string;
  private readonly running = new Map<string, RunningPeer<StateMachine, Host>>();
  /** Logs being started, so that two calls cannot start the same one. */
  private readonly starting = new Set<string>();
  /** Log names taken by logs being created or joined (see takeNewName). */
  private readonly naming = new Set<string>();
  /** Inspections of log files under way, by path (see inspect). */
  private readonly inspecting = new Map<string, Promise<StoreState | undefined>>();
  private stopping: Promise<void> | undefined;
  /** The home log's RunningPeer stops the host with it (createPeer). */
  ownedBy: RunningPeer<StateMachine, Host> | undefined;

  /** @internal Use createHost(), or createPeer() for one log. */
  constructor(
    readonly dataDir: string,
    /** The libp2p side, shared by every log (@synod/transport-libp2p). */
    readonly transport: TransportHost<Host>,
    /** peer.db, held open while the host runs (identity, name, the home log if any). */
    private readonly homeStore: SqliteStorage,
    private readonly storeOptions: StoreOptions,
  ) {
    this.id = transport.id;
  }

  // ------------------------------------------------------------------ the directory's logs

  /**
   * Every log in the directory: the home log (if peer.db holds one) and `logs/*.db`, open or
   * not, sorted by name then id. Logs this peer left are not listed.
   */
  async logs(): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    const home = await storeState(this.homeStore);
    if (home.logId !== undefined && home.left !== home.logId && (home.member ?? home.joining)) {
      out.push(this.entry(home, peerDbPath(this.dataDir), true));
    }
    let files: string[] = [];
    try {
      files = readdirSync(join(this.dataDir, LOGS_DIR)).filter((f) => f.endsWith('.db'));
    } catch {
      // No logs/ yet.
    }
    for (const f of files) {
      const path = join(this.dataDir, LOGS_DIR, f);
      const open = [...this.running.values()].find((p) => p.storePath === path);
      if (open !== undefined) {
        out.push({
          logId: open.logId,
          logName: open.logName(),
          path,
          home: false,
          open: true,
          member: open.joined !== undefined || open.created || !open.joining,
        });
        continue;
      }
      if ([...this.starting].some((id) => logDbPath(this.dataDir, id) === path)) continue;
      const state = await this.inspect(path);
      if (state?.logId === undefined || state.left === state.logId) continue;
      if (state.member === undefined && state.joining === undefined) continue;
      out.push(this.entry(state, path, false));
    }
    return out.sort(
      (a, b) =>
        (a.logName ?? '\uffff').localeCompare(b.logName ?? '\uffff') ||
        a.logId.localeCompare(b.logId),
    );
  }

  /**
   * What a log file that is not open holds. An inspection opens the file, and so holds its
   * exclusive lock while it reads: two at once (two calls of logs(), or of openLog, which lists
   * the logs to find its own) would find the file locked and leave the log out of the list, and a
   * log started meanwhile could not open it. So calls share one inspection per file, and
   * startInFile waits for the inspection of its file before it opens it.
   */
  private inspect(path: string): Promise<StoreState | undefined> {
    let p = this.inspecting.get(path);
    if (p === undefined) {
      p = inspectStoreAt(path, this.storeOptions)
        .catch(() => undefined)
        .finally(() => this.inspecting.delete(path));
      this.inspecting.set(path, p);
    }
    return p;
  }

  private entry(state: StoreState, path: string, home: boolean): LogEntry {
    const logId = state.logId!;
    return {
      logId,
      logName: state.logName,
      path,
      home,
      open: this.running.has(logId),
      member: state.member !== undefined,
    };
  }

  /** The log a reference names (its id or its name), or UnknownLogError. */
  async find(ref: string): Promise<LogEntry> {
    const all = await this.logs();
    const byId = all.find((e) => e.logId === ref);
    if (byId !== undefined) return byId;
    const byName = all.filter((e) => e.logName === ref);
    if (byName.length === 1) return byName[0]!;
    throw new UnknownLogError(
      ref,
      all.map((e) => e.logName ?? e.logId),
    );
  }

  /** The running log a reference names, if it is open. */
  log<SM extends StateMachine = StateMachine>(ref: string): Peer<SM, Host> | undefined {
    const byId = this.running.get(ref);
    if (byId !== undefined) return byId as unknown as Peer<SM, Host>;
    const found = [...this.running.values()].filter((p) => p.logName() === ref);
    return found.length === 1 ? (found[0] as unknown as Peer<SM, Host>) : undefined;
  }

  /** The logs whose cores run now. */
  openLogs(): Peer<StateMachine, Host>[] {
    return [...this.running.values()];
  }

  // ------------------------------------------------------------------ create, join, open

  /** Create a new log here (this peer its only member), in a file of its own, and start it. */
  async createLog<SM extends StateMachine>(
    o: LogOptions<SM> & { logId?: string | undefined; logName?: string | undefined },
  ): Promise<Peer<SM, Host>> {
    checkLogOptions(o);
    checkLogId(o.logId);
    const logId = o.logId ?? crypto.randomUUID();
    const release = await this.takeNewName(o.logName);
    try {
      return await this.startInFile(logId, o, (found) => {
        if (found.member !== undefined) {
          throw new InvalidPeerOptionsError(`log ${logId} exists here already: open it`);
        }
        return { kind: 'create', logId };
      });
    } finally {
      release();
    }
  }

  /** Join the log of an invite (`synod:…`), in a file of its own, and start it. */
  async joinLog<SM extends StateMachine>(
    o: LogOptions<SM> & { invite: string; logName?: string | undefined },
  ): Promise<Peer<SM, Host>> {
    checkLogOptions(o);
    if (typeof o.invite !== 'string') throw new InvalidPeerOptionsError('invite must be text');
    const invite = o.invite.trim();
    const { logId } = decodeInvite(invite);
    const release = await this.takeNewName(o.logName);
    try {
      const home = await storeState(this.homeStore);
      if (home.member === logId && home.left !== logId) {
        throw new AlreadyMemberError(this.dataDir, logId, logId);
      }
      if (await this.leftBefore(logId)) throw new LeftLogError(logId);
      return await this.startInFile(logId, o, (found) => {
        if (found.member !== undefined) throw new AlreadyMemberError(this.dataDir, logId, logId);
        return { kind: 'join', logId, invite };
      });
    } finally {
      release();
    }
  }

  /** Start a log of this directory (by id or name): its core, its links, its invites. */
  async openLog<SM extends StateMachine>(
    o: LogOptions<SM> & { log: string },
  ): Promise<Peer<SM, Host>> {
    checkLogOptions(o);
    const entry = await this.find(o.log);
    if (this.running.has(entry.logId)) {
      throw new InvalidPeerOptionsError(`log ${o.log} is open already`);
    }
    if (entry.home) {
      return this.startOnStore(this.homeStore, await storeState(this.homeStore), o, true, {
        kind: entry.member ? 'load' : 'join',
        logId: entry.logId,
        invite: (await readMetaString(this.homeStore, META_JOINING)) ?? '',
      });
    }
    return this.startInFile(entry.logId, o, (found) =>
      found.member !== undefined
        ? { kind: 'load', logId: entry.logId }
        : { kind: 'join', logId: entry.logId, invite: found.joining! },
    );
  }

  /** Stop a log's core here; its file stays, and `openLog` starts it again. */
  async closeLog(ref: string): Promise<void> {
    const peer = this.running.get(ref) ?? (this.log(ref) as RunningPeer<StateMachine, Host>);
    if (peer === undefined) throw new UnknownLogError(ref, [...this.running.keys()]);
    await peer.stopCore();
  }

  /**
   * Leave a log: remove this peer from its configuration (resolves once the configuration
   * without it governs and a replica that stays holds the slots before it), stop its core, and
   * set its file aside in `left/` (the home log's file stays in place, marked left: it also
   * keeps the identity). `options` bound it as Peer.leave's; when they end it, the log stays
   * open here (see Peer.leave: keep it running after `handover-pending`).
   */
  async leaveLog(ref: string, options?: OperationOptions): Promise<void> {
    const peer = this.log(ref) as RunningPeer<StateMachine, Host> | undefined;
    if (peer === undefined) throw new UnknownLogError(ref, [...this.running.keys()]);
    await peer.leave(options);
    await this.forget(peer);
  }

  /**
   * Give up a log whose core is stopped (or was never started: a join that never got through):
   * set its file aside as `left/` does, without telling the log. A member that does this without
   * leaving first stays in the configuration, a dead acceptor: leave a log you are a member of.
   */
  async discardLog(ref: string): Promise<void> {
    const entry = await this.find(ref);
    if (this.running.has(entry.logId)) throw new InvalidPeerOptionsError(`log ${ref} is open`);
    if (entry.home) {
      await writeMetaString(this.homeStore, META_LEFT, entry.logId);
      return;
    }
    // A member's log (not a join that never got through): its id may not come back (leftBefore).
    if (entry.member) await this.recordLeft(entry.logId);
    this.setAside(entry.path);
  }

  private async forget(peer: RunningPeer<StateMachine, Host>): Promise<void> {
    await peer.stopCore();
    if (peer.home) {
      await writeMetaString(this.homeStore, META_LEFT, peer.logId);
      return;
    }
    await this.recordLeft(peer.logId);
    this.setAside(peer.storePath);
  }

  private async leftLogs(): Promise<string[]> {
    const text = await readMetaString(this.homeStore, META_LEFT_LOGS);
    return text === undefined || text === '' ? [] : (JSON.parse(text) as string[]);
  }

  private async recordLeft(logId: string): Promise<void> {
    const left = await this.leftLogs();
    if (!left.includes(logId)) {
      await writeMetaString(this.homeStore, META_LEFT_LOGS, JSON.stringify([...left, logId]));
    }
  }

  /** Whether this peer left log `logId` under its present id (peer.db says so). */
  private async leftBefore(logId: string): Promise<boolean> {
    if ((await storeState(this.homeStore)).left === logId) return true;
    return (await this.leftLogs()).includes(logId);
  }

  private setAside(path: string): void {
    const dir = join(this.dataDir, 'left');
    makeDirDurable(dir, 0o700);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const base = path.slice(path.lastIndexOf('/') + 1, -'.db'.length);
    for (const suffix of ['', '-wal', '-journal']) {
      if (existsSync(path + suffix)) {
        renameDurable(path + suffix, join(dir, `${base}-${stamp}.db${suffix}`));
      }
    }
  }

  /**
   * Take `logName` for a log being created or joined; the returned function gives it back (the
   * log then carries it in its file). Taken before the logs are listed: two calls at once
   * would both find the name free and give it to two logs (then neither could be named).
   */
  /** @internal Also Peer.setLogName's, for log `self` (which may keep its own name). */
  async takeNewName(logName: string | undefined, self?: string): Promise<() => void> {
    if (logName === undefined) return () => undefined;
    checkName(logName);
    const taken = () => new InvalidPeerOptionsError(`a log named ${logName} exists here already`);
    if (this.naming.has(logName)) throw taken();
    this.naming.add(logName);
    const release = () => this.naming.delete(logName);
    try {
      const logs = await this.logs();
      if (logs.some((e) => e.logId !== self && (e.logName === logName || e.logId === logName))) {
        throw taken();
      }
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /** Open (or create) the file of `logId` in logs/, decide what to do with it, and start. */
  private async startInFile<SM extends StateMachine>(
    logId: string,
    o: LogOptions<SM> & { logName?: string | undefined },
    decide: (found: StoreState) => Plan,
  ): Promise<Peer<SM, Host>> {
    if (this.stopping !== undefined) throw new InvalidPeerOptionsError('the host is stopping');
    if (this.running.has(logId) || this.starting.has(logId)) {
      throw new InvalidPeerOptionsError(`log ${logId} is open already`);
    }
    this.starting.add(logId);
    try {
      const path = logDbPath(this.dataDir, logId);
      // An inspection begun before this log was starting holds the file's lock (see inspect);
      // none begins now.
      await this.inspecting.get(path);
      makeDirDurable(join(this.dataDir, LOGS_DIR), 0o700);
      const fresh = !existsSync(path);
      let store = await openStoreAt(path, this.storeOptions);
      let keep = !fresh;
      try {
        const found = await storeState(store);
        const todo = decide(found);
        store = await bindToLog(path, store, logId, this.storeOptions, path);
        if (o.logName !== undefined) await writeMetaString(store, META_LOG_NAME, o.logName);
        const name = o.name ?? (await readMetaString(this.homeStore, META_NAME));
        return await this.startOnStore(store, found, { ...o, name }, false, todo, () => {
          keep = true;
        });
      } catch (err) {
        await store.close().catch(() => undefined);
        if (!keep) discardStore(this.dataDir, path);
        throw err;
      }
    } finally {
      this.starting.delete(logId);
    }
  }

  /**
   * @internal Start a log on its open, bound store: its transport on the host, its core, its
   * admissions, and the join when that is the plan. `home`: the store is peer.db, which the host
   * keeps open (the node must not close it). `kept` is called once the store holds something
   * that must not be discarded on failure (a created log; a join that may have got through).
   */
  async startOnStore<SM extends StateMachine>(
    store: SqliteStorage,
    found: StoreState,
    o: LogOptions<SM>,
    home: boolean,
    todo: Plan,
    kept: () => void = () => undefined,
  ): Promise<Peer<SM, Host>> {
    let transport: Libp2pTransport<Host> | undefined;
    let node: SynodNode<SM> | undefined;
    const storage: Storage = home ? keepOpen(store) : store;
    try {
      if (o.name !== undefined) await writeMetaString(store, META_NAME, o.name);
      transport = await this.transport.openLog({
        logId: todo.logId,
        storage: store,
        bootstrap: o.bootstrap ?? [],
        ...o.links,
        ...(o.joinTimeoutMs !== undefined ? { joinTimeoutMs: o.joinTimeoutMs } : {}),
      });
      // The log knows this peer by its id: another identity (another libp2p node) is another peer.
      if (found.peerId !== undefined && found.peerId !== this.id) {
        throw new InvalidPeerOptionsError(
          `${home ? this.dataDir : `log ${todo.logId}`} belongs to peer ${found.peerId}, not to ${this.id} (use another data directory for this libp2p node)`,
        );
      }
      await writeMetaString(store, META_PEER_ID, this.id);
      if (todo.kind === 'create') {
        await initLog(store, this.id, o.stateMachine, o.protocol ?? {});
        await writeMetaString(store, META_MEMBER, todo.logId);
        kept();
      } else if (todo.kind === 'join') {
        await writeMetaString(store, META_JOINING, todo.invite);
      }
      node = await startNode({
        id: this.id,
        storage,
        transport,
        stateMachine: o.stateMachine,
        ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
        ...(o.operationTimeoutMs !== undefined ? { operationTimeoutMs: o.operationTimeoutMs } : {}),
        ...(o.onMessage !== undefined ? { onMessage: o.onMessage } : {}),
      });
      const peer = new RunningPeer<SM, Host>({
        dataDir: this.dataDir,
        logId: todo.logId,
        node,
        transport,
        storage: store,
        created: todo.kind === 'create',
        name: o.name ?? found.name,
        logName: (await readMetaString(store, META_LOG_NAME)) ?? undefined,
        host: this,
        home,
        storePath: home ? peerDbPath(this.dataDir) : logDbPath(this.dataDir, todo.logId),
        joining: todo.kind === 'join',
      });
      this.running.set(todo.logId, peer);
      peer.onStopped(() => {
        if (this.running.get(todo.logId) === (peer as unknown)) this.running.delete(todo.logId);
      });
      if (o.admit !== false) {
        const admitter = new Admitter(node, {
          ...(o.joinRoles !== undefined ? { roles: o.joinRoles } : {}),
          ...(o.admit !== undefined ? { admit: o.admit } : {}),
        });
        transport.onJoinRequest((request) => admitter.admit(request));
      }
      if (todo.kind === 'join') {
        // The node runs first: adding an acceptor to a small log needs the new peer to answer.
        try {
          peer.joined = await joinLog(transport, todo.invite, kept);
        } catch (err) {
          await peer.stopCore().catch(() => undefined);
          throw err;
        }
        await writeMetaString(store, META_MEMBER, todo.logId);
        await store.setMeta(META_JOINING, new Uint8Array(0));
        peer.joining = false;
      }
      return peer;
    } catch (err) {
      if (node !== undefined) await node.stop().catch(() => undefined);
      else await transport?.stop().catch(() => undefined);
      throw err;
    }
  }

  // ------------------------------------------------------------------ the peer as a whole

  /** This peer's display name (peer.db): what new logs start with. */
  async name(): Promise<string | undefined> {
    return readMetaString(this.homeStore, META_NAME);
  }

  async setName(name: string): Promise<void> {
    checkName(name);
    await writeMetaString(this.homeStore, META_NAME, name);
  }

  /** The addresses this peer listens on, each ending in /p2p/<id>. */
  addresses(): string[] {
    return this.transport.multiaddrs();
  }

  /**
   * Stop every log, then the node, then let go of the directory. The logs this peer leads hand
   * over first, all at once (each is bounded; one after the other they would add up).
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([...this.running.values()].map((peer) => peer.handOver()));
      for (const peer of [...this.running.values()]) await peer.stopCore().catch(() => undefined);
      await this.transport.stop();
      await this.homeStore.close();
    })();
    return this.stopping;
  }
}

/**
 * Present the invite. A refusal means the inviter did not add us; any other failure leaves us
 * unsure (the answer may have been lost after we were added), so the store is kept and the next
 * start asks again (the inviter answers the same peer again).
 */
async function joinLog(
  transport: Libp2pTransport<Libp2pHost>,
  invite: string,
  uncertain: () => void,
): Promise<JoinResult> {
  try {
    return await transport.join(invite);
  } catch (err) {
    if (!(err instanceof JoinRefusedError)) uncertain();
    throw err;
  }
}

/** peer.db as the home log's Storage: the node's stop must not close it (the host holds it). */
function keepOpen(store: SqliteStorage): Storage {
  return {
    load: () => store.load(),
    // With the hint: at one command in flight the home log's writes sync on this thread too.
    write: (batch, hint) => store.write(batch, hint),
    readDecisions: (from, max, maxBytes) => store.readDecisions(from, max, maxBytes),
    readAccepted: (from, to) => store.readAccepted(from, to),
    getMeta: (key) => store.getMeta(key),
    setMeta: (key, value) => store.setMeta(key, value),
    close: () => Promise.resolve(),
  };
}

/** Open the directory and its libp2p node, with no log started yet. */
export async function createHost(o: HostOptions): Promise<PeerHost<Libp2p>> {
  if (typeof o.dataDir !== 'string' || o.dataDir.length === 0) {
    throw new InvalidPeerOptionsError('dataDir must be a non-empty path');
  }
  if (o.name !== undefined) checkName(o.name);
  ensureDataDir(o.dataDir);
  const storeOptions: StoreOptions = {
    ...(o.durability !== undefined ? { durability: o.durability } : {}),
    ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
  };
  const home = await openStore(o.dataDir, storeOptions);
  return hostOnStore(o, home, storeOptions);
}

/** @internal The host over an open peer.db (createHost, createPeer). */
export async function hostOnStore(
  o: HostOptions,
  home: SqliteStorage,
  storeOptions: StoreOptions,
): Promise<PeerHost<Libp2p>> {
  try {
    const transport = await createTransportHost({
      ...o.transport,
      storage: home,
      listen: o.listen ?? ['/ip4/0.0.0.0/tcp/0'],
      mdns: o.mdns ?? true,
      ...(o.psk !== undefined ? { psk: o.psk } : {}),
    });
    const host = new PeerHost(o.dataDir, transport, home, storeOptions);
    const found = await storeState(home);
    if (found.peerId !== undefined && found.peerId !== host.id) {
      await host.stop();
      throw new InvalidPeerOptionsError(
        `${o.dataDir} belongs to peer ${found.peerId}, not to ${host.id}`,
      );
    }
    await writeMetaString(home, META_PEER_ID, host.id);
    if (o.name !== undefined) await writeMetaString(home, META_NAME, o.name);
    return host;
  } catch (err) {
    await home.close().catch(() => undefined);
    throw err;
  }
}

export { NotInitializedError, OtherLogError };
