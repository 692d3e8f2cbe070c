/**
 * Synod as a service of the app's own libp2p node, in js-libp2p's composition style: the app
 * keeps its node (transports, encryption, discovery, its other protocols) and adds Synod to it.
 *
 *   const node = await createLibp2p({
 *     addresses: { listen: ['/ip4/0.0.0.0/tcp/0'] },
 *     transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()],
 *     services: { synod: synod({ dataDir: './data', stateMachine: new Counter() }) },
 *   });
 *   const peer = await node.services.synod.ready; // a Peer, as createPeer gives
 *
 * The peer opens once the node has started (its data directory: created, joined or loaded,
 * exactly as createPeer does) and stops before the node does. Its peer id is the node's.
 */
import { serviceCapabilities, type Startable } from '@libp2p/interface';
import type { StateMachine } from '@synod/core';
import {
  attachTransportHost,
  type Libp2pHost,
  type Libp2pHostComponents,
  type TransportHost,
  type TransportHostOptions,
} from '@synod/transport-libp2p';
import { openPeer, type PeerOptions } from './create-peer.js';
import type { Peer } from './peer.js';

/**
 * createPeer's options, less what belongs to the node: its listen addresses, mDNS and
 * pre-shared key are the app's (configure them on the node).
 */
export interface SynodServiceOptions<SM extends StateMachine> extends Omit<
  PeerOptions<SM>,
  'listen' | 'mdns' | 'psk' | 'transport'
> {
  /** More transport options (timeouts, frame sizes…), passed through. */
  transport?:
    | Omit<
        TransportHostOptions,
        'identity' | 'storage' | 'listen' | 'announce' | 'mdns' | 'psk' | 'logger'
      >
    | undefined;
}

/** A peer that is being opened, with its outcome for whoever waits on `ready`. */
interface Opening<SM extends StateMachine> {
  readonly promise: Promise<Peer<SM, Libp2pHost>>;
  resolve(peer: Peer<SM, Libp2pHost>): void;
  reject(err: unknown): void;
}

function opening<SM extends StateMachine>(): Opening<SM> {
  let resolve!: (peer: Peer<SM, Libp2pHost>) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<Peer<SM, Libp2pHost>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure is for whoever awaits `ready`; nobody waiting is no unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class SynodService<SM extends StateMachine> implements Startable {
  readonly [Symbol.toStringTag] = '@synod/peer';
  readonly [serviceCapabilities]: string[] = ['@synod/peer'];
  private next: Opening<SM> = opening<SM>();
  private current: Peer<SM, Libp2pHost> | undefined;
  /** The opening started by afterStart (settles with the peer, or undefined if it failed). */
  private started: Promise<Peer<SM, Libp2pHost> | undefined> | undefined;
  /** The libp2p side of the peer being opened, once made (see beforeStop). */
  private opening: TransportHost<Libp2pHost> | undefined;

  constructor(
    private readonly components: Libp2pHostComponents,
    private readonly options: SynodServiceOptions<SM>,
  ) {}

  /**
   * The running peer, once the node has started and the data directory is open; rejects with
   * createPeer's errors (a refused invite, a locked directory…).
   */
  get ready(): Promise<Peer<SM, Libp2pHost>> {
    return this.next.promise;
  }

  /** The running peer; throws before it runs. */
  get peer(): Peer<SM, Libp2pHost> {
    if (this.current === undefined) {
      throw new Error('the Synod peer is not running yet (await node.services.synod.ready)');
    }
    return this.current;
  }

  start(): void {
    // Nothing before every other component runs: invites need the node's listen addresses.
  }

  afterStart(): void {
    const pending = this.next;
    const o = this.options;
    // Not awaited: a join may wait a minute for its inviter, and the node should run meanwhile.
    this.started = openPeer(o, async () => {
      const host = await attachTransportHost(this.components, o.transport ?? {});
      this.opening = host;
      return host;
    }).then(
      (peer) => {
        this.current = peer;
        pending.resolve(peer);
        return peer;
      },
      (err: unknown) => {
        pending.reject(err);
        return undefined;
      },
    );
  }

  /** Stop the peer while the node's connections are still up (its streams close cleanly). */
  async beforeStop(): Promise<void> {
    if (this.started === undefined) return;
    // A peer still opening (a join waiting on its inviter) is cut short: stopping its host stops
    // the join, and the opening then fails and cleans up (the store is kept: the join may have
    // got through). Awaiting it instead held the node's stop up for the join's whole timeout.
    if (this.current === undefined) await this.opening?.stop();
    const peer = await this.started;
    this.opening = undefined;
    this.started = undefined;
    this.current = undefined;
    this.next = opening<SM>();
    await peer?.stop();
  }

  stop(): void {
    // Done in beforeStop.
  }
}

/** A libp2p service factory: `services: { synod: synod({ dataDir, stateMachine }) }`. */
export function synod<SM extends StateMachine>(
  options: SynodServiceOptions<SM>,
): (components: Libp2pHostComponents) => SynodService<SM> {
  return (components) => new SynodService(components, options);
}
