/**
 * The names under which this package keeps its state in the peer's Storage (getMeta/setMeta),
 * beside the protocol state: one place, so that no two modules pick the same name.
 */
export const META_IDENTITY = 'transport.libp2p.identity';
export const META_INVITES = 'transport.libp2p.invites';
export const META_JOINED = 'transport.libp2p.joined';
export const META_ADDRESS_BOOK = 'transport.libp2p.addresses';
export const META_LISTEN_PORTS = 'transport.libp2p.listen-ports';
