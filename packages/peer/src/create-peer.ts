/**
 * createPeer: a durable, LAN-discovering Synod peer of the app's own StateMachine in one call.
 *
 *   const peer = await createPeer({ dataDir, stateMachine: new MyMachine() });
 *   await peer.node.propose(bytes);
 *   const invite = await peer.invite(); // give invite.text to a friend, whose app runs
 *   await createPeer({ dataDir: theirs, stateMachine: new MyMachine(), join: invite.text });
 *
 * It opens the SQLite store in `dataDir` (one file, exclusively locked), creates the libp2p
 * transport (identity kept in the store, mDNS on by default), creates or joins the log when the
 * store holds none, starts the node, and admits peers that present this peer's invites. Every
 * piece stays reachable (`peer.node`, `peer.transport`, `peer.storage`) for what this does not
 * cover.
 */
import { randomUUID } from 'node:crypto';
import {
  initLog,
  startNode,
  type MessageEvent,
  type ProtocolOptions,
  type Roles,
  type StateMachine,
  type SynodNode,
} from '@synod/core';
import type { Durability, SqliteStorage } from '@synod/storage-sqlite';
import {
  createLibp2pTransport,
  decodeInvite,
  JoinRefusedError,
  type JoinResult,
  type Libp2pHost,
  type Libp2pTransport,
  type Libp2pTransportOptions,
  type MdnsOptions,
} from '@synod/transport-libp2p';
import { Admitter, type AdmitHook } from './admit.js';
import {
  META_JOINING,
  META_MEMBER,
  META_NAME,
  META_PEER_ID,
  ensureDataDir,
  hasStore,
} from './data-dir.js';
import {
  AlreadyMemberError,
  InvalidPeerOptionsError,
  NotInitializedError,
  OtherLogError,
} from './errors.js';
import { checkName } from './name.js';
import { RunningPeer, type Peer } from './peer.js';
import {
  bindToLog,
  discardStore,
  openStore,
  storeState,
  writeMetaString,
  type StoreState,
} from './store.js';

/**
 * The options of createPeer. Every optional one also takes `undefined` (= not given), so that
 * apps compiled with `exactOptionalPropertyTypes` can pass values straight from their own options.
 */
export interface PeerOptions<SM extends StateMachine> {
  /** Where the peer keeps its state (created, owner-only, if missing). One peer per directory. */
  dataDir: string;
  /** The app's replicated state. */
  stateMachine: SM;
  /**
   * If the directory holds no log yet and no `join` is given, create a new log with this peer
   * as its only member. Default true; false makes such a directory an error
   * (NotInitializedError), for apps that create logs only on an explicit request.
   */
  init?: boolean | undefined;
  /** If the directory holds no log yet, join the log of this invite (`synod:…` text). */
  join?: string | undefined;
  /** The id of a log created here (default: a random UUID). Invites name it. */
  logId?: string | undefined;
  /** This peer's display name, kept in the store. */
  name?: string | undefined;
  /** Multiaddrs to listen on. Default: every interface, a free port. */
  listen?: string[] | undefined;
  /** Peers to reach by address (multiaddrs ending in /p2p/<id>). */
  bootstrap?: string[] | undefined;
  /** LAN discovery with mDNS. Default true: this is a LAN app's peer. */
  mdns?: boolean | MdnsOptions | undefined;
  /** A pre-shared network key (see generatePsk in @synod/transport-libp2p). */
  psk?: Uint8Array | undefined;
  /** Protocol options; `window` is fixed when a log is created. */
  protocol?: Partial<ProtocolOptions> | undefined;
  /** SQLite durability (default `full`: every batch fsynced). */
  durability?: Durability | undefined;
  /** A better_sqlite3.node built for another ABI (Electron). */
  nativeBinding?: string | undefined;
  /** Default timeout of propose() and read(), ms. */
  operationTimeoutMs?: number | undefined;
  /**
   * Told of every protocol message sent and received (core's onMessage observer: for protocol
   * views; it runs on the hot path, keep it cheap).
   */
  onMessage?: ((event: MessageEvent) => void) | undefined;
  /**
   * Who may join with an invite of this peer. Default: whoever presents a valid, unused invite
   * (the invite is the authorization). `false` refuses every join; a function decides.
   */
  admit?: false | AdmitHook | undefined;
  /** The roles a joining peer gets (default: replica, leader and acceptor). */
  joinRoles?: Roles | undefined;
  /** How long `join` waits for the inviter, ms (default 60 000). */
  joinTimeoutMs?: number | undefined;
  /** More transport options (announce addresses, timeouts…), passed through. */
  transport?:
    | Omit<
        Libp2pTransportOptions,
        'storage' | 'identity' | 'listen' | 'bootstrap' | 'mdns' | 'psk' | 'logId'
      >
    | undefined;
}

function checkOptions<SM extends StateMachine>(o: PeerOptions<SM>): void {
  if (typeof o.dataDir !== 'string' || o.dataDir.length === 0) {
    throw new InvalidPeerOptionsError('dataDir must be a non-empty path');
  }
  if (o.name !== undefined) checkName(o.name);
  if (o.logId !== undefined && (o.logId.length === 0 || o.logId.length > 256)) {
    throw new InvalidPeerOptionsError('logId must be 1 to 256 characters');
  }
}

/** What createPeer does with the store it found. */
type Plan =
  | { kind: 'load'; logId: string }
  | { kind: 'create'; logId: string }
  | { kind: 'join'; logId: string; invite: string };

function plan<SM extends StateMachine>(o: PeerOptions<SM>, s: StoreState): Plan {
  if (s.member !== undefined) {
    // The same options on every start: an invite to the log this peer is in changes nothing.
    const invited = o.join !== undefined ? decodeInvite(o.join).logId : s.member;
    if (invited !== s.member) throw new AlreadyMemberError(o.dataDir, s.member, invited);
    if (o.logId !== undefined && o.logId !== s.member) {
      throw new OtherLogError(o.dataDir, o.logId, s.member);
    }
    return { kind: 'load', logId: s.member };
  }
  const invite = o.join ?? s.joining;
  if (invite !== undefined) {
    const logId = decodeInvite(invite).logId;
    if (o.logId !== undefined && o.logId !== logId) {
      throw new InvalidPeerOptionsError(`the invite is for log ${logId}, not ${o.logId}`);
    }
    return { kind: 'join', logId, invite };
  }
  if (o.init === false) throw new NotInitializedError(o.dataDir);
  return { kind: 'create', logId: o.logId ?? s.logId ?? randomUUID() };
}

/** Open, create or join, and start a peer. See PeerOptions. */
export function createPeer<SM extends StateMachine>(options: PeerOptions<SM>): Promise<Peer<SM>> {
  return openPeer(options, (storage, logId) =>
    createLibp2pTransport({
      ...options.transport,
      storage,
      listen: options.listen ?? ['/ip4/0.0.0.0/tcp/0'],
      bootstrap: options.bootstrap ?? [],
      mdns: options.mdns ?? true,
      logId,
      ...(options.psk !== undefined ? { psk: options.psk } : {}),
      ...(options.joinTimeoutMs !== undefined ? { joinTimeoutMs: options.joinTimeoutMs } : {}),
    }),
  );
}

/** Makes a peer's transport once its store is open and its log is known. */
export type TransportFactory<Host extends Libp2pHost> = (
  storage: SqliteStorage,
  logId: string,
) => Promise<Libp2pTransport<Host>>;

/**
 * createPeer with the transport made by `makeTransport` (a node of its own, or the app's node
 * for the libp2p service).
 */
export async function openPeer<SM extends StateMachine, Host extends Libp2pHost>(
  options: PeerOptions<SM>,
  makeTransport: TransportFactory<Host>,
): Promise<Peer<SM, Host>> {
  checkOptions(options);
  // Decode an invite before touching the disk: a typo must change nothing.
  if (options.join !== undefined) decodeInvite(options.join);
  ensureDataDir(options.dataDir);
  const fresh = !hasStore(options.dataDir);
  let storage: SqliteStorage = await openStore(options.dataDir, options);
  let transport: Libp2pTransport<Host> | undefined;
  let node: SynodNode<SM> | undefined;
  let keep = !fresh;
  try {
    const found = await storeState(storage);
    const todo = plan(options, found);
    storage = await bindToLog(options.dataDir, storage, todo.logId, options);
    if (options.name !== undefined) await writeMetaString(storage, META_NAME, options.name);
    transport = await makeTransport(storage, todo.logId);
    // The log knows this peer by its id: another identity (another libp2p node) is another peer.
    if (found.peerId !== undefined && found.peerId !== transport.id) {
      throw new InvalidPeerOptionsError(
        `${options.dataDir} belongs to peer ${found.peerId}, not to ${transport.id} (use another data directory for this libp2p node)`,
      );
    }
    await writeMetaString(storage, META_PEER_ID, transport.id);
    if (todo.kind === 'create') {
      await initLog(storage, transport.id, options.stateMachine, options.protocol ?? {});
      await writeMetaString(storage, META_MEMBER, todo.logId);
      keep = true;
    } else if (todo.kind === 'join') {
      await writeMetaString(storage, META_JOINING, todo.invite);
    }
    node = await startNode({
      id: transport.id,
      storage,
      transport,
      stateMachine: options.stateMachine,
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      ...(options.operationTimeoutMs !== undefined
        ? { operationTimeoutMs: options.operationTimeoutMs }
        : {}),
      ...(options.onMessage !== undefined ? { onMessage: options.onMessage } : {}),
    });
    const peer = new RunningPeer<SM, Host>({
      dataDir: options.dataDir,
      logId: todo.logId,
      node,
      transport,
      storage,
      created: todo.kind === 'create',
      name: options.name ?? found.name,
    });
    if (options.admit !== false) {
      const admitter = new Admitter(node, {
        ...(options.joinRoles !== undefined ? { roles: options.joinRoles } : {}),
        ...(options.admit !== undefined ? { admit: options.admit } : {}),
      });
      transport.onJoinRequest((request) => admitter.admit(request));
    }
    if (todo.kind === 'join') {
      // The node runs first: adding an acceptor to a small log needs the new peer to answer.
      peer.joined = await joinLog(transport, todo.invite, () => (keep = true));
      await writeMetaString(storage, META_MEMBER, todo.logId);
      await storage.setMeta(META_JOINING, new Uint8Array(0));
    }
    return peer;
  } catch (err) {
    if (node !== undefined) await node.stop().catch(() => undefined);
    else {
      await transport?.stop().catch(() => undefined);
      await storage.close().catch(() => undefined);
    }
    // A store made by this call for a join that was refused holds nothing of value: remove
    // it, so the directory can join another log. Anything else is kept: a join that failed on
    // our side (timeout) may have succeeded on the inviter's, and then our acceptor counts.
    if (!keep) discardStore(options.dataDir);
    throw err;
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
