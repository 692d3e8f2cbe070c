/**
 * The schema of invites and the join protocol (`/synod/join/1.0.0`), one table per message; the
 * .proto (proto/join.proto) is generated from it, docs/wire-format.md describes it.
 */
import { bool, bytes, field, message, repeated, string, uint32, uint64 } from './proto.js';
import type { ProtoFile } from './proto-text.js';

/** The most addresses an invite may carry on the wire (an issuer writes at most 4). */
export const MAX_WIRE_INVITE_ADDRS = 16;
/** The most members a join answer may list. */
export const MAX_JOIN_MEMBERS = 1024;
/** Generous bounds on ids and texts: the join protocol's messages stay small. */
const MAX_TEXT = 4096;

/** What an invite string carries (base58btc for pasting, base32 for QR codes). */
export interface Invite {
  version: number;
  logId: string;
  inviter: Uint8Array;
  addrs: readonly Uint8Array[];
  expires: number;
  secret: Uint8Array;
}

export const Invite = message<Invite>(
  'Invite',
  {
    version: field(1, uint32, { doc: 'The invite format: 1.' }),
    logId: field(2, string(MAX_TEXT), { doc: 'The log the invite admits to.' }),
    inviter: field(3, bytes, {
      doc: "The inviter's peer id (its multihash bytes) and where to dial it (binary multiaddrs).",
    }),
    addrs: repeated(4, bytes, MAX_WIRE_INVITE_ADDRS),
    expires: field(5, uint64, {
      doc: 'Unix time in seconds after which the invite is refused.',
    }),
    secret: field(6, bytes, { doc: '16 random bytes; the inviter keeps only their SHA-256.' }),
  },
  { doc: 'What an invite string carries (base58btc for pasting, base32 for QR codes).' },
);

export interface JoinRequest {
  invite: Invite | undefined;
}

export const JoinRequest = message<JoinRequest>(
  'JoinRequest',
  { invite: field(1, Invite) },
  { doc: 'Joiner -> member, once per join stream.' },
);

export interface PeerAddrs {
  peer: string;
  addrs: readonly Uint8Array[];
}

export const PeerAddrs = message<PeerAddrs>('PeerAddrs', {
  peer: field(1, string(MAX_TEXT)),
  addrs: repeated(2, bytes, MAX_WIRE_INVITE_ADDRS * 4),
});

export interface JoinResponse {
  ok: boolean;
  code: string;
  message: string;
  logId: string;
  members: readonly PeerAddrs[];
}

export const JoinResponse = message<JoinResponse>(
  'JoinResponse',
  {
    ok: field(1, bool),
    code: field(2, string(MAX_TEXT), {
      doc: 'On refusal: a stable code (JoinRefusedError.code) and a human-readable reason.',
    }),
    message: field(3, string(MAX_TEXT)),
    logId: field(4, string(MAX_TEXT)),
    members: repeated(
      5,
      PeerAddrs,
      MAX_JOIN_MEMBERS,
      'On success: the members the joiner should talk to, with their addresses.',
    ),
  },
  { doc: 'Member -> joiner, once per join stream.' },
);

/** proto/join.proto: generated from the tables above (`npm run proto`). */
export const JOIN_PROTO: ProtoFile = {
  header: [
    'Invites and the join protocol (/synod/join/1.0.0). docs/wire-format.md describes them.',
    'GENERATED from packages/transport-libp2p/src/codec/join-schema.ts by `npm run proto`:',
    'change the tables there, not this file.',
  ].join('\n'),
  messages: [Invite, JoinRequest, PeerAddrs, JoinResponse],
};
