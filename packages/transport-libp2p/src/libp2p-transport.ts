/**
 * The Synod Transport on libp2p (DESIGN.md §6): TCP + Noise + yamux, identify, optional mDNS and
 * pre-shared key, one long-lived outbound stream per member (peer-link.ts) carrying batched,
 * length-prefixed protobuf frames, membership gating (gate.ts, members.ts), and invites with a
 * join protocol (join.ts).
 *
 *   const transport = await createLibp2pTransport({ storage, listen, bootstrap, mdns: true });
 *   const node = await startNode({ id: transport.id, storage, transport, stateMachine });
 *
 * Or on the app's own libp2p node, from a service's components (attachLibp2pTransport): the
 * node, its listeners, encryption, discovery and connection gating are then the app's.
 */
import { identify } from '@libp2p/identify';
import type {
  Connection,
  Libp2p,
  Libp2pEvents,
  Logger,
  PeerId as Libp2pPeerId,
  PeerInfo,
  Stream,
} from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { preSharedKey } from '@libp2p/pnet';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Message, PeerId, PeerLinkStatus, Transport, TransportHandler } from '@synod/core';
import { createLibp2p } from 'libp2p';
import { AddressBook } from './address-book.js';
import { Channel, type ChannelHost, type DecodedOk } from './channel.js';
import { TransportConfigError, TransportStoppedError } from './errors.js';
import { encodeControl, encodeMessages } from './frame-codec.js';
import { createGate } from './gate.js';
import { hostOfComponents, type Libp2pHost, type Libp2pHostComponents } from './host.js';
import { checkListenAddresses, listenFailure } from './listen-failure.js';
import { loadOrCreateIdentity, type MetaStore } from './identity.js';
import type { IssuedInvite } from './invite.js';
import { InviteBook } from './invite-book.js';
import {
  JoinService,
  type CreateInviteOptions,
  type JoinHandler,
  type JoinOptions,
  type JoinResult,
} from './join.js';
import {
  INVITE_DECISION_TIMEOUT_MS,
  InviteRequestService,
  type InviteRequestHandler,
} from './invite-request.js';
import { noiseRecords } from './link/noise-records.js';
import { yamuxMuxer } from './link/yamux.js';
import { MemberSet } from './members.js';
import { META_JOINED } from './meta-keys.js';
import { copyMetrics, newMetrics, type DropReason, type TransportMetrics } from './metrics.js';
import { resolveOptions, type Libp2pTransportOptions, type ResolvedOptions } from './options.js';
import { PeerLink, type LinkState } from './peer-link.js';
import { INVITE_REQUEST_PROTOCOL, JOIN_PROTOCOL, PAXOS_PROTOCOL } from './protocols.js';
import { toSwarmKey } from './psk.js';

/** A peer seen by discovery (mDNS, or an address given to addPeerAddress / bootstrap). */
export interface DiscoveredPeer {
  readonly peer: PeerId;
  readonly addrs: readonly string[];
  /** When it was last seen (ms since the epoch). */
  readonly lastSeen: number;
  /** Whether it may speak the protocol with us (a member, or provisionally one). */
  readonly member: boolean;
}

/** A link's details, beyond the Transport's PeerLinkStatus. */
export interface LinkDetails extends PeerLinkStatus {
  readonly state: LinkState | 'none';
  /** Bytes waiting in the link's send buffer. */
  readonly queuedBytes: number;
}

/** How long a peer admitted through a join may talk before its configuration is decided. */
const ADMIT_FOR_MS = 10 * 60 * 1000;

/** Read the join result a peer kept (provisional members and their addresses). */
async function loadJoined(storage: MetaStore | undefined): Promise<JoinResult | undefined> {
  const raw = await storage?.getMeta(META_JOINED);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(raw)) as JoinResult;
  } catch {
    return undefined;
  }
}

function parseBootstrap(list: readonly string[]): { peer: PeerId; addr: Multiaddr }[] {
  return list.map((s) => {
    let ma: Multiaddr;
    try {
      ma = multiaddr(s);
    } catch (err) {
      throw new TransportConfigError(`bootstrap address ${s} is not a multiaddr: ${String(err)}`);
    }
    const id = ma.getComponents().findLast((c) => c.code === CODE_P2P)?.value;
    if (id === undefined) {
      throw new TransportConfigError(`bootstrap address ${s} does not end in /p2p/<peer id>`);
    }
    return { peer: id, addr: ma };
  });
}

/**
 * Create and start a libp2p transport: it listens at once (so its addresses and invites are
 * available before the node starts); messages reach the core from `start(handler)` on.
 */
export async function createLibp2pTransport(
  options: Libp2pTransportOptions,
): Promise<Libp2pTransport> {
  const opts = resolveOptions(options);
  checkListenAddresses(opts.listen);
  const key = options.identity ?? (await loadOrCreateIdentity(options.storage!));
  const self = peerIdFromPrivateKey(key).toString();
  const { members, book, addressBook, metrics, strangers, askers } = await prepare(
    opts,
    options,
    self,
  );
  const node = await createLibp2p({
    privateKey: key,
    addresses: {
      listen: opts.listen,
      ...(opts.announce !== undefined ? { announce: opts.announce } : {}),
    },
    transports: [tcp()],
    connectionEncrypters: [noiseRecords()],
    streamMuxers: [yamuxMuxer()],
    connectionGater: createGate({
      members,
      book,
      metrics,
      maxStrangers: opts.maxStrangers,
      strangerCount: () => strangers.size,
      takesInviteRequests: () => askers.accepting,
    }),
    ...(opts.psk !== undefined
      ? { connectionProtector: preSharedKey({ psk: toSwarmKey(opts.psk) }) }
      : {}),
    peerDiscovery:
      opts.mdns !== undefined
        ? [mdns({ interval: opts.mdns.intervalMs, serviceTag: opts.mdns.serviceTag })]
        : [],
    services: { identify: identify() },
    // Links ping their own streams (RTT, liveness); libp2p's monitor would ping a protocol we
    // do not serve.
    connectionMonitor: { enabled: false },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  }).catch((err: unknown) => {
    throw listenFailure(err);
  });
  const transport = new Libp2pTransport(node, self, opts, {
    members,
    book,
    addressBook,
    metrics,
    strangers,
    askers,
    storage: options.storage,
    ownNode: node,
  });
  await transport.init();
  return transport;
}

/** The options of attachLibp2pTransport: what belongs to the node (listen, mDNS…) is the app's. */
export type AttachLibp2pTransportOptions = Omit<
  Libp2pTransportOptions,
  'identity' | 'listen' | 'announce' | 'mdns' | 'psk' | 'logger'
>;

/**
 * The transport on the app's own libp2p node, from the components js-libp2p gives a service:
 * this peer's id is the node's. The node's connections are the app's too, so membership is
 * enforced per stream (the Paxos protocol refuses non-members) rather than by a connection
 * gater, and stop() leaves the node running (it removes only this transport's handlers).
 */
export async function attachLibp2pTransport(
  components: Libp2pHostComponents,
  options: AttachLibp2pTransportOptions,
): Promise<Libp2pTransport<Libp2pHost>> {
  const opts = resolveOptions(options);
  const self = components.peerId.toString();
  const { members, book, addressBook, metrics, strangers, askers } = await prepare(
    opts,
    options,
    self,
  );
  const transport = new Libp2pTransport(hostOfComponents(components), self, opts, {
    members,
    book,
    addressBook,
    metrics,
    strangers,
    askers,
    storage: options.storage,
    ownNode: undefined,
  });
  await transport.init();
  return transport;
}

/** What a transport keeps beside its libp2p host: options, members, invites, addresses. */
async function prepare(opts: ResolvedOptions, options: Libp2pTransportOptions, self: PeerId) {
  const storage = options.storage;
  const bootstrap = parseBootstrap(opts.bootstrap);
  const [book, addressBook, joined] = await Promise.all([
    InviteBook.open(storage),
    AddressBook.open(storage),
    loadJoined(storage),
  ]);
  const members = new MemberSet(self, [
    ...opts.initialMembers,
    ...bootstrap.map((b) => b.peer),
    ...(joined?.members.map((m) => m.peer) ?? []),
  ]);
  for (const b of bootstrap) addressBook.record(b.peer, [b.addr.toString()]);
  for (const m of joined?.members ?? []) addressBook.record(m.peer, m.addrs);
  const metrics = newMetrics();
  const strangers = new Map<string, { peer: PeerId; timer: ReturnType<typeof setTimeout> }>();
  return { members, book, addressBook, metrics, strangers, askers: { accepting: false } };
}

interface Internals {
  readonly members: MemberSet;
  readonly book: InviteBook;
  readonly addressBook: AddressBook;
  readonly metrics: TransportMetrics;
  readonly strangers: Map<string, { peer: PeerId; timer: ReturnType<typeof setTimeout> }>;
  /** Whether the app takes invite requests (the gate admits strangers to ask). */
  readonly askers: { accepting: boolean };
  readonly storage: MetaStore | undefined;
  /** The libp2p node, when it is this transport's own (made by createLibp2pTransport). */
  readonly ownNode: Libp2p | undefined;
}

export class Libp2pTransport<Host extends Libp2pHost = Libp2p> implements Transport, ChannelHost {
  /** This peer's id (its libp2p peer id, base58btc). */
  readonly id: PeerId;
  /** @internal The component logger (DEBUG=synod:transport*). */
  readonly log: Logger;
  /** @internal */
  readonly maxFrameBytes: number;
  /** @internal The live counters; getMetrics() returns a copy. */
  readonly metrics: TransportMetrics;
  private handler: TransportHandler | undefined;
  private stopped = false;
  private readonly members: MemberSet;
  private readonly links = new Map<PeerId, PeerLink>();
  private readonly inbound = new Map<PeerId, Channel>();
  private readonly lastSeen = new Map<PeerId, number>();
  private readonly discovered = new Map<PeerId, DiscoveredPeer>();
  private readonly discoveryListeners = new Set<(p: DiscoveredPeer) => void>();
  private readonly peerIds = new Map<PeerId, Libp2pPeerId | null>();
  private readonly joinsInProgress = new Map<PeerId, number>();
  private readonly joinService: JoinService;
  private readonly inviteRequests: InviteRequestService;
  /** Bad frames per peer in the current window (see onDrop). */
  private readonly badFrames = new Map<PeerId, { since: number; count: number }>();

  /** Undo what init() registered on the host (handlers, listeners). */
  private readonly detach: (() => Promise<void> | void)[] = [];

  /** @internal Use createLibp2pTransport() or attachLibp2pTransport(). */
  constructor(
    /** The libp2p node underneath, for what this API does not cover. */
    readonly libp2p: Host,
    self: PeerId,
    private readonly opts: ResolvedOptions,
    private readonly internals: Internals,
  ) {
    this.id = self;
    this.log = libp2p.logger.forComponent('synod:transport');
    this.maxFrameBytes = opts.maxFrameBytes;
    this.metrics = internals.metrics;
    this.members = internals.members;
    this.joinService = new JoinService({
      node: libp2p,
      self,
      members: this.members,
      book: internals.book,
      logId: opts.logId,
      metrics: this.metrics,
      log: this.log.newScope('join'),
      inviteTtlMs: opts.inviteTtlMs,
      joinTimeoutMs: opts.joinTimeoutMs,
      admitForMs: ADMIT_FOR_MS,
      advertisedAddrs: () => this.advertisedAddrs(),
      addrsOf: (peer) => this.addrsOf(peer),
      onJoined: (result) => this.onJoined(result),
      joinInProgress: (peer, active) => this.noteJoinInProgress(peer, active),
    });
    this.inviteRequests = new InviteRequestService({
      createInvite: () => this.createInvite(),
      inProgress: (peer, active) => this.noteJoinInProgress(peer, active),
      log: this.log.newScope('invite-request'),
      decisionTimeoutMs: INVITE_DECISION_TIMEOUT_MS,
    });
  }

  /** A join or invite-request exchange with `peer` started or ended (see expireStranger). */
  private noteJoinInProgress(peer: PeerId, active: boolean): void {
    const n = (this.joinsInProgress.get(peer) ?? 0) + (active ? 1 : -1);
    if (n > 0) this.joinsInProgress.set(peer, n);
    else this.joinsInProgress.delete(peer);
  }

  /** @internal Register handlers and events, then dial the peers already known. */
  async init(): Promise<void> {
    const node = this.libp2p;
    await node.handle(PAXOS_PROTOCOL, (stream, conn) => this.onInboundStream(stream, conn), {
      maxInboundStreams: 8,
    });
    await node.handle(JOIN_PROTOCOL, (stream, conn) => this.joinService.serve(stream, conn), {
      maxInboundStreams: 2,
    });
    await node.handle(
      INVITE_REQUEST_PROTOCOL,
      (stream, conn) => this.inviteRequests.serve(stream, conn),
      { maxInboundStreams: 2 },
    );
    this.detach.push(
      () => node.unhandle(PAXOS_PROTOCOL),
      () => node.unhandle(JOIN_PROTOCOL),
      () => node.unhandle(INVITE_REQUEST_PROTOCOL),
    );
    const listen = <K extends keyof Libp2pEvents>(
      type: K,
      listener: (evt: Libp2pEvents[K]) => void,
    ): void => {
      node.addEventListener(type, listener);
      this.detach.push(() => node.removeEventListener(type, listener));
    };
    listen('peer:discovery', (evt) => this.onDiscovery(evt.detail));
    listen('connection:open', (evt) => this.onConnectionOpen(evt.detail));
    listen('connection:close', (evt) => this.onConnectionClose(evt.detail));
    listen('peer:identify', (evt) => {
      const peer = evt.detail.peerId.toString();
      if (this.members.isAllowed(peer)) {
        this.internals.addressBook.record(
          peer,
          evt.detail.listenAddrs.map((a) => a.toString()),
        );
      }
    });
    for (const [peer, addrs] of this.internals.addressBook.entries()) {
      await this.rememberAddrs(peer, addrs);
    }
    this.syncLinks();
  }

  // ------------------------------------------------------------------ Transport

  start(handler: TransportHandler): Promise<void> {
    if (this.stopped) return Promise.reject(new TransportStoppedError());
    this.handler = handler;
    return Promise.resolve();
  }

  send(to: PeerId, messages: readonly Message[]): boolean {
    try {
      if (this.stopped) return false;
      const link = this.links.get(to);
      if (link === undefined || link.state !== 'open') {
        this.metrics.sendsUnreachable++;
        return false;
      }
      if (link.full()) {
        this.metrics.sendsBufferFull++;
        return false;
      }
      const enc = encodeMessages(messages, this.maxFrameBytes);
      if (enc.oversized > 0) {
        this.metrics.sendsOversized += enc.oversized;
        this.log.error('dropped %d message(s) to %s larger than a frame', enc.oversized, to);
      }
      if (enc.frames.length === 0) return messages.length === 0;
      const result = link.write(enc.frames);
      if (result === 'ok') {
        this.metrics.framesSent += enc.frames.length;
        this.metrics.messagesSent += enc.messages;
        for (const f of enc.frames) this.metrics.bytesSent += f.length;
        return enc.oversized === 0;
      }
      if (result === 'full') {
        this.metrics.sendsBufferFull++;
        this.log('send buffer to %s is full: dropped a frame', to);
      } else {
        this.metrics.sendsUnreachable++;
      }
      return false;
    } catch (err) {
      this.log.error('send to %s failed: %e', to, err);
      return false;
    }
  }

  setMembers(peers: readonly PeerId[]): void {
    if (this.stopped) return;
    const lost = this.members.set(peers);
    for (const peer of lost) this.disconnect(peer);
    this.syncLinks();
    this.internals.addressBook.retain(this.members.allowedPeers());
  }

  peers(): PeerLinkStatus[] {
    return [...this.members.allowedPeers()].map((peer) => this.status(peer));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.handler = undefined;
    await Promise.all([...this.links.values()].map((link) => link.drain()));
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const ch of this.inbound.values()) ch.abort(new TransportStoppedError());
    this.inbound.clear();
    for (const s of this.internals.strangers.values()) clearTimeout(s.timer);
    this.internals.strangers.clear();
    await this.internals.addressBook.flush().catch(() => undefined);
    for (const undo of this.detach.splice(0)) await undo();
    // A node made here stops with the transport; the app's own node runs on.
    await this.internals.ownNode?.stop();
  }

  // ------------------------------------------------------------------ more API

  /** This peer's addresses, each ending in /p2p/<id>: give one to another peer's bootstrap. */
  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** The counters (a copy). */
  getMetrics(): TransportMetrics {
    const m = copyMetrics(this.metrics);
    m.queuedBytes = 0;
    for (const link of this.links.values()) m.queuedBytes += link.queuedBytes;
    return m;
  }

  /** One peer's link in detail. */
  linkDetails(peer: PeerId): LinkDetails {
    const link = this.links.get(peer);
    return {
      ...this.status(peer),
      state: link?.state ?? 'none',
      queuedBytes: link?.queuedBytes ?? 0,
    };
  }

  /** Peers found by discovery, members or not (the app can show "peers on this LAN"). */
  discoveredPeers(): DiscoveredPeer[] {
    return [...this.discovered.values()].map((d) => ({
      ...d,
      member: this.members.isAllowed(d.peer),
    }));
  }

  /** Be told of each discovery; returns an unsubscribe function. */
  onPeerDiscovered(listener: (peer: DiscoveredPeer) => void): () => void {
    this.discoveryListeners.add(listener);
    return () => this.discoveryListeners.delete(listener);
  }

  /**
   * Learn a peer's address (a multiaddr ending in /p2p/<id>) and dial it now if it is a member:
   * what a bootstrap entry does, at run time.
   */
  async addPeerAddress(address: string): Promise<void> {
    const [{ peer, addr }] = parseBootstrap([address]) as [{ peer: PeerId; addr: Multiaddr }];
    await this.rememberAddrs(peer, [addr.toString()]);
    this.noteDiscovered(peer, [addr.toString()]);
    if (this.members.isAllowed(peer)) this.internals.addressBook.record(peer, [addr.toString()]);
    this.links.get(peer)?.kick();
  }

  /** Issue a single-use invite to this peer's log (needs the logId option). */
  createInvite(opts?: CreateInviteOptions): Promise<IssuedInvite> {
    if (this.stopped) return Promise.reject(new TransportStoppedError());
    return this.joinService.createInvite(opts);
  }

  /**
   * Let peers in no log ask this member for an invite (invite-request.ts): `handler` decides each
   * request (the desktop app asks its user); undefined stops taking them.
   */
  setInviteRequestHandler(handler: InviteRequestHandler | undefined): void {
    this.inviteRequests.setHandler(handler);
    this.internals.askers.accepting = handler !== undefined;
  }

  /**
   * Present an invite to its inviter. On success this peer trusts the inviter and the members
   * it named until the log tells it its members; throws JoinRefusedError (with the member's
   * reason code) or JoinFailedError.
   */
  join(invite: string, opts?: JoinOptions): Promise<JoinResult> {
    if (this.stopped) return Promise.reject(new TransportStoppedError());
    return this.joinService.join(invite, opts);
  }

  /**
   * Decide join requests: the handler resolves to admit the peer (typically after
   * `await node.addPeer(request.peer)`), or throws to refuse. Without a handler, joins are
   * refused with `not-accepting` and invites stay unused. Returns a function that removes it.
   */
  onJoinRequest(handler: JoinHandler): () => void {
    this.joinService.setHandler(handler);
    return () => this.joinService.setHandler(undefined);
  }

  // ------------------------------------------------------------------ ChannelHost

  /**
   * @internal A frame was dropped. Bad bytes (not a stream cut short, not a frame from a peer
   * that just lost membership) count against the sender: past `maxBadFrames` in
   * `badFrameWindowMs`, it is disconnected and shut out for `offenderBanMs`, member or not.
   */
  onDrop(channel: Channel, reason: DropReason): void {
    if (reason === 'truncated' || reason === 'non-member' || reason === 'not-started') return;
    this.countBad(channel.peer, reason);
  }

  /** @internal A stream was aborted for a broken frame header. */
  onBadStream(channel: Channel, reason: string): void {
    this.countBad(channel.peer, reason);
  }

  private countBad(peer: PeerId, reason: string): void {
    if (this.stopped) return;
    const now = performance.now();
    let bad = this.badFrames.get(peer);
    if (bad === undefined || now - bad.since > this.opts.badFrameWindowMs) {
      bad = { since: now, count: 0 };
      this.badFrames.set(peer, bad);
      // Forget peers whose windows are over, so the map stays small.
      if (this.badFrames.size > 64) {
        for (const [p, b] of this.badFrames) {
          if (now - b.since > this.opts.badFrameWindowMs) this.badFrames.delete(p);
        }
      }
    }
    bad.count++;
    if (bad.count <= this.opts.maxBadFrames) return;
    this.badFrames.delete(peer);
    this.metrics.offendersDisconnected++;
    this.log.error(
      'disconnecting %s and refusing it for %d ms: %d bad frames in %d ms (last: %s)',
      peer,
      this.opts.offenderBanMs,
      bad.count,
      Math.round(now - bad.since),
      reason,
    );
    this.members.ban(peer, this.opts.offenderBanMs);
    this.disconnect(peer);
    // Dial it again once the ban is over, if it is still a member.
    setTimeout(() => this.syncLinks(), this.opts.offenderBanMs + 10).unref();
  }

  /** @internal */
  onFrame(channel: Channel, frame: DecodedOk): void {
    const peer = channel.peer;
    if (this.stopped) return;
    if (!this.members.isAllowed(peer)) {
      this.metrics.framesDropped['non-member']++;
      return;
    }
    this.metrics.framesReceived++;
    this.lastSeen.set(peer, Date.now());
    if (frame.ping !== undefined) {
      channel.write([encodeControl({ pong: frame.ping })], Number.MAX_SAFE_INTEGER);
    }
    if (frame.pong !== undefined) {
      const link = this.links.get(peer);
      if (link !== undefined && link.current === channel) link.onPong(frame.pong);
    }
    if (frame.messages.length === 0) return;
    const handler = this.handler;
    if (handler === undefined) {
      this.metrics.framesDropped['not-started']++;
      return;
    }
    this.metrics.messagesReceived += frame.messages.length;
    try {
      handler(peer, frame.messages);
    } catch (err) {
      this.metrics.handlerErrors++;
      this.log.error('the handler threw on messages from %s: %e', peer, err);
    }
  }

  // ------------------------------------------------------------------ internals

  private status(peer: PeerId): PeerLinkStatus {
    const link = this.links.get(peer);
    return {
      peer,
      connected: link?.connected ?? false,
      lastSeen: this.lastSeen.get(peer) ?? null,
      rttMs: link?.rttMs ?? null,
    };
  }

  private libp2pPeerId(peer: PeerId): Libp2pPeerId | null {
    let id = this.peerIds.get(peer);
    if (id === undefined) {
      try {
        id = peerIdFromString(peer);
      } catch {
        id = null;
        this.log.error('%s is not a libp2p peer id: no link to it', peer);
      }
      this.peerIds.set(peer, id);
    }
    return id;
  }

  /** Keep one link per allowed peer, none to others. */
  private syncLinks(): void {
    if (this.stopped) return;
    const allowed = this.members.allowedPeers();
    for (const [peer, link] of this.links) {
      if (!allowed.has(peer)) {
        link.close();
        this.links.delete(peer);
      }
    }
    for (const peer of allowed) {
      if (this.links.has(peer) || this.libp2pPeerId(peer) === null) continue;
      const link = new PeerLink(
        peer,
        {
          openChannel: (p, signal) => this.openChannel(p, signal),
          log: (fmt, ...args) => this.log(fmt, ...args),
        },
        this.opts,
      );
      this.links.set(peer, link);
      link.kick();
    }
  }

  private async openChannel(peer: PeerId, signal: AbortSignal): Promise<Channel> {
    const id = this.libp2pPeerId(peer);
    if (id === null) throw new Error(`${peer} is not a libp2p peer id`);
    const stream = await this.libp2p.dialProtocol(id, PAXOS_PROTOCOL, { signal });
    return new Channel(peer, stream, this);
  }

  private onInboundStream(stream: Stream, conn: Connection): void {
    const peer = conn.remotePeer.toString();
    if (this.stopped || !this.members.isAllowed(peer)) {
      this.metrics.streamsRefused++;
      this.log('refused a protocol stream from non-member %s', peer);
      stream.abort(new Error('not a member'));
      return;
    }
    const ch = new Channel(peer, stream, this);
    const old = this.inbound.get(peer);
    this.inbound.set(peer, ch);
    old?.abort(new Error('replaced by a newer stream'));
    ch.onClose(() => {
      if (this.inbound.get(peer) === ch) this.inbound.delete(peer);
    });
    // The peer reaches us: no need to wait out a backoff before reaching it.
    this.links.get(peer)?.kick();
  }

  /** Cut everything to a peer that lost access. */
  private disconnect(peer: PeerId): void {
    this.links.get(peer)?.close();
    this.links.delete(peer);
    this.inbound.get(peer)?.abort(new Error('no longer a member'));
    this.inbound.delete(peer);
    const id = this.libp2pPeerId(peer);
    // On the app's node the connection may carry the app's protocols: only our streams close.
    if (
      id !== null &&
      this.internals.ownNode !== undefined &&
      this.joinsInProgress.get(peer) === undefined
    ) {
      this.libp2p.hangUp(id).catch((err: unknown) => this.log('hang up %s: %e', peer, err));
    }
  }

  private onConnectionOpen(conn: Connection): void {
    const peer = conn.remotePeer.toString();
    if (this.members.mayDial(peer)) {
      this.links.get(peer)?.kick();
      return;
    }
    // On the app's node, other peers are the app's business (no gate let them in).
    if (this.internals.ownNode === undefined) return;
    // A stranger let in to present an invite (gate.ts): it gets a grace period.
    const timer = setTimeout(() => this.expireStranger(conn), this.opts.strangerGraceMs);
    this.internals.strangers.set(conn.id, { peer, timer });
  }

  private expireStranger(conn: Connection): void {
    const s = this.internals.strangers.get(conn.id);
    if (s === undefined) return;
    if (this.joinsInProgress.has(s.peer)) {
      s.timer = setTimeout(() => this.expireStranger(conn), this.opts.strangerGraceMs);
      return;
    }
    this.internals.strangers.delete(conn.id);
    if (!this.members.isAllowed(s.peer)) {
      this.log('closing the connection of stranger %s (grace period over)', s.peer);
      conn.close().catch(() => conn.abort(new Error('stranger grace period over')));
    }
  }

  private onConnectionClose(conn: Connection): void {
    const s = this.internals.strangers.get(conn.id);
    if (s === undefined) return;
    clearTimeout(s.timer);
    this.internals.strangers.delete(conn.id);
  }

  private onDiscovery(info: PeerInfo): void {
    const peer = info.id.toString();
    if (peer === this.id) return;
    const addrs = info.multiaddrs.map((a) => a.toString());
    this.noteDiscovered(peer, addrs);
    if (this.members.isAllowed(peer)) {
      this.internals.addressBook.record(peer, addrs);
      // Dial on discovery: libp2p only adds the peer to its store.
      this.links.get(peer)?.kick();
    }
  }

  private noteDiscovered(peer: PeerId, addrs: string[]): void {
    const d: DiscoveredPeer = {
      peer,
      addrs,
      lastSeen: Date.now(),
      member: this.members.isAllowed(peer),
    };
    this.discovered.set(peer, d);
    for (const l of this.discoveryListeners) {
      try {
        l(d);
      } catch (err) {
        this.log.error('a discovery listener threw: %e', err);
      }
    }
  }

  private async rememberAddrs(peer: PeerId, addrs: readonly string[]): Promise<void> {
    const id = this.libp2pPeerId(peer);
    if (id === null || peer === this.id) return;
    const multiaddrs: Multiaddr[] = [];
    for (const a of addrs) {
      try {
        multiaddrs.push(multiaddr(a));
      } catch {
        // Skip what cannot be read.
      }
    }
    if (multiaddrs.length > 0) await this.libp2p.peerStore.merge(id, { multiaddrs });
  }

  /**
   * Our addresses for invites and join answers: the non-loopback ones when there are any (a
   * loopback address names the joiner's own machine), else loopback (a peer on 127.0.0.1).
   */
  private advertisedAddrs(): Multiaddr[] {
    const all = this.libp2p.getMultiaddrs().map((a) => a.decapsulateCode(CODE_P2P));
    const loopback = (a: Multiaddr) => /^\/ip[46]\/(127\.|::1\/)/.test(a.toString());
    const reachable = all.filter((a) => !loopback(a));
    return reachable.length > 0 ? reachable : all;
  }

  private async addrsOf(peer: PeerId): Promise<Multiaddr[]> {
    const id = this.libp2pPeerId(peer);
    if (id === null) return [];
    try {
      const p = await this.libp2p.peerStore.get(id);
      return p.addresses.map((a) => a.multiaddr);
    } catch {
      return [];
    }
  }

  private async onJoined(result: JoinResult): Promise<void> {
    if (this.internals.storage !== undefined) {
      await this.internals.storage.setMeta(
        META_JOINED,
        new TextEncoder().encode(JSON.stringify(result)),
      );
    }
    for (const m of result.members) await this.rememberAddrs(m.peer, m.addrs);
    this.members.addProvisional(result.members.map((m) => m.peer));
    for (const m of result.members) this.internals.addressBook.record(m.peer, m.addrs);
    this.syncLinks();
  }
}
