/**
 * @synod/core: Multi-Paxos after "Paxos Made Moderately Complex" (van Renesse & Altinbuken),
 * as a pure deterministic state machine (RawNode) plus a small runtime (SynodNode).
 */
export { BOTTOM, compareBallots, ballotEquals, formatBallot, type Ballot } from './ballot.js';
export type { PeerId, Slot, ConfigId, Roles } from './types.js';
export { ALL_ROLES } from './types.js';
export {
  ConfigHistory,
  membersOf,
  rolesOf,
  validateMembership,
  type Configuration,
  type Membership,
} from './configuration.js';
export { majority, majorityValue, quorumReached } from './quorum.js';
export * from './errors.js';
export {
  decodeBatch,
  encodeBatch,
  isNoop,
  isSkip,
  encodeSkip,
  skipThrough,
  NOOP,
  type AppCommand,
  type Batch,
  type Command,
  type Outcome,
  type ReconfigCommand,
} from './command.js';
export type * from './messages.js';
export { DEFAULT_OPTIONS, validateOptions, type ProtocolOptions } from './options.js';
export type { StateMachine, ApplyContext } from './state-machine.js';
export type {
  AcceptorPromise,
  PersistentState,
  Snapshot,
  Storage,
  StorageBatch,
  WriteHint,
} from './storage.js';
export { checkReadAccepted, checkReadDecisions, isEmptyBatch } from './storage.js';
export { MemoryStorage, type MemoryStorageOptions } from './memory-storage.js';
export type { Transport, TransportHandler, PeerLinkStatus } from './transport.js';
export { MemoryNetwork, MemoryTransport, type DropRule } from './memory-network.js';
export { fromFormerMember, toFormerMember, MAX_FORMER_MEMBERS } from './former-members.js';
export { RawNode, type RawNodeConfig, type Ready } from './raw-node.js';
export type { StorageRead } from './storage-reads.js';
export type { NodeStatus } from './status.js';
export type { CommandResult } from './client-session.js';
export type { ReadResult } from './read-index.js';
export type { AppliedCommand } from './replica.js';
export { KNOWN_BUGS, isBugName, type BugName } from './bugs.js';
export * as membership from './membership.js';
export {
  initLog,
  startNode,
  SynodNode,
  type NodeOptions,
  type OperationOptions,
  type ReadOptions,
  type SynodStatus,
  type MessageEvent,
} from './synod-node.js';
export { ByteReader, ByteWriter, utf8Length, varintSize } from './bytes.js';
export {
  decodeSnapshot,
  encodeSnapshot,
  newLogSnapshot,
  type SnapshotContents,
} from './snapshot.js';
