/**
 * The peers a host has seen lately (mDNS answers, addresses given to it), for the app's "peers on
 * this LAN" list. mDNS sends no goodbye (@libp2p/mdns answers queries and says nothing when it
 * stops), so a peer that left the LAN is told apart only by its silence: an entry not seen again
 * within `forgetAfterMs`, and with no connection open, is dropped. A connected peer is there now.
 * At most `max` entries are kept: a LAN of many passing peers (or one peer announcing many ids)
 * costs bounded memory, the least recently seen going first.
 */
import type { PeerId } from '@synod/core';

export interface SeenPeer {
  readonly peer: PeerId;
  readonly addrs: readonly string[];
  /** When it was last seen (ms since the epoch): now, while it is connected. */
  readonly lastSeen: number;
}

/** The most peers listed at once. */
export const MAX_DISCOVERED = 1024;

export class DiscoveredPeers {
  /** Least recently seen first (an entry seen again is moved to the end). */
  private readonly seen = new Map<PeerId, SeenPeer>();
  /** Peers with a connection open now (libp2p's peer:connect / peer:disconnect). */
  private readonly connected = new Set<PeerId>();

  constructor(
    private readonly forgetAfterMs: number,
    private readonly max = MAX_DISCOVERED,
    private readonly now: () => number = Date.now,
  ) {}

  /** `peer` was seen at `addrs`: listed (again), as the most recently seen. */
  note(peer: PeerId, addrs: readonly string[]): SeenPeer {
    const d: SeenPeer = { peer, addrs, lastSeen: this.now() };
    this.seen.delete(peer);
    this.seen.set(peer, d);
    if (this.seen.size > this.max) this.prune();
    // Still full of live entries: the least recently seen unconnected one goes.
    if (this.seen.size > this.max) {
      for (const p of this.seen.keys()) {
        if (!this.connected.has(p)) {
          this.seen.delete(p);
          break;
        }
      }
    }
    return d;
  }

  connect(peer: PeerId): void {
    this.connected.add(peer);
  }

  /** Its last connection closed: listed only until `forgetAfterMs` after it was last seen. */
  disconnect(peer: PeerId): void {
    this.connected.delete(peer);
  }

  /** The peers seen lately or connected now, in the order they were last announced. */
  list(): SeenPeer[] {
    this.prune();
    const now = this.now();
    return [...this.seen.values()].map((d) =>
      this.connected.has(d.peer) ? { ...d, lastSeen: now } : d,
    );
  }

  get size(): number {
    return this.seen.size;
  }

  /** Drop the entries not seen within `forgetAfterMs` and not connected. */
  private prune(): void {
    const since = this.now() - this.forgetAfterMs;
    for (const [peer, d] of this.seen) {
      if (d.lastSeen < since && !this.connected.has(peer)) this.seen.delete(peer);
    }
  }
}
