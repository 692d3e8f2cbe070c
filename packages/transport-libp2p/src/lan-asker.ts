/**
 * A peer in no log looking for logs on the LAN (first run): a libp2p node of its own that asks
 * mDNS who runs a log here without announcing itself (broadcast off: members answer queries;
 * other peers in setup, asking too, stay unseen), accepts no connection, and dials only to ask
 * a member for an invite (invite-request.ts). The invite it gets is then presented with the
 * join protocol by the peer proper, which starts with the same identity.
 *
 *   const asker = await LanAsker.start({ identity });
 *   asker.peers();                       // members that answered, newest first
 *   const invite = await asker.requestInvite(peer, { name: 'bob' }); // after their user accepts
 *   await asker.stop();
 */
import type { ComponentLogger, Libp2p, PeerInfo, PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import type { PeerId } from '@synod/core';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { DiscoveredPeers } from './discovered-peers.js';
import { TransportConfigError } from './errors.js';
import { requestInvite, type RequestInviteOptions } from './invite-request.js';
import { noiseRecords } from './link/noise-records.js';
import { yamuxMuxer } from './link/yamux.js';
import { DEFAULT_MDNS_SERVICE_TAG, type MdnsOptions } from './options.js';

/** A member that answered the LAN query. */
export interface LanPeer {
  readonly peer: PeerId;
  readonly addrs: readonly string[];
  /** When it last answered (ms since the epoch). */
  readonly lastSeen: number;
}

export interface LanAskerOptions {
  /** The identity the peer will run with (so members see the same id ask and then join). */
  identity: PrivateKey;
  /** The members' mDNS service tag, and how often to ask (default every 2 s); false: no mDNS (members only by addPeerAddress). */
  mdns?: MdnsOptions | false;
  logger?: ComponentLogger;
}

/** Members not heard from for this long are no longer listed. */
const FORGET_AFTER_MS = 60_000;

export class LanAsker {
  private readonly found = new DiscoveredPeers(FORGET_AFTER_MS);

  private constructor(private readonly node: Libp2p) {
    node.addEventListener('peer:discovery', (evt) => this.onDiscovery(evt.detail));
  }

  static async start(o: LanAskerOptions): Promise<LanAsker> {
    const node = await createLibp2p({
      privateKey: o.identity,
      addresses: { listen: [] },
      transports: [tcp()],
      connectionEncrypters: [noiseRecords()],
      streamMuxers: [yamuxMuxer()],
      // Nobody may connect to a peer that only asks.
      connectionGater: { denyInboundConnection: () => true },
      peerDiscovery:
        o.mdns === false
          ? []
          : [
              // Loaded here only: importing the package must not load mDNS (transport-host.ts).
              (await import('@libp2p/mdns')).mdns({
                broadcast: false,
                interval: o.mdns?.intervalMs ?? 2000,
                serviceTag: o.mdns?.serviceTag ?? DEFAULT_MDNS_SERVICE_TAG,
              }),
            ],
      connectionMonitor: { enabled: false },
      ...(o.logger !== undefined ? { logger: o.logger } : {}),
    });
    return new LanAsker(node);
  }

  /** This peer's id (the one it will join with). */
  get id(): PeerId {
    return this.node.peerId.toString();
  }

  /** Members that answered lately, the most recently heard first. */
  peers(): LanPeer[] {
    return this.found.list().reverse();
  }

  /** A member known by address (a multiaddr ending in /p2p/<id>), as if it had answered. */
  async addPeerAddress(address: string): Promise<void> {
    const addr = multiaddr(address);
    const id = addr.getComponents().findLast((c) => c.name === 'p2p')?.value;
    if (id === undefined) throw new TransportConfigError(`${address} does not end in /p2p/<id>`);
    const peer = peerIdFromString(id);
    await this.node.peerStore.merge(peer, { multiaddrs: [addr] });
    this.onDiscovery({ id: peer, multiaddrs: [addr] });
  }

  /** Ask a member for an invite (see requestInvite); resolves once its user accepted. */
  requestInvite(peer: PeerId, opts: RequestInviteOptions): Promise<string> {
    return requestInvite(this.node, peerIdFromString(peer), opts);
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }

  private onDiscovery(info: PeerInfo): void {
    const peer = info.id.toString();
    if (peer === this.id) return;
    this.found.note(
      peer,
      info.multiaddrs.map((a) => a.toString()),
    );
  }
}
