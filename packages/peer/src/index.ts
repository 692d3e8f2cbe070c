/**
 * @synod/peer: a durable, LAN-discovering Synod peer of your own StateMachine in one call.
 *
 *   import { createPeer } from '@synod/peer';
 *   const peer = await createPeer({ dataDir, stateMachine });
 *
 * See README.md.
 */
export { createPeer, type PeerOptions } from './create-peer.js';
export { createHost, PeerHost, type HostOptions, type LogEntry, type LogOptions } from './host.js';
export { synod, SynodService, type SynodServiceOptions } from './service.js';
export {
  InvalidJsonError,
  jsonCodec,
  JsonStateMachine,
  proposeJson,
  type Codec,
  type JsonMachineSpec,
  type JsonValue,
} from './json.js';
export { checkName, MAX_NAME_LENGTH } from './name.js';
export type { Peer, StopOptions } from './peer.js';
export { handOverLeadership, type HandoverOptions, type HandoverOutcome } from './departure.js';
export { awaitRemovalHandover, type RemovalHandoverOutcome } from './removal-handover.js';
export type { AdmitHook } from './admit.js';
export {
  AlreadyMemberError,
  InvalidPeerOptionsError,
  JoinDeclinedError,
  LeftLogError,
  NotInitializedError,
  OtherLogError,
  UnknownLogError,
} from './errors.js';
export {
  ensureDataDir,
  hasStore,
  logDbPath,
  LOGS_DIR,
  META_JOINING,
  META_LEFT,
  META_LOG_NAME,
  META_MEMBER,
  META_NAME,
  META_PEER_ID,
  PEER_DB_FILE,
  peerDbPath,
} from './data-dir.js';
export { inspectDataDir, type StoreState } from './store.js';
export { makeDirDurable, renameDurable, syncDir, writeFileAtomic } from './durable-file.js';
export { PeerDirectory, type PeerDirectoryOptions, type SetAside } from './directory.js';
// What an app of this package meets from the store and the transport, so that it needs
// neither package itself.
export type { Durability } from '@synod/storage-sqlite';
export {
  checkListenAddresses,
  decodeInvite,
  InviteRequestFailedError,
  InviteRequestRefusedError,
  JoinRefusedError,
  LanAsker,
  MAX_ASKER_NAME,
  type DiscoveredPeer,
  type InviteRequestHandler,
  type InviteRequestInfo,
  type InviteRequestRefusalCode,
  type IssuedInvite,
  type LanPeer,
} from '@synod/transport-libp2p';
