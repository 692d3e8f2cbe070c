/**
 * Protocol ids. The major version is part of the id: an incompatible change gets a new id, and
 * libp2p's protocol negotiation keeps old and new peers from misreading each other
 * (docs/wire-format.md, "Versioning").
 */
export const PAXOS_PROTOCOL = '/synod/paxos/1.0.0';
export const JOIN_PROTOCOL = '/synod/join/1.0.0';
export const INVITE_REQUEST_PROTOCOL = '/synod/invite-request/1.0.0';
