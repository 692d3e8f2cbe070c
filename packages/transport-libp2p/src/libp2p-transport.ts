/**
 * The Synod Transport of one log on a libp2p host (DESIGN.md §6, §9): the log's members
 * (gating, members.ts), its invites and joins (join.ts), its members' addresses, and one
 * long-lived outbound stream per member (peer-link.ts) carrying batched, length-prefixed protobuf
 * frames. The libp2p node under it, shared with the host's other logs, is the TransportHost's
 * (transport-host.ts).
 *
 *   const transport = await createLibp2pTransport({ storage, listen, bootstrap, mdns: true });
 *   const node = await startNode({ id: transport.id, storage, transport, stateMachine });
 *
 * createLibp2pTransport makes a host of one log at once (stopping the transport stops the
 * host); `host.openLog()` adds a log to a running host. On the app's own libp2p node, from a
 * service's components: attachLibp2pTransport (the node, its listeners, encryption, discovery
 * and connection gating are then the app's).
 */
import type { Libp2p, Logger } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import {
  fromFormerMember,
  toFormerMember,
  type Message,
  type PeerId,
  type PeerLinkStatus,
  type Transport,
  type TransportHandler,
} from '@synod/core';
import { AddressBook } from './address-book.js';
import type { Channel, DecodedOk } from './channel.js';
import { TransportStoppedError } from './errors.js';
import { EncodeOnce } from './encode-once.js';
import { encodeControl } from './frame-codec.js';
import type { Libp2pHost, Libp2pHostComponents } from './host.js';
import type { MetaStore } from './identity.js';
import type { IssuedInvite } from './invite.js';
import { InviteBook } from './invite-book.js';
import {
  JoinService,
  type CreateInviteOptions,
  type JoinHandler,
  type JoinOptions,
  type JoinResult,
} from './join.js';
import type { InviteRequestHandler } from './invite-request.js';
import { MemberSet } from './members.js';
import { nextReleaseFrame } from './next-release.js';
import { META_JOINED } from './meta-keys.js';
import { copyMetrics, type TransportMetrics } from './metrics.js';
import {
  checkTransportKeys,
  resolveLogOptions,
  type Libp2pTransportOptions,
  type LogTransportOptions,
  type ResolvedLogOptions,
  type TransportHostOptions,
} from './options.js';
import { PeerLink, type LinkState } from './peer-link.js';
import {
  attachTransportHost,
  createTransportHost,
  parseAddress,
  type DiscoveredPeer,
  type TransportHost,
} from './transport-host.js';

/** A member's link, as peers() reports it: core's PeerLinkStatus and the peer's protocol. */
export interface LogPeerStatus extends PeerLinkStatus {
  /** The wire version of the last stream with the peer, or null. */
  readonly protocol: number | null;
  /** Set when the peer and this one share no wire version: what is wrong, in words. */
  readonly incompatible: string | null;
}

/** A link's details, beyond peers(). */
export interface LinkDetails extends LogPeerStatus {
  readonly state: LinkState | 'none';
  /** Bytes waiting in the link's send buffer. */
  readonly queuedBytes: number;
}

/** How long a peer admitted through a join may talk before its configuration is decided. */
const ADMIT_FOR_MS = 10 * 60 * 1000;

/** Read the join result a log kept (provisional members and their addresses). */
async function loadJoined(storage: MetaStore | undefined): Promise<JoinResult | undefined> {
  const raw = await storage?.getMeta(META_JOINED);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(raw)) as JoinResult;
  } catch {
    return undefined;
  }
}

function hostOptionsOf(o: Libp2pTransportOptions): TransportHostOptions {
  const { logId: _l, bootstrap: _b, initialMembers: _i, ...host } = o;
  return host;
}

/**
 * Create a host of one log and its transport: it listens at once (so its addresses and invites
 * are available before the node starts); messages reach the core from `start(handler)` on.
 * Stopping the transport stops the host.
 */
export async function createLibp2pTransport(
  options: Libp2pTransportOptions,
): Promise<Libp2pTransport> {
  checkTransportKeys(options);
  return openOwnLog(await createTransportHost(hostOptionsOf(options)), options);
}

/** The options of attachLibp2pTransport: what belongs to the node (listen, mDNS…) is the app's. */
export type AttachLibp2pTransportOptions = Omit<
  Libp2pTransportOptions,
  'identity' | 'listen' | 'announce' | 'mdns' | 'psk' | 'logger'
>;

/**
 * The transport of one log on the app's own libp2p node, from the components js-libp2p gives a
 * service: this peer's id is the node's. Membership is enforced per stream there (the node's
 * connections are the app's), and stop() leaves the node running.
 */
export async function attachLibp2pTransport(
  components: Libp2pHostComponents,
  options: AttachLibp2pTransportOptions,
): Promise<Libp2pTransport<Libp2pHost>> {
  checkTransportKeys(options);
  return openOwnLog(await attachTransportHost(components, hostOptionsOf(options)), options);
}

/** Open the one log of a host made for it: stopping the log stops the host. */
async function openOwnLog<Host extends Libp2pHost>(
  host: TransportHost<Host>,
  options: LogTransportOptions,
): Promise<Libp2pTransport<Host>> {
  try {
    const transport = await host.openLog(options);
    transport.ownsHost = true;
    return transport;
  } catch (err) {
    await host.stop().catch(() => undefined);
    throw err;
  }
}

export class Libp2pTransport<Host extends Libp2pHost = Libp2p> implements Transport {
  /** This peer's id (its libp2p peer id, base58btc): the host's. */
  readonly id: PeerId;
  /** The log this transport carries ('' for a log without a name, until it joins one). */
  logId: string;
  /** @internal The component logger (DEBUG=synod:transport*). */
  readonly log: Logger;
  /** @internal The host's live counters; getMetrics() returns a copy. */
  readonly metrics: TransportMetrics;
  /** @internal Who may speak this log's protocol (members.ts). */
  readonly members: MemberSet;
  /** @internal The invites issued for this log. */
  readonly book: InviteBook;
  /** @internal */
  readonly joinService: JoinService;
  /** @internal Set when stopping this transport stops its host (createLibp2pTransport). */
  ownsHost = false;
  private handler: TransportHandler | undefined;
  private stopped = false;
  /**
   * Aborted by stop(): a join under way ends then, not at its timeout (it may wait a minute on
   * the inviter's app, which asks its user), so stopping the log or its host is never held up.
   */
  private readonly stopSignal = new AbortController();
  private readonly links = new Map<PeerId, PeerLink>();
  private readonly inbound = new Map<PeerId, Channel>();
  private readonly lastSeen = new Map<PeerId, number>();
  /** A turn's P2a to each follower is encoded once (encode-once.ts). */
  private readonly encoder = new EncodeOnce(() => this.host.maxFrameBytes);

  /** @internal Use host.openLog(), createLibp2pTransport() or attachLibp2pTransport(). */
  constructor(
    /** The host this log runs on (its libp2p node, shared with the host's other logs). */
    readonly host: TransportHost<Host>,
    private readonly opts: ResolvedLogOptions,
    private readonly storage: MetaStore | undefined,
    parts: { members: MemberSet; book: InviteBook; addressBook: AddressBook },
  ) {
    this.id = host.id;
    this.logId = opts.logId;
    this.log = host.log;
    this.metrics = host.metrics;
    this.members = parts.members;
    this.book = parts.book;
    this.addressBook = parts.addressBook;
    const logIdNow = () => (this.logId === '' ? undefined : this.logId);
    this.joinService = new JoinService({
      node: host.libp2p,
      self: this.id,
      members: this.members,
      book: this.book,
      get logId() {
        return logIdNow();
      },
      inviteTtlMs: opts.inviteTtlMs,
      joinTimeoutMs: opts.joinTimeoutMs,
      admitForMs: ADMIT_FOR_MS,
      advertisedAddrs: () => host.advertisedAddrs(),
      addrsOf: (peer) => host.addrsOf(peer),
      onJoined: (result) => this.onJoined(result),
    });
  }

  private readonly addressBook: AddressBook;

  /** @internal Load what the log keeps (invites, addresses, a join's result). */
  static async open<Host extends Libp2pHost>(
    host: TransportHost<Host>,
    options: LogTransportOptions,
  ): Promise<Libp2pTransport<Host>> {
    const opts = resolveLogOptions(host.opts, options);
    const bootstrap = opts.bootstrap.map(parseAddress);
    const storage = options.storage;
    const [book, addressBook, joined] = await Promise.all([
      InviteBook.open(storage),
      AddressBook.open(storage),
      loadJoined(storage),
    ]);
    const members = new MemberSet(host.id, [
      ...opts.initialMembers,
      ...bootstrap.map((b) => b.peer),
      ...(joined?.members.map((m) => m.peer) ?? []),
    ]);
    for (const b of bootstrap) addressBook.record(b.peer, [b.addr.toString()]);
    for (const m of joined?.members ?? []) addressBook.record(m.peer, m.addrs);
    return new Libp2pTransport(host, opts, storage, { members, book, addressBook });
  }

  /** @internal Dial the peers already known (once the host lists this log). */
  async init(): Promise<void> {
    for (const [peer, addrs] of this.addressBook.entries()) {
      await this.host.rememberAddrs(peer, addrs);
    }
    this.syncLinks();
  }

  /** The libp2p node underneath (the host's, shared with its other logs). */
  get libp2p(): Host {
    return this.host.libp2p;
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
      if (link === undefined && this.members.isFormer(to)) return this.sendToFormer(to, messages);
      const channel = link?.current;
      if (link === undefined || link.state !== 'open' || channel === undefined) {
        this.metrics.sendsUnreachable++;
        return false;
      }
      if (link.full()) {
        this.metrics.sendsBufferFull++;
        return false;
      }
      const enc = this.encoder.encode(messages, channel.version);
      if (enc.oversized > 0) {
        this.metrics.sendsOversized += enc.oversized;
        this.log.error('dropped %d message(s) to %s larger than a frame', enc.oversized, to);
      }
      if (enc.frames.length === 0) return messages.length === 0;
      // The frames may be another peer's too (encode-once.ts): a transform makes new ones.
      const frames = this.host.opts.nextRelease ? enc.frames.map(nextReleaseFrame) : enc.frames;
      const result = link.write(frames);
      if (result === 'ok') {
        this.metrics.framesSent += frames.length;
        this.metrics.messagesSent += enc.messages;
        for (const f of frames) this.metrics.bytesSent += f.length;
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

  setMembers(peers: readonly PeerId[], formers: readonly PeerId[] = []): void {
    if (this.stopped) return;
    const lost = this.members.set(peers, formers);
    for (const peer of lost) this.cutOff(peer);
    this.host.onAccessLost(lost);
    this.syncLinks();
    this.addressBook.retain(this.members.allowedPeers());
  }

  /**
   * Whether `id` is a libp2p peer id in the form this transport names peers (base58btc, as
   * `this.id`): SynodNode adds no other to the membership (one would count toward every majority
   * and never answer).
   */
  isPeerId(id: PeerId): boolean {
    try {
      return peerIdFromString(id).toString() === id;
    } catch {
      return false;
    }
  }

  peers(): LogPeerStatus[] {
    return [...this.members.allowedPeers()].map((peer) => this.status(peer));
  }

  /**
   * Close this log here: its links and streams, its handler. The host runs on with its other
   * logs (it stops too when this transport made it: createLibp2pTransport).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopSignal.abort(new TransportStoppedError());
    this.handler = undefined;
    const peers = new Set([...this.links.keys(), ...this.inbound.keys()]);
    await Promise.all([...this.links.values()].map((link) => link.drain()));
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const ch of this.inbound.values()) ch.abort(new TransportStoppedError());
    this.inbound.clear();
    await this.addressBook.flush().catch(() => undefined);
    this.host.onLogClosed(this, peers);
    if (this.ownsHost) await this.host.stop();
  }

  // ------------------------------------------------------------------ more API

  /** This peer's addresses, each ending in /p2p/<id>: give one to another peer's bootstrap. */
  multiaddrs(): string[] {
    return this.host.multiaddrs();
  }

  /** The counters (a copy): the host's, over all its logs; `queuedBytes` is this log's. */
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
    return this.host.discoveredPeers().map((d) => ({
      ...d,
      member: this.members.isAllowed(d.peer),
    }));
  }

  /** Be told of each discovery; returns an unsubscribe function. */
  onPeerDiscovered(listener: (peer: DiscoveredPeer) => void): () => void {
    return this.host.onPeerDiscovered((d) =>
      listener({ ...d, member: this.members.isAllowed(d.peer) }),
    );
  }

  /**
   * Learn a peer's address (a multiaddr ending in /p2p/<id>) and dial it now if it is a member:
   * what a bootstrap entry does, at run time.
   */
  async addPeerAddress(address: string): Promise<void> {
    await this.host.addPeerAddress(address);
    const { peer, addr } = parseAddress(address);
    if (this.members.isAllowed(peer)) this.addressBook.record(peer, [addr.toString()]);
    this.links.get(peer)?.kick();
  }

  /** Issue a single-use invite to this log (needs a logId). */
  createInvite(opts?: CreateInviteOptions): Promise<IssuedInvite> {
    if (this.stopped) return Promise.reject(new TransportStoppedError());
    return this.joinService.createInvite(opts);
  }

  /**
   * Let peers in no log ask this member for an invite (invite-request.ts): `handler` decides each
   * request (the desktop app asks its user); undefined stops taking them. An asker names no log:
   * on a host of several logs, the log that set a handler last answers (TransportHost).
   */
  setInviteRequestHandler(handler: InviteRequestHandler | undefined): void {
    if (this.stopped) return;
    this.host.setInviteRequestHandler(this, handler);
  }

  /**
   * Present an invite to its inviter. On success this log trusts the inviter and the members
   * it named until the log tells it its members; throws JoinRefusedError (with the member's
   * reason code) or JoinFailedError.
   */
  join(invite: string, opts: JoinOptions = {}): Promise<JoinResult> {
    if (this.stopped) return Promise.reject(new TransportStoppedError());
    const stop = this.stopSignal.signal;
    const signal = opts.signal === undefined ? stop : AbortSignal.any([opts.signal, stop]);
    return this.joinService.join(invite, { ...opts, signal });
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

  // ------------------------------------------------------------------ from the host

  /** @internal A remote's stream for this log (named by its header, or its protocol 1 stream). */
  attachInbound(ch: Channel): void {
    const peer = ch.peer;
    if (this.stopped) {
      ch.abort(new TransportStoppedError());
      return;
    }
    const old = this.inbound.get(peer);
    this.inbound.set(peer, ch);
    old?.abort(new Error('replaced by a newer stream'));
    ch.onClose(() => {
      if (this.inbound.get(peer) === ch) this.inbound.delete(peer);
    });
    // The peer reaches us: no need to wait out a backoff before reaching it.
    this.links.get(peer)?.kick();
  }

  /** @internal A frame of this log from a member (the host checked both). */
  onFrame(channel: Channel, frame: DecodedOk): void {
    if (this.stopped) return;
    const peer = channel.peer;
    this.metrics.framesReceived++;
    this.lastSeen.set(peer, Date.now());
    if (frame.ping !== undefined) {
      channel.write(
        [encodeControl({ pong: frame.ping }, channel.version)],
        Number.MAX_SAFE_INTEGER,
      );
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

  /**
   * @internal A frame of this log from a former member (members.ts): only its catch-up
   * requests reach the core, which answers them with its progress only (sendToFormer). Its
   * pings are answered, so that its link to us stays up while it asks.
   */
  onFormerFrame(channel: Channel, frame: DecodedOk): void {
    if (this.stopped) return;
    this.metrics.framesReceived++;
    if (frame.ping !== undefined) {
      channel.write(
        [encodeControl({ pong: frame.ping }, channel.version)],
        Number.MAX_SAFE_INTEGER,
      );
    }
    const asks = frame.messages.filter(fromFormerMember);
    this.metrics.formerMessages.dropped += frame.messages.length - asks.length;
    const handler = this.handler;
    if (asks.length === 0 || handler === undefined) return;
    this.metrics.formerMessages.delivered += asks.length;
    try {
      handler(channel.peer, asks);
    } catch (err) {
      this.metrics.handlerErrors++;
      this.log.error('the handler threw on messages from %s: %e', channel.peer, err);
    }
  }

  /**
   * The answer to a former member goes back on the stream it asked on: no link is kept to it
   * (it is never dialled). Only a catch-up answer without decisions leaves (core toFormerMember).
   */
  private sendToFormer(to: PeerId, messages: readonly Message[]): boolean {
    const channel = this.inbound.get(to);
    const answers = messages.filter(toFormerMember);
    if (channel === undefined || !channel.isOpen || answers.length === 0) {
      this.metrics.sendsUnreachable++;
      return false;
    }
    const enc = this.encoder.encode(answers, channel.version);
    const frames = this.host.opts.nextRelease ? enc.frames.map(nextReleaseFrame) : enc.frames;
    if (!channel.write(frames, this.opts.maxSendBufferBytes)) {
      this.metrics.sendsBufferFull++;
      return false;
    }
    this.metrics.framesSent += frames.length;
    this.metrics.messagesSent += enc.messages;
    for (const f of frames) this.metrics.bytesSent += f.length;
    return true;
  }

  /** @internal Cut everything of this log to a peer that lost access (or was banned). */
  cutOff(peer: PeerId): void {
    this.links.get(peer)?.close();
    this.links.delete(peer);
    this.inbound.get(peer)?.abort(new Error('no longer a member'));
    this.inbound.delete(peer);
  }

  /** @internal Dial `peer` now if we keep a link to it and it waits out a backoff. */
  kick(peer: PeerId): void {
    this.links.get(peer)?.kick();
  }

  /** @internal Addresses learned for a member (identify, discovery). */
  recordAddresses(peer: PeerId, addrs: readonly string[]): void {
    if (this.members.isAllowed(peer)) this.addressBook.record(peer, addrs);
  }

  /** @internal Keep one link per allowed peer, none to others. */
  syncLinks(): void {
    if (this.stopped) return;
    const allowed = this.members.allowedPeers();
    for (const p of [...allowed]) if (!this.host.isAllowed(p)) allowed.delete(p);
    for (const [peer, link] of this.links) {
      if (!allowed.has(peer)) {
        link.close();
        this.links.delete(peer);
      }
    }
    for (const peer of allowed) {
      if (this.links.has(peer) || this.host.libp2pPeerId(peer) === null) continue;
      const link = new PeerLink(
        peer,
        {
          openChannel: (p, signal) => this.host.openStream(p, this.logId, signal),
          onSilent: (ch) => this.host.closeConnectionOf(peer, ch.stream),
          log: (fmt, ...args) => this.log(fmt, ...args),
        },
        this.opts,
      );
      this.links.set(peer, link);
      link.kick();
      this.rememberKnownAddrs(peer);
    }
  }

  /**
   * A peer newly allowed here: keep the addresses libp2p already knows for it. A joiner's come
   * by identify while it is still a stranger, when no log records them (recordAddresses); kept
   * only there, an inviter restarted on a new port could redial none of the peers it let in.
   */
  private rememberKnownAddrs(peer: PeerId): void {
    this.host.addrsOf(peer).then(
      (addrs) => {
        if (!this.stopped)
          this.recordAddresses(
            peer,
            addrs.map((a) => a.toString()),
          );
      },
      (err: unknown) => this.log('addresses of %s: %e', peer, err),
    );
  }

  // ------------------------------------------------------------------ internals

  private status(peer: PeerId): LogPeerStatus {
    const link = this.links.get(peer);
    const protocol = this.host.peerProtocol(peer);
    return {
      peer,
      connected: link?.connected ?? false,
      lastSeen: this.lastSeen.get(peer) ?? null,
      rttMs: link?.rttMs ?? null,
      protocol: protocol.version,
      incompatible: protocol.incompatible,
    };
  }

  private async onJoined(result: JoinResult): Promise<void> {
    // A log without a name takes the name of the log it joined (its streams name it).
    if (this.logId === '' && result.logId !== '') {
      this.host.renameLog(this, result.logId);
      this.logId = result.logId;
    }
    if (this.storage !== undefined) {
      await this.storage.setMeta(META_JOINED, new TextEncoder().encode(JSON.stringify(result)));
    }
    for (const m of result.members) await this.host.rememberAddrs(m.peer, m.addrs);
    this.members.addProvisional(result.members.map((m) => m.peer));
    for (const m of result.members) this.addressBook.record(m.peer, m.addrs);
    this.syncLinks();
  }
}
