/**
 * What the transport uses of libp2p: a node it made itself (createLibp2pTransport), or the
 * components of the app's own node when Synod runs as one of that node's services
 * (attachLibp2pTransport, js-libp2p's composition style). A libp2p `Libp2p` is a host as it is;
 * `hostOfComponents` makes one of a service's components, each call going where Libp2p's own
 * method sends it.
 */
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  Libp2pEvents,
  PeerId,
  PeerStore,
  Stream,
  StreamHandler,
  StreamHandlerOptions,
  TypedEventTarget,
} from '@libp2p/interface';
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal';
import type { Multiaddr } from '@multiformats/multiaddr';

export interface Libp2pHost {
  readonly logger: ComponentLogger;
  readonly peerStore: PeerStore;
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  /** Open a stream on the first of `protocol` the remote accepts (offered in order). */
  dialProtocol(peer: PeerId, protocol: string | string[], options?: AbortOptions): Promise<Stream>;
  hangUp(peer: PeerId): Promise<void>;
  /** The open connections to `peer`. */
  getConnections(peer: PeerId): Connection[];
  getMultiaddrs(): Multiaddr[];
  addEventListener: TypedEventTarget<Libp2pEvents>['addEventListener'];
  removeEventListener: TypedEventTarget<Libp2pEvents>['removeEventListener'];
}

/** The components a libp2p service receives that the transport needs. */
export interface Libp2pHostComponents {
  logger: ComponentLogger;
  peerId: PeerId;
  peerStore: PeerStore;
  events: TypedEventTarget<Libp2pEvents>;
  registrar: Pick<Registrar, 'handle' | 'unhandle'>;
  connectionManager: Pick<ConnectionManager, 'openStream' | 'closeConnections' | 'getConnections'>;
  addressManager: Pick<AddressManager, 'getAddresses'>;
}

/** A host over a service's components (what Libp2p's methods do with the same components). */
export function hostOfComponents(c: Libp2pHostComponents): Libp2pHost {
  return {
    logger: c.logger,
    peerStore: c.peerStore,
    handle: (protocol, handler, options) => c.registrar.handle(protocol, handler, options),
    unhandle: (protocol) => c.registrar.unhandle(protocol),
    dialProtocol: (peer, protocol, options) =>
      c.connectionManager.openStream(peer, protocol, options),
    hangUp: (peer) => c.connectionManager.closeConnections(peer),
    getConnections: (peer) => c.connectionManager.getConnections(peer),
    getMultiaddrs: () => c.addressManager.getAddresses(),
    addEventListener: c.events.addEventListener.bind(c.events),
    removeEventListener: c.events.removeEventListener.bind(c.events),
  };
}
