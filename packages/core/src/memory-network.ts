/**
 * An in-process network for tests and examples: every `MemoryNetwork.connect(id)` returns a
 * Transport whose messages reach the other transports of the same network asynchronously, in
 * order per pair of peers. Links can be cut (`partition`) and healed, and single messages dropped
 * (`dropWhere`), to test failures.
 *
 * Messages are passed by reference: the protocol never mutates a message once sent.
 */
import { fromFormerMember, toFormerMember } from './former-members.js';
import type { Message } from './messages.js';
import type { PeerLinkStatus, Transport, TransportHandler } from './transport.js';
import type { PeerId } from './types.js';

const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

/** Picks the messages a network drops: sender, receiver, message. */
export type DropRule = (from: PeerId, to: PeerId, m: Message) => boolean;

export class MemoryNetwork {
  private readonly endpoints = new Map<PeerId, MemoryTransport>();
  private readonly cut = new Set<string>();
  private dropRule: DropRule | undefined;

  /** A transport for peer `id` on this network. */
  connect(id: PeerId): MemoryTransport {
    if (this.endpoints.has(id)) throw new Error(`peer ${id} is already on this network`);
    const t = new MemoryTransport(id, this);
    this.endpoints.set(id, t);
    return t;
  }

  /** Cut the links between the two groups (both directions). */
  partition(a: readonly PeerId[], b: readonly PeerId[]): void {
    for (const x of a)
      for (const y of b) {
        this.cut.add(`${x}>${y}`);
        this.cut.add(`${y}>${x}`);
      }
  }

  /** Cut every link of one peer. */
  isolate(id: PeerId): void {
    this.partition(
      [id],
      [...this.endpoints.keys()].filter((p) => p !== id),
    );
  }

  heal(): void {
    this.cut.clear();
  }

  /**
   * Drop, from now on, every message `rule` picks (undefined: none), where `partition` cuts whole
   * links: a loss the test aims at one kind of message, one direction, or one moment.
   */
  dropWhere(rule: DropRule | undefined): void {
    this.dropRule = rule;
  }

  /** @internal The messages of a send from `from` to `to` that the drop rule lets through. */
  kept(from: PeerId, to: PeerId, messages: readonly Message[]): Message[] {
    const rule = this.dropRule;
    return rule === undefined ? [...messages] : messages.filter((m) => !rule(from, to, m));
  }

  /** @internal */
  linkUp(from: PeerId, to: PeerId): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  /** @internal */
  endpoint(id: PeerId): MemoryTransport | undefined {
    return this.endpoints.get(id);
  }

  /** @internal */
  remove(id: PeerId): void {
    this.endpoints.delete(id);
  }
}

export class MemoryTransport implements Transport {
  private handler: TransportHandler | undefined;
  private members: Set<PeerId> | undefined;
  /** Former members (setMembers): they may ask for progress, and get that answer only. */
  private formers = new Set<PeerId>();
  private readonly lastSeen = new Map<PeerId, number>();
  private stopped = false;
  /** Messages whose handler threw. */
  handlerErrors = 0;

  constructor(
    readonly id: PeerId,
    private readonly network: MemoryNetwork,
  ) {}

  start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
    return Promise.resolve();
  }

  send(to: PeerId, messages: readonly Message[]): boolean {
    if (this.stopped) return false;
    const dest = this.network.endpoint(to);
    if (dest === undefined || !this.network.linkUp(this.id, to)) return false;
    const sent = this.isFormer(to) ? messages.filter(toFormerMember) : messages;
    const batch = this.network.kept(this.id, to, sent);
    defer(() => dest.deliver(this.id, batch));
    return true;
  }

  /** @internal */
  deliver(from: PeerId, messages: readonly Message[]): void {
    if (this.stopped || this.handler === undefined) return;
    // Membership gating: only members may speak (all peers, until members are first set), and a
    // former member may ask for progress.
    let allowed = messages;
    if (this.isFormer(from)) allowed = messages.filter(fromFormerMember);
    else if (this.members !== undefined && !this.members.has(from)) return;
    if (allowed.length === 0) return;
    if (!this.network.linkUp(from, this.id)) return;
    this.lastSeen.set(from, Date.now());
    try {
      this.handler(from, allowed);
    } catch {
      // A handler that throws is the receiver's bug; like a real transport, the network goes
      // on delivering (the libp2p transport counts such errors).
      this.handlerErrors++;
    }
  }

  setMembers(peers: readonly PeerId[], formers: readonly PeerId[] = []): void {
    this.members = new Set(peers);
    this.formers = new Set(formers.filter((p) => !this.members!.has(p)));
  }

  private isFormer(peer: PeerId): boolean {
    return this.formers.has(peer);
  }

  peers(): PeerLinkStatus[] {
    const ids = this.members ?? new Set(this.lastSeen.keys());
    return [...ids]
      .filter((p) => p !== this.id)
      .map((peer) => ({
        peer,
        connected: this.network.endpoint(peer) !== undefined && this.network.linkUp(this.id, peer),
        lastSeen: this.lastSeen.get(peer) ?? null,
        rttMs: null,
      }));
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.network.remove(this.id);
    return Promise.resolve();
  }
}
