/**
 * A running peer: the node, its transport and store, and the few things an app does with the
 * three together (invites, its name, leaving, stopping).
 */
import type { OperationOptions, StateMachine, SynodNode } from '@synod/core';
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
import { META_LOG_NAME, META_NAME } from './data-dir.js';
import type { PeerHost } from './host.js';
import { writeMetaString } from './store.js';
import { checkName } from './name.js';
import { InvalidPeerOptionsError } from './errors.js';
import {
  defaultHandoverWaitMs,
  handOverLeadership,
  type HandoverOptions,
  type HandoverOutcome,
} from './departure.js';
import { changeMembershipWhenFree } from './pending-change.js';
import { awaitRemovalHandover, type RemovalHandoverOutcome } from './removal-handover.js';

/** How long a leave waits out membership changes other members made (as a join: 60 s). */
const LEAVE_WAITS_OUT_MS = 60_000;

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
  /** The host this log runs on: its libp2p node and its other logs (docs/many-logs.md). */
  readonly host: PeerHost<Host>;
  /** The display name kept in the store. */
  name(): string | undefined;
  setName(name: string): Promise<void>;
  /** The log's own name on this peer (`synod --log NAME`), if it has one. */
  logName(): string | undefined;
  setLogName(name: string): Promise<void>;
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
   * replica that stays holds every slot before it durably (then it may stop). A leader hands
   * leadership over first (handOver), so the log is never left leaderless for an election
   * timeout. A membership change another member made a moment earlier is waited out (up to
   * 60 s), not thrown as ReconfigPendingError.
   *
   * `timeoutMs` and `signal` bound the whole call (default: the node's operationTimeoutMs; none
   * set: as long as it takes). Before the removal is decided they end it with TimeoutError or
   * StoppedError (it may still be decided: then this peer hands over on its own). After, with
   * HandoverPendingError: this peer is no longer a member, but no remaining replica has
   * confirmed it holds the slots before its removal, so keep the peer running (it goes on
   * asking; `node.status().handover.done` turns true) rather than stop it. Calling leave() again
   * then waits for that hand-over.
   */
  leave(options?: OperationOptions): Promise<void>;
  /**
   * If this peer is the log's active leader, hand leadership over to another leader it is
   * connected to (the most caught up), and resolve once that one leads, or at the deadline
   * (default two election timeouts, within 2–5 s). Never rejects: the outcome says what
   * happened, with a sentence for a log line. stop() and leave() call it first; call it
   * yourself before the machine sleeps.
   */
  handOver(options?: HandoverOptions): Promise<HandoverOutcome>;
  /** What the last handover of this peer did (stop, leave or handOver), if one ran. */
  readonly lastHandover: HandoverOutcome | undefined;
  /** What stop() found of this peer's removal hand-over, if one was pending then. */
  readonly removalHandover: RemovalHandoverOutcome | undefined;
  /**
   * Stop the node; pending operations fail with StoppedError; the store is closed. The host
   * runs on with its other logs, unless this is createPeer's peer (then the host stops too).
   * A leader hands over first (handOver, bounded; a handover that fails or times out does not
   * fail the stop: `lastHandover` says so). A peer removed in this run (its leave, or another
   * member's removePeer) whose hand-over is pending (`node.status().handover`) waits for it
   * too, as long (two election timeouts, within 2–5 s; `options.removalHandoverWaitMs`), then
   * stops anyway: `removalHandover` says which. Only the first call's options count.
   */
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /**
   * How long to wait for a pending removal hand-over (default: as the leadership handover, two
   * election timeouts within 2–5 s). 0 is for a caller that has just waited for it itself and
   * chose to go without it (the desktop app's forced leave), so that the user does not wait
   * twice; `removalHandover` then says `pending`.
   */
  readonly removalHandoverWaitMs?: number;
}

export interface RunningPeerParts<SM extends StateMachine, Host extends Libp2pHost> {
  dataDir: string;
  logId: string;
  node: SynodNode<SM>;
  transport: Libp2pTransport<Host>;
  storage: SqliteStorage;
  created: boolean;
  name: string | undefined;
  logName: string | undefined;
  host: PeerHost<Host>;
  /** The store is peer.db (the host holds it). */
  home: boolean;
  storePath: string;
  /** A join that has not finished. */
  joining: boolean;
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
  readonly host: PeerHost<Host>;
  /** @internal */
  readonly home: boolean;
  /** @internal */
  readonly storePath: string;
  /** @internal */
  joining: boolean;
  private currentName: string | undefined;
  private currentLogName: string | undefined;
  private stopping: Promise<void> | undefined;
  /** stop()'s removalHandoverWaitMs; undefined: awaitRemovalHandover's default. */
  private removalWaitMs: number | undefined;
  lastHandover: HandoverOutcome | undefined;
  removalHandover: RemovalHandoverOutcome | undefined;
  private readonly stopListeners: (() => void)[] = [];

  constructor(parts: RunningPeerParts<SM, Host>) {
    this.id = parts.node.id;
    this.logId = parts.logId;
    this.dataDir = parts.dataDir;
    this.created = parts.created;
    this.node = parts.node;
    this.transport = parts.transport;
    this.storage = parts.storage;
    this.currentName = parts.name;
    this.currentLogName = parts.logName;
    this.host = parts.host;
    this.home = parts.home;
    this.storePath = parts.storePath;
    this.joining = parts.joining;
  }

  name(): string | undefined {
    return this.currentName;
  }

  async setName(name: string): Promise<void> {
    checkName(name);
    await writeMetaString(this.storage, META_NAME, name);
    this.currentName = name;
  }

  logName(): string | undefined {
    return this.currentLogName;
  }

  async setLogName(name: string): Promise<void> {
    // Taken through the host: a name given at once to another log (renamed or created) is refused.
    const release = await this.host.takeNewName(name, this.logId);
    try {
      await writeMetaString(this.storage, META_LOG_NAME, name);
      this.currentLogName = name;
    } finally {
      release();
    }
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

  /**
   * A leaving leader hands over before it proposes its removal, not after: the removal is then
   * assigned by the new leader, which carries on into the configuration without this peer at
   * once (core Leader.firstDeadline: the previous configuration's active leader runs at once).
   * Removing first would leave the new configuration to its first-listed leader (which runs at
   * once only if it heard this peer lead, and may be down), and meanwhile the writes of the
   * other peers would keep going to a leader that is on its way out.
   */
  async leave(options: OperationOptions = {}): Promise<void> {
    // Removed by an earlier leave that stopped waiting, or by another member: wait for its
    // hand-over (again). Removed and added again since: leave anew.
    const s = this.node.status();
    if (s.handover !== null && (!s.handover.done || s.removed))
      return this.node.awaitHandover(options);
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    const left = () => (deadline === undefined ? undefined : Math.max(0, deadline - Date.now()));
    // The leadership handover is a courtesy: it takes no more than its own bound of the time.
    const courtesy = Math.min(left() ?? Infinity, defaultHandoverWaitMs(this.node));
    await this.handOver({ timeoutMs: courtesy });
    // A change another member made a moment earlier (removing a dead peer, say) is waited out:
    // the log takes one at a time.
    await changeMembershipWhenFree(
      () => {
        const timeoutMs = left();
        return this.node.removePeer(this.id, {
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
        });
      },
      Math.min(Date.now() + LEAVE_WAITS_OUT_MS, deadline ?? Infinity),
    );
  }

  async handOver(options?: HandoverOptions): Promise<HandoverOutcome> {
    const outcome = await handOverLeadership(this.node, options);
    if (outcome.kind !== 'not-leader') this.lastHandover = outcome;
    return outcome;
  }

  stop(options: StopOptions = {}): Promise<void> {
    const wait = options.removalHandoverWaitMs;
    if (wait !== undefined && !(Number.isFinite(wait) && wait >= 0)) {
      // Finite: a stop never hangs on a hand-over that may never be confirmed.
      return Promise.reject(
        new InvalidPeerOptionsError(
          `removalHandoverWaitMs must be a finite number >= 0 (ms), got ${String(wait)}`,
        ),
      );
    }
    // Kept on the peer: createPeer's peer stops through the host, which calls stopCore.
    if (this.stopping === undefined && wait !== undefined) this.removalWaitMs = wait;
    if (this.host.ownedBy === (this as unknown)) return this.host.stop();
    return this.stopCore();
  }

  /** @internal Stop this log's core (and its transport on the host), not the host. */
  stopCore(): Promise<void> {
    this.stopping ??= this.handOver()
      .then(() => awaitRemovalHandover(this.node, this.removalWaitMs))
      .then((outcome) => {
        this.removalHandover = outcome;
        return this.node.stop();
      })
      .finally(() => {
        for (const l of this.stopListeners.splice(0)) l();
      });
    return this.stopping;
  }

  /** @internal */
  onStopped(listener: () => void): void {
    this.stopListeners.push(listener);
  }
}
