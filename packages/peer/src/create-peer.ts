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
import type { MessageEvent, ProtocolOptions, Roles, StateMachine } from '@synod/core';
import type { Durability, SqliteStorage } from '@synod/storage-sqlite';
import {
  createTransportHost,
  decodeInvite,
  type Libp2pHost,
  type Libp2pTransportOptions,
  type MdnsOptions,
  type TransportHost,
} from '@synod/transport-libp2p';
import type { AdmitHook } from './admit.js';
import { checkPeerOptions } from './check-options.js';
import { ensureDataDir, hasStore } from './data-dir.js';
import {
  AlreadyMemberError,
  InvalidPeerOptionsError,
  NotInitializedError,
  OtherLogError,
} from './errors.js';
import { PeerHost, type Plan } from './host.js';
import type { Peer } from './peer.js';
import {
  bindToLog,
  discardStore,
  openStore,
  storeState,
  type StoreOptions,
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
  // A directory whose home log was left keeps its identity; a new log goes beside it.
  if (s.left !== undefined) {
    throw new InvalidPeerOptionsError(
      `${o.dataDir} left its log ${s.left}: create or join logs with createHost (they go in logs/)`,
    );
  }
  return { kind: 'create', logId: o.logId ?? s.logId ?? randomUUID() };
}

/** Open, create or join, and start a peer. See PeerOptions. */
export function createPeer<SM extends StateMachine>(options: PeerOptions<SM>): Promise<Peer<SM>> {
  return openPeer(options, (storage) =>
    createTransportHost({
      ...options.transport,
      storage,
      listen: options.listen ?? ['/ip4/0.0.0.0/tcp/0'],
      mdns: options.mdns ?? true,
      ...(options.psk !== undefined ? { psk: options.psk } : {}),
    }),
  );
}

/** Makes a peer's libp2p host once its store is open and bound to its log. */
export type TransportHostFactory<Host extends Libp2pHost> = (
  storage: SqliteStorage,
) => Promise<TransportHost<Host>>;

/**
 * createPeer with the libp2p host made by `makeHost` (a node of its own, or the app's node for
 * the libp2p service). The peer's log is the home log, in peer.db; the host it runs on
 * (`peer.host`) can carry more logs, and stops with the peer.
 */
export async function openPeer<SM extends StateMachine, Host extends Libp2pHost>(
  options: PeerOptions<SM>,
  makeHost: TransportHostFactory<Host>,
): Promise<Peer<SM, Host>> {
  checkPeerOptions(options);
  // Decode an invite before touching the disk: a typo must change nothing.
  if (options.join !== undefined) decodeInvite(options.join);
  ensureDataDir(options.dataDir);
  const fresh = !hasStore(options.dataDir);
  const storeOptions: StoreOptions = {
    ...(options.durability !== undefined ? { durability: options.durability } : {}),
    ...(options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {}),
  };
  let storage: SqliteStorage = await openStore(options.dataDir, storeOptions);
  let host: PeerHost<Host> | undefined;
  let keep = !fresh;
  try {
    const found = await storeState(storage);
    const todo = plan(options, found);
    storage = await bindToLog(options.dataDir, storage, todo.logId, storeOptions);
    host = new PeerHost(options.dataDir, await makeHost(storage), storage, storeOptions);
    const peer = await host.startOnStore(
      storage,
      found,
      {
        stateMachine: options.stateMachine,
        name: options.name,
        protocol: options.protocol,
        operationTimeoutMs: options.operationTimeoutMs,
        onMessage: options.onMessage,
        admit: options.admit,
        joinRoles: options.joinRoles,
        joinTimeoutMs: options.joinTimeoutMs,
        bootstrap: options.bootstrap,
      },
      true,
      todo,
      () => (keep = true),
    );
    host.ownedBy = peer as unknown as PeerHost<Host>['ownedBy'];
    return peer;
  } catch (err) {
    if (host !== undefined) await host.stop().catch(() => undefined);
    else await storage.close().catch(() => undefined);
    // A store made by this call for a join that was refused holds nothing of value: remove
    // it, so the directory can join another log. Anything else is kept: a join that failed on
    // our side (timeout) may have succeeded on the inviter's, and then our acceptor counts.
    if (!keep) discardStore(options.dataDir);
    throw err;
  }
}
