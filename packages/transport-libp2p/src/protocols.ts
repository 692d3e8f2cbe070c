/**
 * Protocol ids, and the wire versions they carry. The major version is part of the id: an
 * incompatible change gets a new id, and libp2p's protocol negotiation (multistream-select)
 * keeps old and new peers from misreading each other (docs/wire-format.md, "Versioning").
 *
 * A peer serves every version it knows, and a link offers them newest first, so two peers
 * always settle on the newest version both speak; a peer that shares none with another is
 * refused at negotiation and says so in its status (versions.ts).
 */

/** What a wire version means for a stream. */
export interface WireVersion {
  readonly version: number;
  readonly protocol: string;
  /**
   * How a stream names its log. `header`: the first frame of every stream carries the log id
   * (Frame.log_id), so one connection carries the streams of many logs. `single`: version 1,
   * whose peers host one log each: a stream belongs to the one log both ends share.
   */
  readonly logs: 'header' | 'single';
}

/** Every wire version this build speaks, newest first. */
export const WIRE_VERSIONS: readonly WireVersion[] = [
  { version: 2, protocol: '/synod/paxos/2.0.0', logs: 'header' },
  { version: 1, protocol: '/synod/paxos/1.0.0', logs: 'single' },
];

/** The wire version this build writes by default (the newest). */
export const CURRENT_WIRE_VERSION = WIRE_VERSIONS[0]!.version;

/** The protocol id of the current wire version. */
export const PAXOS_PROTOCOL = WIRE_VERSIONS[0]!.protocol;

export const JOIN_PROTOCOL = '/synod/join/1.0.0';
export const INVITE_REQUEST_PROTOCOL = '/synod/invite-request/1.0.0';

const PAXOS_ID = /^\/synod\/paxos\/(\d+)\.\d+\.\d+$/;

/** The wire version a protocol id names (`/synod/paxos/2.0.0` -> 2), or undefined. */
export function paxosVersionOf(protocol: string): number | undefined {
  const m = PAXOS_ID.exec(protocol);
  return m === null ? undefined : Number(m[1]);
}

/** The protocol id of wire version `v`. */
export function paxosProtocolOf(v: number): string {
  return `/synod/paxos/${v}.0.0`;
}
