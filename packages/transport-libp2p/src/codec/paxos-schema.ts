/**
 * Synod's wire schema, versions 1 and 2: every protocol message as one table, field by field. This is
 * the one declaration of the wire format; `proto/paxos.proto` is generated from it
 * (`npm run proto -w @synod/transport-libp2p`), and docs/wire-format.md describes the bytes.
 *
 * Naming rule (what makes the mapping checkable): a field is the core's field, `snake_case` in
 * the .proto; a body in the `Message` oneof is named after the core's `type`. Every integer the
 * core holds as a number is a uint64 (one sint64: readIndexResp.index, which may be -1).
 *
 * The tables are typed by the core's message types: when the core adds a field, this file does
 * not compile until the field has its line here (a new field number, never a reused one; its
 * zero value must mean what an older peer assumes, see the versioning rule).
 */
import type {
  Ballot,
  Decided,
  Message,
  MessageType,
  PeerStamp,
  PValue,
  StoreStamp,
} from '@synod/core';
import type { MessageSchema } from './proto.js';
import {
  bool,
  bytes,
  double,
  field,
  message,
  type Fields,
  OneofSchema,
  optional,
  repeated,
  sint64,
  string,
  uint64,
} from './proto.js';
import type { ProtoFile } from './proto-text.js';

type Of<T extends MessageType> = Extract<Message, { type: T }>;

/** The longest peer id (a ballot's leader) accepted; the core allows ids up to 256 characters. */
export const MAX_PEER_ID_LENGTH = 256;

/** The longest log id a stream header may name (log ids are 1 to 256 characters). */
export const MAX_LOG_ID_LENGTH = 256;

/**
 * The most messages one frame may hold, and the most entries of any one list in it (pvalues,
 * decisions); the encoder splits frames to respect it.
 */
export const MAX_ENTRIES_PER_FRAME = 65_536;

/**
 * The most entries one frame may hold in all its lists together: its messages, and the pvalues,
 * decisions and stamps in them. The limit per list alone let one 16 MiB frame hold 8M tiny
 * entries, 550 MB of decoded objects (review6); this bounds a frame's at about 30 MB. Twice the
 * limit per list, so that any message a list's limit admits fits in a frame of its own; the
 * encoder splits frames to respect it (honest frames in practice hold a few thousand).
 */
export const MAX_FRAME_ENTRIES = 2 * MAX_ENTRIES_PER_FRAME;

/** The longest `rolledBack.why` accepted (a sentence of evidence). */
export const MAX_REASON_LENGTH = 1000;

/** The most peer stamps a heartbeat relays (one per peer the leader knows of). */
export const MAX_PEER_STAMPS = 256;

export const BallotSchema = message<Ballot>('Ballot', {
  round: field(1, uint64),
  leader: field(2, string(MAX_PEER_ID_LENGTH)),
});

const ballot = (no: number, doc?: string) => field(no, BallotSchema, { required: true, doc });

/** Which run of its store a message comes from (core store-runs.ts: amnesia detection). */
export const StoreStampSchema = message<StoreStamp>('StoreStamp', {
  run: field(1, uint64),
  start: field(2, uint64),
  seq: field(3, uint64),
});

/** A peer's store stamp, relayed in the active leader's heartbeats. */
export const PeerStampSchema = message<PeerStamp>('PeerStamp', {
  peer: field(1, string(MAX_PEER_ID_LENGTH)),
  run: field(2, uint64),
  start: field(3, uint64),
  seq: field(4, uint64),
});

/** The sender's store stamp (absent from a peer that does not stamp). */
const store = (no: number) => optional(no, StoreStampSchema);

export const PValueSchema = message<PValue>('PValue', {
  config: field(1, uint64),
  ballot: ballot(2),
  slot: field(3, uint64),
  value: field(4, bytes),
});

export const DecidedSchema = message<Decided>('Decided', {
  slot: field(1, uint64),
  value: field(2, bytes),
});

/** A body of the `Message` oneof: the core's message, less its `type`. */
function body<T extends MessageType>(
  type: T,
  name: string,
  table: Fields<Of<T>, 'type'>,
  check?: (m: Of<T>) => string | undefined,
): MessageSchema<Of<T>> {
  const fixed = { type } as Partial<Of<T>> & Pick<Of<T>, 'type'>;
  return message<Of<T>, 'type'>(name, table, { fixed, ...(check ? { check } : {}) });
}

/**
 * Each message type: its field number in the `Message` oneof, and its table. Keyed by the core's
 * `type`: a type the core adds is a compile error here until it has its entry.
 */
export const BODIES: { readonly [T in MessageType]: { no: number; schema: MessageSchema<Of<T>> } } =
  {
    p1a: {
      no: 1,
      schema: body('p1a', 'P1a', {
        config: field(1, uint64),
        ballot: ballot(2),
        fromSlot: field(3, uint64),
        probe: field(4, bool, {
          doc: 'A probe (pre-vote): "would you promise?", changing nothing at the acceptor.',
        }),
        store: store(5),
      }),
    },
    p1b: {
      no: 2,
      schema: body('p1b', 'P1b', {
        config: field(1, uint64),
        ballot: ballot(2),
        accepted: repeated(3, PValueSchema, MAX_ENTRIES_PER_FRAME),
        watermark: field(4, uint64),
        probe: field(5, bool, { doc: 'The answer to a probe.' }),
        store: store(6),
      }),
    },
    p2a: {
      no: 3,
      schema: body('p2a', 'P2a', {
        config: field(1, uint64),
        ballot: ballot(2),
        slot: field(3, uint64),
        value: field(4, bytes),
        store: store(5),
      }),
    },
    p2b: {
      no: 4,
      schema: body('p2b', 'P2b', {
        config: field(1, uint64),
        ballot: ballot(2, "The acceptor's ballot after handling the P2a."),
        slot: field(3, uint64),
        proposal: ballot(4, 'The ballot of the P2a this answers.'),
        store: store(5),
      }),
    },
    decision: {
      no: 5,
      schema: body(
        'decision',
        'Decision',
        {
          slot: field(1, uint64),
          value: optional(2, bytes, 'The decided value; absent when `ballot` names it.'),
          ballot: optional(
            3,
            BallotSchema,
            'Sent to a peer whose acceptor voted for the chosen pvalue, in place of the value:\n' +
              "that pvalue's ballot (the peer holds the value as its accepted pvalue).",
          ),
        },
        (m) =>
          m.value === undefined && m.ballot === undefined
            ? 'a decision needs a value or a ballot'
            : undefined,
      ),
    },
    request: {
      no: 6,
      schema: body('request', 'Request', {
        commands: field(1, bytes),
        hops: field(2, uint64),
        store: store(3),
      }),
    },
    heartbeat: {
      no: 7,
      schema: body('heartbeat', 'Heartbeat', {
        config: field(1, uint64),
        ballot: ballot(2),
        seq: field(3, uint64),
        slotOut: field(4, uint64),
        snapshotSlot: field(5, uint64),
        stores: repeated(
          6,
          PeerStampSchema,
          MAX_PEER_STAMPS,
          "What the leader knows of its acceptors' stores (amnesia detection).",
        ),
      }),
    },
    heartbeatAck: {
      no: 8,
      schema: body('heartbeatAck', 'HeartbeatAck', {
        config: field(1, uint64),
        ballot: ballot(2),
        seq: field(3, uint64),
        slotOut: field(4, uint64),
        store: store(5),
      }),
    },
    readIndexReq: {
      no: 9,
      schema: body('readIndexReq', 'ReadIndexReq', {
        id: field(1, uint64),
      }),
    },
    readIndexResp: {
      no: 10,
      schema: body(
        'readIndexResp',
        'ReadIndexResp',
        {
          id: field(1, uint64),
          index: field(2, sint64, {
            doc: '-1 when the peer could not confirm that it leads, hence signed.',
          }),
        },
        // -1 ("could not confirm") is the only negative index the core uses.
        (m) => (m.index < -1 ? 'index below -1' : undefined),
      ),
    },
    catchupReq: {
      no: 11,
      schema: body('catchupReq', 'CatchupReq', {
        fromSlot: field(1, uint64),
        snapshotSlot: field(2, uint64),
        offset: field(3, uint64),
      }),
    },
    catchupDecisions: {
      no: 12,
      schema: body('catchupDecisions', 'CatchupDecisions', {
        decisions: repeated(1, DecidedSchema, MAX_ENTRIES_PER_FRAME),
        slotOut: optional(
          2,
          uint64,
          'The answering replica has applied every slot below this (absent from older peers).',
        ),
      }),
    },
    snapshotChunk: {
      no: 13,
      schema: body(
        'snapshotChunk',
        'SnapshotChunk',
        {
          slot: field(1, uint64),
          offset: field(2, uint64),
          total: field(3, uint64),
          data: field(4, bytes),
        },
        (m) => (m.offset + m.data.length > m.total ? 'the chunk runs past its total' : undefined),
      ),
    },
    rolledBack: {
      no: 14,
      schema: body('rolledBack', 'RolledBack', {
        why: field(1, string(MAX_REASON_LENGTH), {
          doc: 'To a peer whose store was found rolled back: it must not vote or lead again.',
        }),
        store: field(2, StoreStampSchema, {
          required: true,
          doc: "The judged stamp: acted on only when it names the receiver's current run.",
        }),
      }),
    },
    transfer: {
      no: 15,
      schema: body('transfer', 'Transfer', {
        config: field(1, uint64),
        ballot: ballot(2, 'The ballot of the leader that hands over.'),
        to: field(3, string(MAX_PEER_ID_LENGTH), { doc: 'The peer that runs for office at once.' }),
      }),
    },
  };

/** Every message type the wire format carries, in field-number order. */
export const MESSAGE_TYPES = (Object.keys(BODIES) as MessageType[]).sort(
  (a, b) => BODIES[a].no - BODIES[b].no,
);

/**
 * One protocol message: exactly one field of `body` is set. A receiver that finds none it knows
 * (a newer peer's message type) skips that message and counts it; see the versioning rule.
 */
export const MessageUnion = new OneofSchema<Message, 'type'>(
  'Message',
  'body',
  'type',
  MESSAGE_TYPES.map((t) => ({
    value: t,
    no: BODIES[t].no,
    schema: BODIES[t].schema as unknown as MessageSchema<Message>,
  })),
);

/** A frame's body after its version byte: the messages of one send(), and the link's pings. */
export interface WireFrame {
  /** undefined: a message of a type this build does not know (skipped, counted). */
  readonly messages: readonly (Message | undefined)[];
  readonly ping: number | undefined;
  readonly pong: number | undefined;
  /** Version 2 and later: the log a stream carries, named by its first frame (its header). */
  readonly logId?: string | undefined;
}

export const FrameSchema = message<WireFrame>(
  'Frame',
  {
    messages: repeated(1, MessageUnion, MAX_ENTRIES_PER_FRAME),
    ping: optional(2, double, "The sender's clock (ms), echoed unchanged in a pong."),
    pong: optional(3, double, 'A ping echoed on the stream it came on: the round-trip time.'),
    logId: optional(
      4,
      string(MAX_LOG_ID_LENGTH),
      'Version 2 and later: the log this stream carries, set in its first frame only (its\n' +
        'header); version 1 streams carry the one log both peers share and never set it.',
    ),
  },
  {
    doc:
      "The body of one frame (after the frame's version byte): the messages of one send() call,\n" +
      "and the link's own keep-alive.",
  },
);

/** proto/paxos.proto: generated from the tables above (`npm run proto`). */
export const PAXOS_PROTO: ProtoFile = {
  header: [
    'Synod wire format, versions 1 and 2: the frames peers exchange on /synod/paxos/1.0.0 and',
    '/synod/paxos/2.0.0 (whose streams name their log in their first frame, Frame.log_id).',
    'GENERATED from packages/transport-libp2p/src/codec/paxos-schema.ts by `npm run proto`:',
    'change the tables there, not this file. docs/wire-format.md describes the framing around',
    'these messages, byte by byte, and the versioning rule.',
    '',
    'Every integer the core holds as a JS number is a uint64 decoded as a number',
    '(jstype = JS_NUMBER); a decoder checks that it is a safe integer.',
  ].join('\n'),
  messages: [
    BallotSchema,
    PValueSchema,
    DecidedSchema,
    StoreStampSchema,
    PeerStampSchema,
    ...MESSAGE_TYPES.map((t) => BODIES[t].schema),
    {
      oneof: MessageUnion,
      doc: [
        'One protocol message. Exactly one field of `body` is set. A receiver that finds none it',
        "knows (a newer peer's message type) skips that message and counts it; see the versioning",
        'rule.',
      ].join('\n'),
    },
    FrameSchema,
  ],
};
