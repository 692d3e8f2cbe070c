/**
 * One libp2p node carrying many logs (DESIGN.md §9, docs/many-logs.md): one identity, one port,
 * one set of connections and one mDNS service, and a transport per log (Libp2pTransport, core's
 * Transport) opened on it at run time.
 *
 *   const host = await createTransportHost({ storage: hostStore, listen, mdns: true });
 *   const notes = await host.openLog({ logId: 'notes', storage: notesStore });
 *   const node = await startNode({ id: host.id, storage: notesStore, transport: notes, ... });
 *
 * What is the host's: the libp2p node, the connection gate (a peer may connect when any log
 * admits it), discovery, the bad-frame count and bans (a peer that sends garbage is cut off
 * from every log), strangers presenting invites, the join protocol (each request goes to the
 * log its invite names), invite requests from peers in no log (answered by the log whose app
 * takes them), and what it knows of each peer's wire versions. What is each log's:
 * its members, invites, address book, links and the core behind them.
 *
 * On the wire (protocols.ts) each log has its own stream per pair of peers and direction; a
 * version 2 stream names its log in its first frame. An inbound stream for a log not hosted
 * here, or whose members do not include the sender, is reset at once, the same way in both
 * cases: a member of one log learns nothing of the others, not even whether they exist.
 */
import { identify } from '@libp2p/identify';
import type {
  Connection,
  Libp2p,
  Libp2pEvents,
  Logger,
  PeerId as Libp2pPeerId,
  PeerInfo,
  PrivateKey,
  Stream,
} from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId } from '@synod/core';
import { createLibp2p } from 'libp2p';
import { Channel, type ChannelHost, type DecodedOk } from './channel.js';
import { TransportConfigError, TransportStoppedError } from './errors.js';
import { encodeControl } from './frame-codec.js';
import { DiscoveredPeers } from './discovered-peers.js';
import { createGate } from './gate.js';
import { hostOfComponents, type Libp2pHost, type Libp2pHostComponents } from './host.js';
import { loadOrCreateIdentity } from './identity.js';
import {
  INVITE_DECISION_TIMEOUT_MS,
  InviteRequestService,
  type InviteRequestHandler,
} from './invite-request.js';
import { serveJoinStream } from './join.js';
import { Libp2pTransport } from './libp2p-transport.js';
import { noiseRecords } from './link/noise-records.js';
import { yamuxMuxer } from './link/yamux.js';
import { checkListenAddresses, listenFailure } from './listen-failure.js';
import { rememberedListen, rememberListenPorts } from './listen-ports.js';
import { newMetrics, type DropReason, type TransportMetrics } from './metrics.js';
import {
  resolveHostOptions,
  type LogTransportOptions,
  type ResolvedHostOptions,
  type TransportHostOptions,
} from './options.js';
import { INVITE_REQUEST_PROTOCOL, JOIN_PROTOCOL, type WireVersion } from './protocols.js';
import { toSwarmKey } from './psk.js';
import { incompatibility, versionsIn, type PeerProtocol } from './versions.js';

/** A peer seen by discovery (mDNS, or an address given to addPeerAddress / bootstrap). */
export interface DiscoveredPeer {
  readonly peer: PeerId;
  readonly addrs: readonly string[];
  /**
   * When it was last seen (ms since the epoch): now while it is connected. A peer neither seen
   * nor connected for 3 mDNS intervals (30 s without mDNS) is no longer listed.
   */
  readonly lastSeen: number;
  /** Whether it may speak the protocol with us (a member of a log here, or provisionally one). */
  readonly member: boolean;
}

/**
 * How many streams of the protocol two peers may keep open in each direction: one per log they
 * share (and one being replaced). yamux's own limit (1000 streams per connection and direction)
 * caps it below that: two peers share at most about a thousand logs.
 */
const MAX_LOG_STREAMS = 2048;

/**
 * How many join streams one peer may have open to this host at once: one per log it joins here
 * at the same time (an app joining several invites of one host). Strangers are bounded apart
 * (maxStrangers), and each stream by the join protocol's own limits (join.ts).
 */
const MAX_JOIN_STREAMS = 16;

/** A stream must name its log this soon, or it is reset. */
const HEADER_TIMEOUT_MS = 10_000;

/** The parts of a peer's bootstrap address. */
export function parseAddress(s: string): { peer: PeerId; addr: Multiaddr } {
  let ma: Multiaddr;
  try {
    ma = multiaddr(s);
  } catch (err) {
    throw new TransportConfigError(`address ${s} is not a multiaddr: ${String(err)}`);
  }
  const id = ma.getComponents().findLast((c) => c.code === CODE_P2P)?.value;
  if (id === undefined) {
    throw new TransportConfigError(`address ${s} does not end in /p2p/<peer id>`);
  }
  return { peer: id, addr: ma };
}

/** Addresses of this machine, exempt from libp2p's per-address inbound rate limit. */
const SAME_MACHINE = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'];

/** Create a libp2p node of its own, listening at once, ready to carry logs. */
export async function createTransportHost(
  options: TransportHostOptions,
): Promise<TransportHost<Libp2p>> {
  const opts = resolveHostOptions(options);
  checkListenAddresses(opts.listen);
  if (opts.announce !== undefined) checkListenAddresses(opts.announce, 'announce');
  if (options.identity === undefined && options.storage === undefined) {
    throw new TransportConfigError('give an identity key or a storage to keep one in');
  }
  const key: PrivateKey = options.identity ?? (await loadOrCreateIdentity(options.storage!));
  const self = peerIdFromPrivateKey(key).toString();
  // The gate reads the host, which exists once the node does: nothing dials before that.
  const made: { host?: TransportHost<Libp2p> } = {};
  // mDNS and the private-network protector are loaded only when asked for: a peer without them
  // (a server, the benchmarks) does not carry their modules (a few MiB of heap and code).
  const protector =
    opts.psk === undefined ? undefined : (await import('@libp2p/pnet')).preSharedKey;
  const discovery = opts.mdns === undefined ? undefined : (await import('@libp2p/mdns')).mdns;
  const start = (listen: string[]) =>
    createLibp2p({
      privateKey: key,
      addresses: {
        listen,
        ...(opts.announce !== undefined ? { announce: opts.announce } : {}),
      },
      transports: [tcp()],
      connectionEncrypters: [noiseRecords()],
      streamMuxers: [yamuxMuxer()],
      // libp2p allows each IP address 5 inbound connections a second, a guard for public nodes
      // that takes one address for one host. Peers of the same machine share it: a stranger
      // redialling while the gate refuses it, or another peer starting, used the allowance up and
      // the next joiner's dial was reset before Noise. Our gate decides who may connect (an
      // allowed address skips libp2p's pending and total connection limits too); the limits stay
      // for other machines.
      connectionManager: { allow: SAME_MACHINE },
      connectionGater: createGate({
        mayDial: (peer) => made.host?.mayDial(peer) ?? false,
        isAllowed: (peer) => made.host?.isAllowed(peer) ?? false,
        isFormer: (peer) => made.host?.isFormer(peer) ?? false,
        acceptsStrangers: () => made.host?.acceptsStranger() ?? false,
        metrics: () => made.host?.metrics,
      }),
      ...(protector !== undefined && opts.psk !== undefined
        ? { connectionProtector: protector({ psk: toSwarmKey(opts.psk) }) }
        : {}),
      peerDiscovery:
        discovery !== undefined && opts.mdns !== undefined
          ? [discovery({ interval: opts.mdns.intervalMs, serviceTag: opts.mdns.serviceTag })]
          : [],
      services: { identify: identify() },
      // Links ping their own streams (RTT, liveness); libp2p's monitor would ping a protocol we
      // do not serve.
      connectionMonitor: { enabled: false },
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  // Port 0 gets last run's port where it is still free (listen-ports.ts), else a free one.
  const store = options.storage;
  const again = store === undefined ? opts.listen : await rememberedListen(store, opts.listen);
  const node = await start(again)
    .catch((err: unknown) => {
      if (again.every((a, i) => a === opts.listen[i])) throw err;
      return start(opts.listen);
    })
    .catch((err: unknown) => {
      throw listenFailure(err);
    });
  if (store !== undefined) {
    await rememberListenPorts(store, opts.listen, node.getMultiaddrs()).catch((err: unknown) =>
      node.logger.forComponent('synod:transport')('keeping the listen ports: %e', err),
    );
  }
  const host = new TransportHost(node, self, opts, node);
  made.host = host;
  await host.init();
  return host;
}

/**
 * The host on the app's own libp2p node, from the components js-libp2p gives a service: this
 * peer's id is the node's. The node's connections are the app's too, so membership is enforced
 * per stream (the protocol refuses non-members) rather than by a connection gater, and stop()
 * leaves the node running (it removes only this host's handlers).
 */
export async function attachTransportHost(
  components: Libp2pHostComponents,
  options: Omit<
    TransportHostOptions,
    'identity' | 'storage' | 'listen' | 'announce' | 'mdns' | 'psk' | 'logger'
  >,
): Promise<TransportHost<Libp2pHost>> {
  const opts = resolveHostOptions(options);
  const host = new TransportHost(
    hostOfComponents(components),
    components.peerId.toString(),
    opts,
    undefined,
  );
  await host.init();
  return host;
}

export class TransportHost<Host extends Libp2pHost = Libp2p> implements ChannelHost {
  /** This peer's id (its libp2p peer id, base58btc). */
  readonly id: PeerId;
  /** @internal The component logger (DEBUG=synod:transport*). */
  readonly log: Logger;
  /** @internal */
  readonly maxFrameBytes: number;
  /** @internal The live counters, shared by every log of this host. */
  readonly metrics: TransportMetrics;
  /** The wire versions this host speaks, newest first. */
  readonly wireVersions: readonly WireVersion[];
  private stopped = false;
  private readonly logs = new Map<string, Libp2pTransport<Host>>();
  /** Peers seen lately: mDNS repeats its answers every interval, so 3 missed ones mean gone. */
  private readonly discovered: DiscoveredPeers;
  private readonly discoveryListeners = new Set<(p: DiscoveredPeer) => void>();
  private readonly peerIds = new Map<PeerId, Libp2pPeerId | null>();
  private readonly joinsInProgress = new Map<PeerId, number>();
  /** Bad frames per peer in the current window (see countBad). */
  private readonly badFrames = new Map<PeerId, { since: number; count: number }>();
  /** Peer -> until when (Date.now clock) it is shut out, from every log (bad frames). */
  private readonly banned = new Map<PeerId, number>();
  /** Connections of strangers let in to present an invite, by connection id. */
  private readonly strangers = new Map<
    string,
    { peer: PeerId; timer: ReturnType<typeof setTimeout> }
  >();
  /** Inbound streams that have not named their log yet. */
  private readonly unnamed = new Set<Channel>();
  /** What each peer announced and negotiated (versions.ts). */
  private readonly protocols = new Map<
    PeerId,
    { version: number | null; theirs: number[]; refused: boolean }
  >();
  /** Requests for an invite from peers in no log (invite-request.ts). */
  private readonly inviteRequests: InviteRequestService;
  /** The log whose app decides invite requests (the last to set a handler), if any. */
  private inviteRequestLog: Libp2pTransport<Host> | undefined;
  /** Undo what init() registered on the libp2p node (handlers, listeners). */
  private readonly detach: (() => Promise<void> | void)[] = [];

  /** @internal Use createTransportHost() or attachTransportHost(). */
  constructor(
    /** The libp2p node underneath, for what this API does not cover. */
    readonly libp2p: Host,
    self: PeerId,
    /** @internal */
    readonly opts: ResolvedHostOptions,
    /** The libp2p node, when it is this host's own (made by createTransportHost). */
    private readonly ownNode: Libp2p | undefined,
  ) {
    this.id = self;
    this.log = libp2p.logger.forComponent('synod:transport');
    this.maxFrameBytes = opts.maxFrameBytes;
    this.metrics = newMetrics();
    this.wireVersions = opts.wireVersions;
    this.discovered = new DiscoveredPeers(3 * (opts.mdns?.intervalMs ?? 10_000));
    this.inviteRequests = new InviteRequestService({
      createInvite: () => {
        const log = this.inviteRequestLog;
        if (log === undefined) return Promise.reject(new TransportStoppedError('no log'));
        return log.createInvite();
      },
      inProgress: (peer, active) => this.joinInProgress(peer, active),
      log: this.log.newScope('invite-request'),
      decisionTimeoutMs: INVITE_DECISION_TIMEOUT_MS,
    });
  }

  /** @internal Register the protocol handlers and the node's events. */
  async init(): Promise<void> {
    const node = this.libp2p;
    for (const wire of this.wireVersions) {
      await node.handle(wire.protocol, (stream, conn) => this.onInboundStream(stream, conn, wire), {
        maxInboundStreams: MAX_LOG_STREAMS,
        maxOutboundStreams: MAX_LOG_STREAMS,
      });
      this.detach.push(() => node.unhandle(wire.protocol));
    }
    await node.handle(
      JOIN_PROTOCOL,
      (stream, conn) =>
        serveJoinStream(stream, conn, {
          self: this.id,
          metrics: this.metrics,
          log: this.log.newScope('join'),
          serviceOf: (logId) => this.logs.get(logId)?.joinService,
          joinInProgress: (peer, active) => this.joinInProgress(peer, active),
        }),
      { maxInboundStreams: MAX_JOIN_STREAMS },
    );
    this.detach.push(() => node.unhandle(JOIN_PROTOCOL));
    await node.handle(
      INVITE_REQUEST_PROTOCOL,
      (stream, conn) => this.inviteRequests.serve(stream, conn),
      { maxInboundStreams: 2 },
    );
    this.detach.push(() => node.unhandle(INVITE_REQUEST_PROTOCOL));
    const listen = <K extends keyof Libp2pEvents>(
      type: K,
      listener: (evt: Libp2pEvents[K]) => void,
    ): void => {
      node.addEventListener(type, listener);
      this.detach.push(() => node.removeEventListener(type, listener));
    };
    listen('peer:discovery', (evt) => this.onDiscovery(evt.detail));
    listen('peer:connect', (evt) => this.discovered.connect(evt.detail.toString()));
    listen('peer:disconnect', (evt) => this.discovered.disconnect(evt.detail.toString()));
    listen('connection:open', (evt) => this.onConnectionOpen(evt.detail));
    listen('connection:close', (evt) => this.onConnectionClose(evt.detail));
    listen('peer:identify', (evt) => {
      const peer = evt.detail.peerId.toString();
      this.noteProtocols(peer, evt.detail.protocols, false);
      const addrs = evt.detail.listenAddrs.map((a) => a.toString());
      for (const log of this.logsAllowing(peer)) log.recordAddresses(peer, addrs);
    });
  }

  // ------------------------------------------------------------------ logs

  /**
   * Open the transport of one log on this host (its members, invites, addresses and links).
   * Stopping that transport closes the log here and leaves the host running.
   */
  async openLog(options: LogTransportOptions): Promise<Libp2pTransport<Host>> {
    if (this.stopped) throw new TransportStoppedError('the host is stopped');
    const key = options.logId ?? '';
    const already = () =>
      new TransportConfigError(`log ${options.logId ?? '(unnamed)'} is open on this host already`);
    if (this.logs.has(key)) throw already();
    const transport = await Libp2pTransport.open(this, options);
    if (this.stopped) throw new TransportStoppedError('the host is stopped');
    if (this.logs.has(key)) throw already();
    this.logs.set(key, transport);
    await transport.init();
    return transport;
  }

  /** @internal A log without a name joined `logId`: list it under that id (if free). */
  renameLog(transport: Libp2pTransport<Host>, logId: string): void {
    if (this.logs.has(logId)) {
      throw new TransportConfigError(`log ${logId} is open on this host already`);
    }
    if (this.logs.get(transport.logId) === transport) this.logs.delete(transport.logId);
    this.logs.set(logId, transport);
  }

  /** The ids of the logs open on this host. */
  openLogs(): string[] {
    return [...this.logs.keys()];
  }

  /** The transport of an open log, or undefined. */
  logTransport(logId: string): Libp2pTransport<Host> | undefined {
    return this.logs.get(logId);
  }

  /** @internal A log's transport stopped: forget it, and cut peers no log admits any more. */
  onLogClosed(transport: Libp2pTransport<Host>, peers: Iterable<PeerId>): void {
    if (this.logs.get(transport.logId) === transport) this.logs.delete(transport.logId);
    if (this.inviteRequestLog === transport) this.setInviteRequestHandler(transport, undefined);
    for (const peer of peers) if (!this.isAllowed(peer)) this.hangUp(peer);
  }

  /**
   * @internal `log`'s app decides invite requests with `handler` (undefined: no longer). A peer
   * in no log asks the host, not a log: the log that set a handler last answers.
   */
  setInviteRequestHandler(
    log: Libp2pTransport<Host>,
    handler: InviteRequestHandler | undefined,
  ): void {
    if (handler !== undefined) this.inviteRequestLog = log;
    else if (this.inviteRequestLog !== log) return;
    else this.inviteRequestLog = undefined;
    this.inviteRequests.setHandler(handler);
  }

  // ------------------------------------------------------------------ who may talk

  /** @internal May `peer` speak the protocol with some log here? */
  isAllowed(peer: PeerId): boolean {
    if (this.isBanned(peer)) return false;
    for (const log of this.logs.values()) if (log.members.isAllowed(peer)) return true;
    return false;
  }

  /** @internal Is `peer` a former member of some log here (it may ask for progress only)? */
  isFormer(peer: PeerId): boolean {
    if (this.isBanned(peer)) return false;
    for (const log of this.logs.values()) if (log.members.isFormer(peer)) return true;
    return false;
  }

  /** @internal May we dial `peer` (a member of a log here, or an inviter we present to)? */
  mayDial(peer: PeerId): boolean {
    if (this.isBanned(peer)) return false;
    for (const log of this.logs.values()) if (log.members.mayDial(peer)) return true;
    return false;
  }

  /** @internal May one more stranger connect (to present an invite to some log here)? */
  acceptsStranger(): boolean {
    if (this.strangers.size >= this.opts.maxStrangers) return false;
    if (this.inviteRequests.accepting) return true;
    for (const log of this.logs.values()) if (log.book.hasOutstanding()) return true;
    return false;
  }

  private logsAllowing(peer: PeerId): Libp2pTransport<Host>[] {
    return [...this.logs.values()].filter((l) => l.members.isAllowed(peer));
  }

  /** @internal Is `peer` shut out for bad frames? */
  isBanned(peer: PeerId): boolean {
    const until = this.banned.get(peer);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.banned.delete(peer);
    return false;
  }

  /** @internal A log's members changed: peers that lost access to every log are cut off. */
  onAccessLost(peers: readonly PeerId[]): void {
    for (const peer of peers) {
      if (this.isAllowed(peer)) continue;
      for (const ch of this.unnamed) if (ch.peer === peer) ch.abort(new Error('not a member'));
      this.hangUp(peer);
    }
  }

  /** Close our connections to a peer no log admits (on our own node: the app's are its own). */
  private hangUp(peer: PeerId): void {
    const id = this.libp2pPeerId(peer);
    if (id === null || this.ownNode === undefined || this.joinsInProgress.has(peer)) return;
    this.libp2p.hangUp(id).catch((err: unknown) => this.log('hang up %s: %e', peer, err));
  }

  /**
   * @internal A link heard nothing on `stream` for silenceTimeoutMs: its connection is taken
   * for dead as well (a peer that vanished without closing it, a half-open connection) and
   * closed. Left open, libp2p would open the redial's stream on it again, and a peer back at
   * another address would not be reached until TCP gave the old connection up, minutes later
   * or never (review6).
   */
  closeConnectionOf(peer: PeerId, stream: Stream): void {
    const id = this.libp2pPeerId(peer);
    if (id === null) return;
    for (const conn of this.libp2p.getConnections(id)) {
      if (conn.streams.includes(stream)) conn.abort(new Error('no answer to pings'));
    }
  }

  // ------------------------------------------------------------------ streams

  /**
   * @internal Open a stream for `logId` to `peer`, offering our wire versions newest first; on a
   * version 2 stream the first frame names the log.
   */
  async openStream(peer: PeerId, logId: string, signal: AbortSignal): Promise<Channel> {
    const id = this.libp2pPeerId(peer);
    if (id === null) throw new Error(`${peer} is not a libp2p peer id`);
    let stream: Stream;
    try {
      stream = await this.libp2p.dialProtocol(
        id,
        this.wireVersions.map((w) => w.protocol),
        { signal },
      );
    } catch (err) {
      if (err instanceof Error && err.name === 'UnsupportedProtocolError') {
        this.noteRefused(peer, id);
      }
      throw err;
    }
    const wire = this.wireVersions.find((w) => w.protocol === stream.protocol);
    if (wire === undefined) {
      stream.abort(new Error(`unexpected protocol ${stream.protocol}`));
      throw new Error(`${peer} answered with protocol ${stream.protocol}`);
    }
    this.noteVersion(peer, wire.version);
    if (wire.logs === 'single') {
      // The peer runs a release of one log per peer: its one log must be this one.
      const shared = this.logsAllowing(peer);
      if (shared.length !== 1 || shared[0]!.logId !== logId) {
        stream.abort(new Error('protocol 1 carries one log'));
        throw new Error(
          `${peer} runs protocol 1, which carries one log per peer: it cannot serve log ${logId} beside ${shared.map((l) => l.logId).join(', ')}`,
        );
      }
    } else {
      stream.send(encodeControl({ logId }, wire.version));
    }
    return new Channel(peer, stream, this, wire.version, logId);
  }

  private onInboundStream(stream: Stream, conn: Connection, wire: WireVersion): void {
    const peer = conn.remotePeer.toString();
    if (this.stopped || (!this.isAllowed(peer) && !this.isFormer(peer))) {
      this.refuseStream(stream, peer);
      return;
    }
    this.noteVersion(peer, wire.version);
    if (wire.logs === 'single') {
      // Protocol 1: the peer hosts one log, the one it shares with us (it cannot share two).
      const shared = this.logsAllowing(peer);
      if (shared.length !== 1) {
        this.log.error('%s speaks protocol 1 but is a member of %d logs here', peer, shared.length);
        this.refuseStream(stream, peer);
        return;
      }
      shared[0]!.attachInbound(new Channel(peer, stream, this, wire.version, shared[0]!.logId));
      return;
    }
    const ch = new Channel(peer, stream, this, wire.version);
    this.unnamed.add(ch);
    ch.onClose(() => this.unnamed.delete(ch));
    setTimeout(() => {
      if (this.unnamed.has(ch)) ch.abort(new Error('no log header'));
    }, HEADER_TIMEOUT_MS).unref();
  }

  /** Refuse a stream: the same for a stranger, a log not hosted here and a log's non-member. */
  private refuseStream(stream: Stream, peer: PeerId): void {
    this.metrics.streamsRefused++;
    this.log('refused a protocol stream from %s', peer);
    stream.abort(new Error('refused'));
  }

  /** A stream's header named its log: give the stream to that log, or refuse it. */
  private nameStream(channel: Channel, logId: string): void {
    this.unnamed.delete(channel);
    const log = this.logs.get(logId);
    if (
      log === undefined ||
      (!log.members.isAllowed(channel.peer) && !log.members.isFormer(channel.peer))
    ) {
      this.refuseStream(channel.stream, channel.peer);
      channel.abort(new Error('refused'));
      return;
    }
    channel.name(logId);
    log.attachInbound(channel);
  }

  // ------------------------------------------------------------------ ChannelHost

  /** @internal */
  onFrame(channel: Channel, frame: DecodedOk): void {
    if (this.stopped) return;
    if (channel.logId === undefined) {
      if (frame.logId === undefined) {
        // The first frame must name the log: this one is dropped, and counts as a bad frame.
        this.metrics.framesDropped.invalid++;
        this.log.error('dropped a frame from %s (invalid): its stream names no log', channel.peer);
        this.onDrop(channel, 'invalid');
        return;
      }
      this.nameStream(channel, frame.logId);
      if (channel.logId === undefined) return;
    } else if (frame.logId !== undefined && frame.logId !== channel.logId && channel.version > 1) {
      // A stream carries one log for its whole life.
      this.metrics.framesDropped.invalid++;
      this.onDrop(channel, 'invalid');
      return;
    }
    const log = this.logs.get(channel.logId);
    if (log === undefined || this.isBanned(channel.peer)) {
      this.metrics.framesDropped['non-member']++;
    } else if (log.members.isAllowed(channel.peer)) {
      log.onFrame(channel, frame);
    } else if (log.members.isFormer(channel.peer)) {
      log.onFormerFrame(channel, frame);
    } else {
      this.metrics.framesDropped['non-member']++;
    }
  }

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
    this.banned.set(peer, Date.now() + this.opts.offenderBanMs);
    for (const log of this.logs.values()) log.cutOff(peer);
    for (const ch of this.unnamed) if (ch.peer === peer) ch.abort(new Error('cut off'));
    this.hangUp(peer);
    // Dial it again once the ban is over, if it is still a member.
    setTimeout(() => {
      for (const log of this.logs.values()) log.syncLinks();
    }, this.opts.offenderBanMs + 10).unref();
  }

  // ------------------------------------------------------------------ versions

  /** What this host knows of `peer`'s wire versions (versions.ts). */
  peerProtocol(peer: PeerId): PeerProtocol {
    const p = this.protocols.get(peer);
    const ours = this.wireVersions.map((w) => w.version);
    return {
      version: p?.version ?? null,
      theirs: p?.theirs ?? [],
      incompatible:
        p === undefined
          ? null
          : incompatibility(peer, ours, p.theirs, p.refused && p.version === null),
    };
  }

  private noteVersion(peer: PeerId, version: number): void {
    const p = this.protocols.get(peer);
    if (p === undefined) this.protocols.set(peer, { version, theirs: [], refused: false });
    else {
      p.version = version;
      p.refused = false;
    }
  }

  private noteProtocols(peer: PeerId, protocols: readonly string[], refused: boolean): void {
    const theirs = versionsIn(protocols);
    // A node that announces no Synod protocol at all (not yet, or an app's other peer) says
    // nothing about versions.
    if (theirs.length === 0 && !refused) return;
    const p = this.protocols.get(peer);
    if (p === undefined) this.protocols.set(peer, { version: null, theirs, refused });
    else {
      if (theirs.length > 0) p.theirs = theirs;
      if (refused) {
        p.refused = true;
        p.version = null;
      }
    }
    const said = this.peerProtocol(peer).incompatible;
    if (said !== null) this.log.error('%s', said);
  }

  /** A dial found no protocol in common: remember it, with what the peer announced. */
  private noteRefused(peer: PeerId, id: Libp2pPeerId): void {
    this.libp2p.peerStore.get(id).then(
      (p) => this.noteProtocols(peer, p.protocols, true),
      () => this.noteProtocols(peer, [], true),
    );
  }

  // ------------------------------------------------------------------ discovery and addresses

  /** This peer's addresses, each ending in /p2p/<id>: give one to another peer's bootstrap. */
  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /**
   * Peers found by discovery, members or not (the app can show "peers on this LAN"): those seen
   * within 3 mDNS intervals (30 s without mDNS) or connected now, at most 1024.
   */
  discoveredPeers(): DiscoveredPeer[] {
    return this.discovered.list().map((d) => ({ ...d, member: this.isAllowed(d.peer) }));
  }

  /** Be told of each discovery; returns an unsubscribe function. */
  onPeerDiscovered(listener: (peer: DiscoveredPeer) => void): () => void {
    this.discoveryListeners.add(listener);
    return () => this.discoveryListeners.delete(listener);
  }

  /**
   * Learn a peer's address (a multiaddr ending in /p2p/<id>) and dial it now for every log it
   * is a member of: what a bootstrap entry does, at run time.
   */
  async addPeerAddress(address: string): Promise<void> {
    const { peer, addr } = parseAddress(address);
    await this.rememberAddrs(peer, [addr.toString()]);
    this.noteDiscovered(peer, [addr.toString()]);
    for (const log of this.logsAllowing(peer)) {
      log.recordAddresses(peer, [addr.toString()]);
      log.kick(peer);
    }
  }

  /** @internal Put addresses in libp2p's peer store (what dials read). */
  async rememberAddrs(peer: PeerId, addrs: readonly string[]): Promise<void> {
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
   * @internal Our addresses for invites and join answers: the non-loopback ones when there are
   * any (a loopback address names the joiner's own machine), else loopback (a peer on 127.0.0.1).
   */
  advertisedAddrs(): Multiaddr[] {
    const all = this.libp2p.getMultiaddrs().map((a) => a.decapsulateCode(CODE_P2P));
    const loopback = (a: Multiaddr) => /^\/ip[46]\/(127\.|::1\/)/.test(a.toString());
    const reachable = all.filter((a) => !loopback(a));
    return reachable.length > 0 ? reachable : all;
  }

  /** @internal Addresses libp2p knows for a peer. */
  async addrsOf(peer: PeerId): Promise<Multiaddr[]> {
    const id = this.libp2pPeerId(peer);
    if (id === null) return [];
    try {
      const p = await this.libp2p.peerStore.get(id);
      return p.addresses.map((a) => a.multiaddr);
    } catch {
      return [];
    }
  }

  /** @internal The libp2p PeerId of a peer id string (cached), or null if it is not one. */
  libp2pPeerId(peer: PeerId): Libp2pPeerId | null {
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

  // ------------------------------------------------------------------ stop

  /**
   * Close every log still open (their nodes should be stopped first), remove this host's
   * handlers, and stop the libp2p node if it is the host's own.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const log of [...this.logs.values()]) await log.stop();
    for (const ch of this.unnamed) ch.abort(new TransportStoppedError());
    this.unnamed.clear();
    for (const s of this.strangers.values()) clearTimeout(s.timer);
    this.strangers.clear();
    for (const undo of this.detach.splice(0)) await undo();
    await this.ownNode?.stop();
  }

  /** Whether stop() was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  // ------------------------------------------------------------------ node events

  private joinInProgress(peer: PeerId, active: boolean): void {
    const n = (this.joinsInProgress.get(peer) ?? 0) + (active ? 1 : -1);
    if (n > 0) this.joinsInProgress.set(peer, n);
    else this.joinsInProgress.delete(peer);
  }

  /** @internal Whether a join exchange with `peer` is under way (its connection stays). */
  joinUnderWay(peer: PeerId): boolean {
    return this.joinsInProgress.has(peer);
  }

  private onConnectionOpen(conn: Connection): void {
    const peer = conn.remotePeer.toString();
    if (this.mayDial(peer)) {
      for (const log of this.logs.values()) log.kick(peer);
      return;
    }
    // A former member asking for progress (gate.ts): not a stranger, and never dialled.
    if (this.isFormer(peer)) return;
    // On the app's node, other peers are the app's business (no gate let them in).
    if (this.ownNode === undefined) return;
    // A stranger let in to present an invite (gate.ts): it gets a grace period.
    const timer = setTimeout(() => this.expireStranger(conn), this.opts.strangerGraceMs);
    this.strangers.set(conn.id, { peer, timer });
  }

  private expireStranger(conn: Connection): void {
    const s = this.strangers.get(conn.id);
    if (s === undefined) return;
    if (this.joinsInProgress.has(s.peer)) {
      s.timer = setTimeout(() => this.expireStranger(conn), this.opts.strangerGraceMs);
      return;
    }
    this.strangers.delete(conn.id);
    if (!this.isAllowed(s.peer)) {
      this.log('closing the connection of stranger %s (grace period over)', s.peer);
      conn.close().catch(() => conn.abort(new Error('stranger grace period over')));
    }
  }

  private onConnectionClose(conn: Connection): void {
    const s = this.strangers.get(conn.id);
    if (s === undefined) return;
    clearTimeout(s.timer);
    this.strangers.delete(conn.id);
  }

  private onDiscovery(info: PeerInfo): void {
    const peer = info.id.toString();
    if (peer === this.id) return;
    const addrs = info.multiaddrs.map((a) => a.toString());
    this.noteDiscovered(peer, addrs);
    for (const log of this.logsAllowing(peer)) {
      log.recordAddresses(peer, addrs);
      // Dial on discovery: libp2p only adds the peer to its store.
      log.kick(peer);
    }
  }

  private noteDiscovered(peer: PeerId, addrs: string[]): void {
    const d: DiscoveredPeer = {
      ...this.discovered.note(peer, addrs),
      member: this.isAllowed(peer),
    };
    for (const l of this.discoveryListeners) {
      try {
        l(d);
      } catch (err) {
        this.log.error('a discovery listener threw: %e', err);
      }
    }
  }
}
