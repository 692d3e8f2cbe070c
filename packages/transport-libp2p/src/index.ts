/**
 * @synod/transport-libp2p: Synod's Transport on libp2p (TCP, Noise, yamux, mDNS discovery,
 * membership gating, invites). See README.md and docs/wire-format.md.
 */
// First, before any libp2p module is evaluated: Node 20 lacks Promise.withResolvers.
import './polyfill.js';

export {
  attachLibp2pTransport,
  createLibp2pTransport,
  Libp2pTransport,
  type AttachLibp2pTransportOptions,
  type LinkDetails,
  type LogPeerStatus,
} from './libp2p-transport.js';
export {
  attachTransportHost,
  createTransportHost,
  TransportHost,
  type DiscoveredPeer,
} from './transport-host.js';
export { formatVersions, type PeerProtocol } from './versions.js';
export { hostOfComponents, type Libp2pHost, type Libp2pHostComponents } from './host.js';
export type {
  LinkDefaults,
  Libp2pTransportOptions,
  LogTransportOptions,
  MdnsOptions,
  TransportHostOptions,
} from './options.js';
export { DEFAULT_MDNS_SERVICE_TAG } from './options.js';
export type {
  CreateInviteOptions,
  JoinHandler,
  JoinOptions,
  JoinRequestInfo,
  JoinResult,
} from './join.js';
export { decodeInvite, type Invite, type IssuedInvite } from './invite.js';
export {
  INVITE_DECISION_TIMEOUT_MS,
  MAX_ASKER_NAME,
  type InviteRequestHandler,
  type InviteRequestInfo,
  type RequestInviteOptions,
} from './invite-request.js';
export { LanAsker, type LanAskerOptions, type LanPeer } from './lan-asker.js';
export { generateIdentity, loadOrCreateIdentity, type MetaStore } from './identity.js';
export { generatePsk } from './psk.js';
export { checkListenAddresses } from './listen-failure.js';
export { DROP_REASONS, type DropReason, type TransportMetrics } from './metrics.js';
export {
  CURRENT_WIRE_VERSION,
  INVITE_REQUEST_PROTOCOL,
  JOIN_PROTOCOL,
  PAXOS_PROTOCOL,
  WIRE_VERSIONS,
  paxosProtocolOf,
  type WireVersion,
} from './protocols.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  WIRE_VERSION,
  decodeFrameBody,
  encodeMessages,
  type DecodedFrame,
} from './frame-codec.js';
export { FrameDecoder, type FrameDecoderEvents } from './frame-decoder.js';
export { noiseRecords } from './link/noise-records.js';
export { yamuxMuxer, type YamuxOptions } from './link/yamux.js';
export { MESSAGE_TYPES } from './codec/paxos-schema.js';
export { promiseWithResolversPolyfilled } from './polyfill.js';
export * from './errors.js';
