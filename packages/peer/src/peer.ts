/**
 * A running peer: the node, its transport and store, and the few things an app does with the
 * three together (invites, its name, leaving, stopping).
 */
import type { StateMachine, SynodNode } from '@synod/core';
import type { SqliteStorage } from '@synod/storage-sqlite';
import type {
  CreateInviteOptions,
  DiscoveredPeer,
  InviteRequestHandler,
  IssuedInvite,
  JoinResult,
  Libp2pHost,
  Libp2pTransport,
} from '@synod/transport-libp2p';
import { META_NAME } from './data-dir.js';
import { writeMetaString } from './store.js';
import { checkName } from './name.js';

/**
 * A running peer. `Host` is the libp2p underneath: a node of its own (createPeer), or the
 * components of the app's node (the synod() service).
 */
export interface Peer<
  SM extends StateMachine = StateMachine,
  Host extends Libp2pHost = Libp2pTransport['libp2p'],
> {
  /** This peer's id (its libp2p peer id). */
  readonly id: string;
  readonly logId: string;
  readonly dataDir: string;
  /** True when this call created the log. */
  readonly created: boolean;
  /** The join's result when this call joined the log. */
  readonly joined: JoinResult | undefined;
  readonly node: SynodNode<SM>;
  readonly transport: Libp2pTransport<Host>;
  readonly storage: SqliteStorage;
  /** The display name kept in the store. */
  name(): string | undefined;
  setName(name: string): Promise<void>;
  /** A single-use invite to this log (valid 24 h by default). */
  invite(options?: CreateInviteOptions): Promise<IssuedInvite>;
  /** The addresses this peer listens on, each ending in /p2p/<id>. */
  addresses(): string[];
  /** Peers found on the LAN (mDNS) or by address, members or not. */
  discovered(): DiscoveredPeer[];
  /**
   * Let peers in no log, found on the LAN, ask this member for an invite: `handler` decides
   * each request (the desktop app asks its user); undefined stops taking them.
   */
  onInviteRequest(handler: InviteRequestHandler | undefined): void;
  /**
   * Remove this peer from the log; resolves once the configuration without it governs and a
   * replica that stays has applied every slot before it (then it may stop).
   */
  leave(): Promise<void>;
  /** Stop the node; pending operations fail with StoppedError; the store is closed. */
  stop(): Promise<void>;
}

export interface RunningPeerParts<SM extends StateMachine, Host extends Libp2pHost> {
  dataDir: string;
  logId: string;
  node: SynodNode<SM>;
  transport: Libp2pTransport<Host>;
  storage: SqliteStorage;
  created: boolean;
  name: string | undefined;
}

export class RunningPeer<SM extends StateMachine, Host extends Libp2pHost> implements Peer<
  SM,
  Host
> {
  readonly id: string;
  readonly logId: string;
  readonly dataDir: string;
  readonly created: boolean;
  joined: JoinResult | undefined;
  readonly node: SynodNode<SM>;
  readonly transport: Libp2pTransport<Host>;
  readonly storage: SqliteStorage;
  private currentName: string | undefined;
  private stopping: Promise<void> | undefined;

  constructor(parts: RunningPeerParts<SM, Host>) {
    this.id = parts.node.id;
    this.logId = parts.logId;
    this.dataDir = parts.dataDir;
    this.created = parts.created;
    this.node = parts.node;
    this.transport = parts.transport;
    this.storage = parts.storage;
    this.currentName = parts.name;
  }

  name(): string | undefined {
    return this.currentName;
  }

  async setName(name: string): Promise<void> {
    checkName(name);
    await writeMetaString(this.storage, META_NAME, name);
    this.currentName = name;
  }

  invite(options?: CreateInviteOptions): Promise<IssuedInvite> {
    return this.transport.createInvite(options);
  }

  addresses(): string[] {
    return this.transport.multiaddrs();
  }

  discovered(): DiscoveredPeer[] {
    return this.transport.discoveredPeers();
  }

  onInviteRequest(handler: InviteRequestHandler | undefined): void {
    this.transport.setInviteRequestHandler(handler);
  }

  leave(): Promise<void> {
    return this.node.removePeer(this.id);
  }

  stop(): Promise<void> {
    this.stopping ??= this.node.stop();
    return this.stopping;
  }
}
