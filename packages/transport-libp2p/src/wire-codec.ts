/**
 * The one place where core messages meet their protobuf form (src/generated/paxos.proto).
 *
 * `toWire` maps a core Message to its protobuf Message; `fromWire` maps back and validates
 * structurally: required fields present, integers safe and in range, ids bounded. The core trusts
 * the types of what it is given, so nothing unchecked may pass. When the core adds a message type
 * or a field, this file stops compiling (see FIELDS and the exhaustive switches) until the new
 * shape is mapped here, in the .proto, and in docs/wire-format.md.
 */
import type { Ballot, Decided, Message, MessageType, PValue } from '@synod/core';
import * as wire from './generated/paxos.js';

/** The longest peer id (a ballot's leader) accepted; the core allows ids up to 256 characters. */
export const MAX_PEER_ID_LENGTH = 256;

type Of<T extends MessageType> = Extract<Message, { type: T }>;

/**
 * Every field of every message type, as mapped below. The `satisfies` clause and AllListed make
 * the compiler reject this file when the core adds a field that is not listed here, and the
 * round-trip test uses the lists to check that each field survives encoding.
 */
export const FIELDS = {
  p1a: ['type', 'config', 'ballot', 'fromSlot'],
  p1b: ['type', 'config', 'ballot', 'accepted', 'watermark'],
  p2a: ['type', 'config', 'ballot', 'slot', 'value'],
  p2b: ['type', 'config', 'ballot', 'slot'],
  decision: ['type', 'slot', 'value'],
  request: ['type', 'commands', 'hops'],
  heartbeat: ['type', 'config', 'ballot', 'seq', 'slotOut', 'snapshotSlot'],
  heartbeatAck: ['type', 'config', 'ballot', 'seq', 'slotOut'],
  readIndexReq: ['type', 'id'],
  readIndexResp: ['type', 'id', 'index'],
  catchupReq: ['type', 'fromSlot', 'snapshotSlot', 'offset'],
  catchupDecisions: ['type', 'decisions'],
  snapshotChunk: ['type', 'slot', 'offset', 'total', 'data'],
} as const satisfies { readonly [T in MessageType]: readonly (keyof Of<T>)[] };

/** The fields of the nested structures, checked the same way. */
export const NESTED_FIELDS = {
  ballot: ['round', 'leader'],
  pvalue: ['config', 'ballot', 'slot', 'value'],
  decided: ['slot', 'value'],
} as const satisfies {
  ballot: readonly (keyof Ballot)[];
  pvalue: readonly (keyof PValue)[];
  decided: readonly (keyof Decided)[];
};

type Unlisted = {
  [T in MessageType]: Exclude<keyof Of<T>, (typeof FIELDS)[T][number]>;
}[MessageType];
type UnlistedNested =
  | Exclude<keyof Ballot, (typeof NESTED_FIELDS)['ballot'][number]>
  | Exclude<keyof PValue, (typeof NESTED_FIELDS)['pvalue'][number]>
  | Exclude<keyof Decided, (typeof NESTED_FIELDS)['decided'][number]>;
/** Fails to compile while a core field is missing from FIELDS / NESTED_FIELDS. */
export const ALL_FIELDS_LISTED: [Unlisted | UnlistedNested] extends [never] ? true : never = true;

/** Every message type the wire format carries (the keys of FIELDS). */
export const MESSAGE_TYPES = Object.keys(FIELDS) as MessageType[];

/** A message failed structural validation. Caught by the frame decoder, never thrown out. */
export class WireValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireValidationError';
  }
}

// ------------------------------------------------------------------------------- encoding

/**
 * protons types bytes fields as Uint8Array<ArrayBuffer>; the core's are Uint8Array of any
 * buffer. The writer only copies from them, so any backing buffer works.
 */
function bytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

function ballotToWire(b: Ballot): wire.Ballot {
  return { round: b.round, leader: b.leader };
}

function pvalueToWire(p: PValue): wire.PValue {
  return { config: p.config, ballot: ballotToWire(p.ballot), slot: p.slot, value: bytes(p.value) };
}

export function toWire(m: Message): wire.Message {
  switch (m.type) {
    case 'p1a':
      return { p1a: { config: m.config, ballot: ballotToWire(m.ballot), fromSlot: m.fromSlot } };
    case 'p1b':
      return {
        p1b: {
          config: m.config,
          ballot: ballotToWire(m.ballot),
          accepted: m.accepted.map(pvalueToWire),
          watermark: m.watermark,
        },
      };
    case 'p2a':
      return {
        p2a: {
          config: m.config,
          ballot: ballotToWire(m.ballot),
          slot: m.slot,
          value: bytes(m.value),
        },
      };
    case 'p2b':
      return { p2b: { config: m.config, ballot: ballotToWire(m.ballot), slot: m.slot } };
    case 'decision':
      return { decision: { slot: m.slot, value: bytes(m.value) } };
    case 'request':
      return { request: { commands: bytes(m.commands), hops: m.hops } };
    case 'heartbeat':
      return {
        heartbeat: {
          config: m.config,
          ballot: ballotToWire(m.ballot),
          seq: m.seq,
          slotOut: m.slotOut,
          snapshotSlot: m.snapshotSlot,
        },
      };
    case 'heartbeatAck':
      return {
        heartbeatAck: {
          config: m.config,
          ballot: ballotToWire(m.ballot),
          seq: m.seq,
          slotOut: m.slotOut,
        },
      };
    case 'readIndexReq':
      return { readIndexReq: { id: m.id } };
    case 'readIndexResp':
      return { readIndexResp: { id: m.id, index: m.index } };
    case 'catchupReq':
      return {
        catchupReq: { fromSlot: m.fromSlot, snapshotSlot: m.snapshotSlot, offset: m.offset },
      };
    case 'catchupDecisions':
      return {
        catchupDecisions: {
          decisions: m.decisions.map((d) => ({ slot: d.slot, value: bytes(d.value) })),
        },
      };
    case 'snapshotChunk':
      return {
        snapshotChunk: { slot: m.slot, offset: m.offset, total: m.total, data: bytes(m.data) },
      };
    default:
      return unreachable(m);
  }
}

function unreachable(m: never): never {
  throw new WireValidationError(`unknown message type ${String((m as { type: unknown }).type)}`);
}

// ------------------------------------------------------------------------------- decoding

function fail(what: string): never {
  throw new WireValidationError(what);
}

/** A non-negative safe integer (slots, config ids, rounds, sequence numbers, offsets). */
function uint(n: number, field: string): number {
  if (!Number.isSafeInteger(n) || n < 0) fail(`${field} is not a safe unsigned integer`);
  return n;
}

/** Copy bytes out of the frame, so a kept value does not pin the whole receive buffer. */
function copy(b: Uint8Array): Uint8Array {
  return b.slice();
}

function ballotFromWire(b: wire.Ballot | undefined, field: string): Ballot {
  if (b === undefined) fail(`${field} is missing`);
  if (b.leader.length > MAX_PEER_ID_LENGTH) fail(`${field}.leader is too long`);
  return { round: uint(b.round, `${field}.round`), leader: b.leader };
}

function pvalueFromWire(p: wire.PValue): PValue {
  return {
    config: uint(p.config, 'pvalue.config'),
    ballot: ballotFromWire(p.ballot, 'pvalue.ballot'),
    slot: uint(p.slot, 'pvalue.slot'),
    value: copy(p.value),
  };
}

/**
 * The core Message for a protobuf Message, or undefined when the message carries no body this
 * build knows (a newer peer's type: skipped, not an error). Throws WireValidationError when a
 * known message is structurally invalid.
 */
export function fromWire(w: wire.Message): Message | undefined {
  if (w.p1a !== undefined) {
    const m = w.p1a;
    return {
      type: 'p1a',
      config: uint(m.config, 'p1a.config'),
      ballot: ballotFromWire(m.ballot, 'p1a.ballot'),
      fromSlot: uint(m.fromSlot, 'p1a.fromSlot'),
    };
  }
  if (w.p1b !== undefined) {
    const m = w.p1b;
    return {
      type: 'p1b',
      config: uint(m.config, 'p1b.config'),
      ballot: ballotFromWire(m.ballot, 'p1b.ballot'),
      accepted: m.accepted.map(pvalueFromWire),
      watermark: uint(m.watermark, 'p1b.watermark'),
    };
  }
  if (w.p2a !== undefined) {
    const m = w.p2a;
    return {
      type: 'p2a',
      config: uint(m.config, 'p2a.config'),
      ballot: ballotFromWire(m.ballot, 'p2a.ballot'),
      slot: uint(m.slot, 'p2a.slot'),
      value: copy(m.value),
    };
  }
  if (w.p2b !== undefined) {
    const m = w.p2b;
    return {
      type: 'p2b',
      config: uint(m.config, 'p2b.config'),
      ballot: ballotFromWire(m.ballot, 'p2b.ballot'),
      slot: uint(m.slot, 'p2b.slot'),
    };
  }
  if (w.decision !== undefined) {
    const m = w.decision;
    return { type: 'decision', slot: uint(m.slot, 'decision.slot'), value: copy(m.value) };
  }
  if (w.request !== undefined) {
    const m = w.request;
    return { type: 'request', commands: copy(m.commands), hops: uint(m.hops, 'request.hops') };
  }
  if (w.heartbeat !== undefined) {
    const m = w.heartbeat;
    return {
      type: 'heartbeat',
      config: uint(m.config, 'heartbeat.config'),
      ballot: ballotFromWire(m.ballot, 'heartbeat.ballot'),
      seq: uint(m.seq, 'heartbeat.seq'),
      slotOut: uint(m.slotOut, 'heartbeat.slotOut'),
      snapshotSlot: uint(m.snapshotSlot, 'heartbeat.snapshotSlot'),
    };
  }
  if (w.heartbeatAck !== undefined) {
    const m = w.heartbeatAck;
    return {
      type: 'heartbeatAck',
      config: uint(m.config, 'heartbeatAck.config'),
      ballot: ballotFromWire(m.ballot, 'heartbeatAck.ballot'),
      seq: uint(m.seq, 'heartbeatAck.seq'),
      slotOut: uint(m.slotOut, 'heartbeatAck.slotOut'),
    };
  }
  if (w.readIndexReq !== undefined) {
    return { type: 'readIndexReq', id: uint(w.readIndexReq.id, 'readIndexReq.id') };
  }
  if (w.readIndexResp !== undefined) {
    const m = w.readIndexResp;
    if (!Number.isSafeInteger(m.index) || m.index < -1) fail('readIndexResp.index out of range');
    return { type: 'readIndexResp', id: uint(m.id, 'readIndexResp.id'), index: m.index };
  }
  if (w.catchupReq !== undefined) {
    const m = w.catchupReq;
    return {
      type: 'catchupReq',
      fromSlot: uint(m.fromSlot, 'catchupReq.fromSlot'),
      snapshotSlot: uint(m.snapshotSlot, 'catchupReq.snapshotSlot'),
      offset: uint(m.offset, 'catchupReq.offset'),
    };
  }
  if (w.catchupDecisions !== undefined) {
    return {
      type: 'catchupDecisions',
      decisions: w.catchupDecisions.decisions.map((d) => ({
        slot: uint(d.slot, 'decided.slot'),
        value: copy(d.value),
      })),
    };
  }
  if (w.snapshotChunk !== undefined) {
    const m = w.snapshotChunk;
    const offset = uint(m.offset, 'snapshotChunk.offset');
    const total = uint(m.total, 'snapshotChunk.total');
    if (offset + m.data.length > total) fail('snapshotChunk runs past its total');
    return {
      type: 'snapshotChunk',
      slot: uint(m.slot, 'snapshotChunk.slot'),
      offset,
      total,
      data: copy(m.data),
    };
  }
  return undefined;
}
