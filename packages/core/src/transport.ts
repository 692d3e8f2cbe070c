/**
 * The Transport interface (DESIGN.md §2): deliver messages between peers. Implementations:
 * `MemoryNetwork` (core, in-process) and the libp2p transport (@synod/transport-libp2p), which
 * encodes them as protobuf frames. Both pass the conformance suite in `@synod/core/testing`.
 *
 * A transport may lose, delay or reorder messages; the protocol retransmits what matters. It
 * must not corrupt or invent them, and it must not deliver messages from peers outside the
 * members it was last given (membership gating), but a former member's catch-up requests.
 */
import type { Message } from './messages.js';
import type { PeerId } from './types.js';

export interface PeerLinkStatus {
  readonly peer: PeerId;
  readonly connected: boolean;
  /** When a frame was last received from the peer (the transport's clock, ms), or null. */
  readonly lastSeen: number | null;
  /** The last measured round-trip time in ms, or null. */
  readonly rttMs: number | null;
  /**
   * A versioned transport's wire protocol version in use with the peer (null: none yet); absent
   * where the transport has no versions (MemoryNetwork).
   */
  readonly protocol?: number | null;
  /**
   * Set when the peer and this one share no wire protocol version, in words that say who must
   * upgrade ("bob runs protocol 1, this peer 2: bob must upgrade"): the link cannot come up.
   */
  readonly incompatible?: string | null;
}

export interface TransportHandler {
  /** Messages from one peer, in the order that peer sent them. */
  (from: PeerId, messages: readonly Message[]): void;
}

export interface Transport {
  /** This peer's id as the network knows it. */
  readonly id: PeerId;
  /** Begin delivering incoming messages to `handler`. */
  start(handler: TransportHandler): Promise<void>;
  /**
   * Send messages to one peer, as one frame where possible. Returns false when the peer is
   * unreachable or its send buffer is full: the messages are dropped (never the older ones
   * queued before them), and the protocol's retransmission takes over.
   */
  send(to: PeerId, messages: readonly Message[]): boolean;
  /**
   * The peers allowed to exchange protocol messages with this one (the configurations' members),
   * and the former members (peers configurations removed, none of `peers`), which may still ask
   * for this peer's progress: from one of those deliver only `catchupReq` messages, and send one
   * only `catchupDecisions` without decisions (docs/protocol.md, "A former member gets the
   * members' progress, nothing else"). A transport that ignores `formers` refuses them as any
   * stranger: their hand-over is then never confirmed (they leave with `force`).
   */
  setMembers(peers: readonly PeerId[], formers?: readonly PeerId[]): void;
  /** The state of the link to each member. */
  peers(): PeerLinkStatus[];
  stop(): Promise<void>;
  /**
   * Optional: whether `id` names a peer this transport can reach (libp2p: a peer id string).
   * SynodNode refuses to add any other to the membership (InvalidArgumentError), where it would
   * count toward every majority and never answer. Without it, any id the core accepts (a string
   * of 1 to 256 characters: MemoryNetwork's ids are any such string).
   */
  isPeerId?(id: PeerId): boolean;
}
