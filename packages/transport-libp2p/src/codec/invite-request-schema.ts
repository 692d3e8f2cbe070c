/**
 * The schema of the invite-request protocol (`/synod/invite-request/1.0.0`), one table per
 * message; the .proto (proto/invite-request.proto) is generated from it.
 */
import { bool, field, message, string } from './proto.js';
import type { ProtoFile } from './proto-text.js';

/** The longest name an asking peer may give (a display name: the core's names are ≤ 64). */
export const MAX_ASKER_NAME = 64;
/** The longest invite text or refusal message an answer carries. */
export const MAX_ANSWER_TEXT = 4096;
/** Refusal codes are short words. */
const MAX_CODE = 32;

export interface InviteRequest {
  name: string;
}

export const InviteRequest = message<InviteRequest>(
  'InviteRequest',
  {
    name: field(1, string(MAX_ASKER_NAME), {
      doc: "The asking peer's display name, shown to the member's user who decides.",
    }),
  },
  { doc: 'Asking peer (in no log) -> member, once per stream.' },
);

export interface InviteAnswer {
  ok: boolean;
  invite: string;
  code: string;
  message: string;
}

export const InviteAnswer = message<InviteAnswer>(
  'InviteAnswer',
  {
    ok: field(1, bool),
    invite: field(2, string(MAX_ANSWER_TEXT), {
      doc: 'On acceptance: a single-use invite (`synod:…` text) to join with.',
    }),
    code: field(3, string(MAX_CODE), {
      doc: 'On refusal: a stable code (InviteRequestRefusedError.code) and a reason.',
    }),
    message: field(4, string(MAX_ANSWER_TEXT)),
  },
  {
    doc: 'Member -> asking peer, once per stream, after its user decided.',
    check: (m) =>
      m.ok
        ? m.invite === ''
          ? 'an acceptance without an invite'
          : undefined
        : m.code === ''
          ? 'a refusal without a code'
          : undefined,
  },
);

/** proto/invite-request.proto: generated from the tables above (`npm run proto`). */
export const INVITE_REQUEST_PROTO: ProtoFile = {
  header: [
    'Asking a member for an invite (/synod/invite-request/1.0.0): a peer in no log, found on the',
    "LAN, asks; the member's user accepts (the answer carries an invite) or declines.",
    'GENERATED from packages/transport-libp2p/src/codec/invite-request-schema.ts by `npm run proto`:',
    'change the tables there, not this file.',
  ].join('\n'),
  messages: [InviteRequest, InviteAnswer],
};
