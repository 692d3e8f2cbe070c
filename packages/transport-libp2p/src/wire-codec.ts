/**
 * The one place where core messages meet their protobuf form (src/generated/paxos.proto):
 * field numbers, defaults and structural validation for every message type.
 *
 * Encoding and decoding are written out by hand against the schema, straight between core
 * Message objects and bytes. protons' generated codec (src/generated/paxos.ts) spends about
 * 50 µs encoding and 2-5 µs decoding each message (object spreads and reshaping on every oneof),
 * which caps a peer far below the transport's goal of 500k messages/s; this file spends a
 * fraction of a microsecond. The generated codec stays as the reference: the tests encode here
 * and decode there, and the other way round, for every message type and for random messages,
 * so the two cannot drift apart. Naming rule that makes this checkable: a protobuf field is the
 * core field's name in snake_case, and a Message body is named after the core `type`.
 *
 * Output follows proto3 as protons writes it (fields in number order, zero scalars and empty
 * bytes/strings omitted, sub-messages always written), so both codecs produce the same bytes.
 *
 * Decoding validates structurally as it goes: required fields present, integers safe and in
 * range, ids bounded. The core trusts the types it is given, so nothing unchecked passes.
 * When the core adds a message type or a field, this file stops compiling (FIELDS and the
 * exhaustive switches) until the new shape is mapped here, in the .proto, and in
 * docs/wire-format.md.
 */
import type { Ballot, Decided, Message, MessageType, PValue } from '@synod/core';

/** The longest peer id (a ballot's leader) accepted; the core allows ids up to 256 characters. */
export const MAX_PEER_ID_LENGTH = 256;

type Of<T extends MessageType> = Extract<Message, { type: T }>;

/**
 * Every field of every message type, as mapped below, after `type` in field-number order: the
 * name at index n is protobuf field n (paxos.proto; the reference-codec tests check it). The `satisfies` clause and
 * ALL_FIELDS_LISTED make the compiler reject this file when the core adds a field that is not
 * listed here, and the round-trip tests use the lists to check that each field survives.
 */
export const FIELDS = {
  p1a: ['type', 'config', 'ballot', 'fromSlot', 'probe'],
  p1b: ['type', 'config', 'ballot', 'accepted', 'watermark', 'probe'],
  p2a: ['type', 'config', 'ballot', 'slot', 'value'],
  p2b: ['type', 'config', 'ballot', 'slot', 'proposal'],
  decision: ['type', 'slot', 'value', 'ballot'],
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
type UnlistedNested = [
  Exclude<keyof Ballot, (typeof NESTED_FIELDS)['ballot'][number]>,
  Exclude<keyof PValue, (typeof NESTED_FIELDS)['pvalue'][number]>,
  Exclude<keyof Decided, (typeof NESTED_FIELDS)['decided'][number]>,
];
/** Fails to compile while a core field is missing from FIELDS / NESTED_FIELDS. */
export const ALL_FIELDS_LISTED: [Unlisted, ...UnlistedNested] extends [never, never, never, never]
  ? true
  : never = true;

/** Every message type the wire format carries. */
export const MESSAGE_TYPES = Object.keys(FIELDS) as MessageType[];

/** The field number of each type's body in `Message` (the oneof in paxos.proto). */
export const BODY_FIELD = {
  p1a: 1,
  p1b: 2,
  p2a: 3,
  p2b: 4,
  decision: 5,
  request: 6,
  heartbeat: 7,
  heartbeatAck: 8,
  readIndexReq: 9,
  readIndexResp: 10,
  catchupReq: 11,
  catchupDecisions: 12,
  snapshotChunk: 13,
} as const satisfies { readonly [T in MessageType]: number };

const TYPE_OF_FIELD: (MessageType | undefined)[] = [];
for (const t of MESSAGE_TYPES) TYPE_OF_FIELD[BODY_FIELD[t]] = t;

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A message failed structural validation. Caught by the frame decoder, never thrown out. */
export class WireValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireValidationError';
  }
}

/** The bytes are not protobuf as the schema says (truncated, wrong wire type, bad varint). */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

// =============================================================================== encoding

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

const utf8 = new TextEncoder();
let lastString = '';
let lastStringBytes = new Uint8Array(0);

/** UTF-8 bytes of `s`, remembered for the next call (a leader id repeats in every message). */
function stringBytes(s: string): Uint8Array {
  if (s !== lastString) {
    lastString = s;
    lastStringBytes = utf8.encode(s);
  }
  return lastStringBytes;
}

/** Size of a field's tag plus a varint value, or 0 when proto3 omits it (zero). */
function uintField(n: number): number {
  return n === 0 ? 0 : 1 + varintSize(n);
}

/** Zigzag (sint64) of a safe integer; exact even where 2n passes 2^53 (as bigint then). */
function zigzag(n: number): number | bigint {
  if (Math.abs(n) <= 2 ** 51) return n >= 0 ? n * 2 : -n * 2 - 1;
  const b = BigInt(n);
  return b >= 0n ? b * 2n : -b * 2n - 1n;
}

function bigVarintSize(n: bigint): number {
  let size = 1;
  while (n >= 0x80n) {
    n >>= 7n;
    size++;
  }
  return size;
}

function sintField(n: number): number {
  const z = zigzag(n);
  if (typeof z === 'number') return uintField(z);
  return 1 + bigVarintSize(z);
}

function bytesField(len: number): number {
  return len === 0 ? 0 : 1 + varintSize(len) + len;
}

function ballotSize(b: Ballot): number {
  return uintField(b.round) + bytesField(stringBytes(b.leader).length);
}

/** A sub-message field: always written (even empty), as protons does. */
function subField(size: number): number {
  return 1 + varintSize(size) + size;
}

function pvalueSize(p: PValue): number {
  return (
    uintField(p.config) +
    subField(ballotSize(p.ballot)) +
    uintField(p.slot) +
    bytesField(p.value.length)
  );
}

function decidedSize(d: Decided): number {
  return uintField(d.slot) + bytesField(d.value.length);
}

/** The size of a message's body (the bytes inside its oneof field). */
export function bodySize(m: Message): number {
  switch (m.type) {
    case 'p1a':
      return (
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.fromSlot) +
        uintField(m.probe ? 1 : 0)
      );
    case 'p1b': {
      let n =
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.watermark) +
        uintField(m.probe ? 1 : 0);
      for (const p of m.accepted) n += subField(pvalueSize(p));
      return n;
    }
    case 'p2a':
      return (
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.slot) +
        bytesField(m.value.length)
      );
    case 'p2b':
      return (
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.slot) +
        subField(ballotSize(m.proposal))
      );
    case 'decision':
      return (
        uintField(m.slot) +
        bytesField(m.value?.length ?? 0) +
        (m.ballot === undefined ? 0 : subField(ballotSize(m.ballot)))
      );
    case 'request':
      return bytesField(m.commands.length) + uintField(m.hops);
    case 'heartbeat':
      return (
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.seq) +
        uintField(m.slotOut) +
        uintField(m.snapshotSlot)
      );
    case 'heartbeatAck':
      return (
        uintField(m.config) +
        subField(ballotSize(m.ballot)) +
        uintField(m.seq) +
        uintField(m.slotOut)
      );
    case 'readIndexReq':
      return uintField(m.id);
    case 'readIndexResp':
      return uintField(m.id) + sintField(m.index);
    case 'catchupReq':
      return uintField(m.fromSlot) + uintField(m.snapshotSlot) + uintField(m.offset);
    case 'catchupDecisions': {
      let n = 0;
      for (const d of m.decisions) n += subField(decidedSize(d));
      return n;
    }
    case 'snapshotChunk':
      return (
        uintField(m.slot) + uintField(m.offset) + uintField(m.total) + bytesField(m.data.length)
      );
    default:
      return unknownType(m);
  }
}

function unknownType(m: never): never {
  throw new WireValidationError(`unknown message type ${String((m as { type: unknown }).type)}`);
}

/** A cursor writing into a buffer sized in advance. */
export class Writer {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    offset = 0,
  ) {
    this.pos = offset;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new WireValidationError(`cannot encode ${n}: not a safe unsigned integer`);
    }
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.pos++] = n;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** A varint field, omitted when zero. */
  uint(field: number, n: number): void {
    if (n === 0) return;
    this.buf[this.pos++] = (field << 3) | VARINT;
    this.varint(n);
  }

  /** A sint64 field (zigzag), omitted when zero. */
  sint(field: number, n: number): void {
    if (!Number.isSafeInteger(n)) throw new WireValidationError(`cannot encode ${n}`);
    const z = zigzag(n);
    if (typeof z === 'number') {
      this.uint(field, z);
      return;
    }
    this.buf[this.pos++] = (field << 3) | VARINT;
    let b = z;
    while (b >= 0x80n) {
      this.buf[this.pos++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.buf[this.pos++] = Number(b);
  }

  /** A bytes/string field, omitted when empty. */
  bytes(field: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.buf[this.pos++] = (field << 3) | LEN;
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The header of a sub-message field. */
  sub(field: number, size: number): void {
    this.buf[this.pos++] = (field << 3) | LEN;
    this.varint(size);
  }

  double(field: number, v: number): void {
    this.buf[this.pos++] = (field << 3) | I64;
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

function writeBallot(w: Writer, field: number, b: Ballot): void {
  w.sub(field, ballotSize(b));
  w.uint(1, b.round);
  w.bytes(2, stringBytes(b.leader));
}

/** Write a message's body (see bodySize). */
export function writeBody(w: Writer, m: Message): void {
  switch (m.type) {
    case 'p1a':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      w.uint(3, m.fromSlot);
      w.uint(4, m.probe ? 1 : 0);
      return;
    case 'p1b':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      for (const p of m.accepted) {
        w.sub(3, pvalueSize(p));
        w.uint(1, p.config);
        writeBallot(w, 2, p.ballot);
        w.uint(3, p.slot);
        w.bytes(4, p.value);
      }
      w.uint(4, m.watermark);
      w.uint(5, m.probe ? 1 : 0);
      return;
    case 'p2a':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      w.uint(3, m.slot);
      w.bytes(4, m.value);
      return;
    case 'p2b':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      w.uint(3, m.slot);
      writeBallot(w, 4, m.proposal);
      return;
    case 'decision':
      w.uint(1, m.slot);
      if (m.value !== undefined) w.bytes(2, m.value);
      if (m.ballot !== undefined) writeBallot(w, 3, m.ballot);
      return;
    case 'request':
      w.bytes(1, m.commands);
      w.uint(2, m.hops);
      return;
    case 'heartbeat':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      w.uint(3, m.seq);
      w.uint(4, m.slotOut);
      w.uint(5, m.snapshotSlot);
      return;
    case 'heartbeatAck':
      w.uint(1, m.config);
      writeBallot(w, 2, m.ballot);
      w.uint(3, m.seq);
      w.uint(4, m.slotOut);
      return;
    case 'readIndexReq':
      w.uint(1, m.id);
      return;
    case 'readIndexResp':
      w.uint(1, m.id);
      w.sint(2, m.index);
      return;
    case 'catchupReq':
      w.uint(1, m.fromSlot);
      w.uint(2, m.snapshotSlot);
      w.uint(3, m.offset);
      return;
    case 'catchupDecisions':
      for (const d of m.decisions) {
        w.sub(1, decidedSize(d));
        w.uint(1, d.slot);
        w.bytes(2, d.value);
      }
      return;
    case 'snapshotChunk':
      w.uint(1, m.slot);
      w.uint(2, m.offset);
      w.uint(3, m.total);
      w.bytes(4, m.data);
      return;
    default:
      unknownType(m);
  }
}

/** A protobuf `Message` (the oneof wrapper) holding `m`, on its own. */
export function encodeMessage(m: Message): Uint8Array {
  const body = bodySize(m);
  const out = new Uint8Array(1 + varintSize(body) + body);
  const w = new Writer(out);
  w.sub(BODY_FIELD[m.type], body);
  writeBody(w, m);
  return out;
}

// =============================================================================== decoding

const utf8Decoder = new TextDecoder();

/** A bounds-checked cursor over one frame. Throws WireFormatError on malformed input. */
export class Reader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    public end = buf.length,
  ) {
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint of up to 10 bytes; values beyond 2^53 come out unsafe (and fail later). */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireFormatError('truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  /** A varint as a bigint, exact to 64 bits (for sint64 fields). */
  bigVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireFormatError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  /** The bounds of a length-delimited field's contents. */
  len(): number {
    const n = this.varint();
    if (n > this.end - this.pos) throw new WireFormatError('length past the end');
    return n;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.advance(8);
        return;
      case LEN: {
        // Not `this.pos += this.len()`: that reads pos before len() moves it past the length.
        const n = this.len();
        this.pos += n;
        return;
      }
      case I32:
        this.advance(4);
        return;
      default:
        throw new WireFormatError(`unsupported wire type ${wireType}`);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) throw new WireFormatError('truncated field');
    this.pos += n;
  }

  double(): number {
    this.advance(8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + this.pos - 8, 8).getFloat64(0, true);
  }
}

function fail(what: string): never {
  throw new WireValidationError(what);
}

/*
 * Field names for error messages are passed as two constant strings (`where`, `name`) and
 * joined only on failure: building them per field costs more than decoding the field.
 */

function expectType(wireType: number, want: number, where: string, name: string): void {
  if (wireType !== want) {
    throw new WireFormatError(`${where}.${name} has wire type ${wireType}, expected ${want}`);
  }
}

/** A non-negative safe integer field. */
function readUint(r: Reader, wireType: number, where: string, name: string): number {
  expectType(wireType, VARINT, where, name);
  const n = r.varint();
  if (!Number.isSafeInteger(n)) fail(`${where}.${name} is not a safe integer`);
  return n;
}

/** A sint64 (zigzag) field, decoded exactly; it must be a safe integer. */
function readSint(r: Reader, wireType: number, where: string, name: string): number {
  expectType(wireType, VARINT, where, name);
  const z = r.bigVarint();
  const n = Number((z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n));
  if (!Number.isSafeInteger(n)) fail(`${where}.${name} is not a safe integer`);
  return n;
}

/** A bytes field, copied out of the frame (a kept value must not pin the receive buffer). */
function readBytes(r: Reader, wireType: number, where: string, name: string): Uint8Array {
  expectType(wireType, LEN, where, name);
  const n = r.len();
  const out = r.buf.slice(r.pos, r.pos + n);
  r.pos += n;
  return out;
}

function readString(
  r: Reader,
  wireType: number,
  where: string,
  name: string,
  maxChars: number,
): string {
  expectType(wireType, LEN, where, name);
  const n = r.len();
  // UTF-8 takes at most 4 bytes per character: longer cannot be within the limit.
  if (n > maxChars * 4) fail(`${where}.${name} is too long`);
  const buf = r.buf;
  let ascii = true;
  for (let i = r.pos; i < r.pos + n; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  const s = ascii
    ? String.fromCharCode(...buf.subarray(r.pos, r.pos + n))
    : utf8Decoder.decode(buf.subarray(r.pos, r.pos + n));
  r.pos += n;
  if (s.length > maxChars) fail(`${where}.${name} is too long`);
  return s;
}

/**
 * Enter a sub-message: check the wire type, read its length, and narrow the reader to it.
 * Returns the outer end, to give to `leave`.
 */
function enter(r: Reader, wireType: number, where: string, name: string): number {
  expectType(wireType, LEN, where, name);
  const n = r.len();
  const outer = r.end;
  r.end = r.pos + n;
  return outer;
}

function leave(r: Reader, outer: number): void {
  r.end = outer;
}

/** A field's tag (field number * 8 + wire type), checked: field numbers are 1 to 2^29 - 1. */
export function readTag(r: Reader): number {
  const tag = r.varint();
  if (tag < 8 || tag >= 2 ** 32) throw new WireFormatError(`invalid tag ${tag}`);
  return tag;
}

function readBallot(r: Reader, wireType: number, where: string): Ballot {
  let round = 0;
  let leader = '';
  const outer = enter(r, wireType, where, 'ballot');
  while (r.pos < r.end) {
    const tag = readTag(r);
    const f = tag >>> 3;
    const t = tag & 7;
    if (f === 1) round = readUint(r, t, where, 'ballot.round');
    else if (f === 2) leader = readString(r, t, where, 'ballot.leader', MAX_PEER_ID_LENGTH);
    else r.skip(t);
  }
  leave(r, outer);
  return { round, leader };
}

function readPValue(r: Reader, wireType: number): PValue {
  let config = 0;
  let slot = 0;
  let ballot: Ballot | undefined;
  let value: Uint8Array | undefined;
  const outer = enter(r, wireType, 'p1b', 'accepted');
  while (r.pos < r.end) {
    const tag = readTag(r);
    const f = tag >>> 3;
    const t = tag & 7;
    if (f === 1) config = readUint(r, t, 'pvalue', 'config');
    else if (f === 2) ballot = readBallot(r, t, 'pvalue');
    else if (f === 3) slot = readUint(r, t, 'pvalue', 'slot');
    else if (f === 4) value = readBytes(r, t, 'pvalue', 'value');
    else r.skip(t);
  }
  leave(r, outer);
  if (ballot === undefined) fail('pvalue.ballot is missing');
  return { config, ballot, slot, value: value ?? new Uint8Array(0) };
}

function readDecided(r: Reader, wireType: number): Decided {
  let slot = 0;
  let value: Uint8Array | undefined;
  const outer = enter(r, wireType, 'catchupDecisions', 'decisions');
  while (r.pos < r.end) {
    const tag = readTag(r);
    const f = tag >>> 3;
    const t = tag & 7;
    if (f === 1) slot = readUint(r, t, 'decided', 'slot');
    else if (f === 2) value = readBytes(r, t, 'decided', 'value');
    else r.skip(t);
  }
  leave(r, outer);
  return { slot, value: value ?? new Uint8Array(0) };
}

/** Limits on repeated fields, beyond what the frame size bounds. */
export interface DecodeLimits {
  /** The most pvalues in a p1b, and decisions in a catchupDecisions. */
  readonly maxEntries: number;
}

/**
 * The fields of a message body, read generically: most bodies are a few varints, a ballot and
 * one bytes field, at type-specific field numbers. `ints[n]` holds varint field n.
 */
interface RawBody {
  ints: number[];
  ballot: Ballot | undefined;
  /** p2b's second ballot (field 4). */
  proposal: Ballot | undefined;
  bytes: Uint8Array | undefined;
  accepted: PValue[] | undefined;
  decisions: Decided[] | undefined;
}

/** Which field of each type is the ballot (2 wherever there is one) and which holds bytes. */
const BYTES_FIELD: { readonly [T in MessageType]?: number } = {
  p2a: 4,
  decision: 2,
  request: 1,
  snapshotChunk: 4,
};
const HAS_BALLOT: ReadonlySet<MessageType> = new Set([
  'p1a',
  'p1b',
  'p2a',
  'p2b',
  'heartbeat',
  'heartbeatAck',
]);

/**
 * Read one message body (the contents of `Message`'s oneof field `fieldNo`), validated.
 * Returns undefined for a body this build does not know (a newer peer's type): skipped.
 */
export function readBody(
  r: Reader,
  fieldNo: number,
  wireType: number,
  limits: DecodeLimits,
): Message | undefined {
  const type = TYPE_OF_FIELD[fieldNo];
  if (type === undefined) {
    r.skip(wireType);
    return undefined;
  }
  const raw: RawBody = {
    ints: [0, 0, 0, 0, 0, 0],
    ballot: undefined,
    proposal: undefined,
    bytes: undefined,
    accepted: undefined,
    decisions: undefined,
  };
  const bytesField = BYTES_FIELD[type];
  const hasBallot = HAS_BALLOT.has(type);
  const names = FIELDS[type];
  const outer = enter(r, wireType, 'message', type);
  while (r.pos < r.end) {
    const tag = readTag(r);
    const f = tag >>> 3;
    const t = tag & 7;
    if (f === bytesField) {
      raw.bytes = readBytes(r, t, type, names[f]!);
    } else if (f === 2 && hasBallot) {
      raw.ballot = readBallot(r, t, type);
    } else if (f === 4 && type === 'p2b') {
      raw.proposal = readBallot(r, t, 'p2b.proposal');
    } else if (f === 3 && type === 'decision') {
      raw.ballot = readBallot(r, t, 'decision');
    } else if (f === 3 && type === 'p1b') {
      raw.accepted ??= [];
      if (raw.accepted.length >= limits.maxEntries) fail('p1b has too many pvalues');
      raw.accepted.push(readPValue(r, t));
    } else if (f === 1 && type === 'catchupDecisions') {
      raw.decisions ??= [];
      if (raw.decisions.length >= limits.maxEntries) fail('catchupDecisions has too many entries');
      raw.decisions.push(readDecided(r, t));
    } else if (f === 2 && type === 'readIndexResp') {
      raw.ints[2] = readSint(r, t, type, 'index');
    } else if (f < names.length) {
      // Every other known field is a varint; a wrong wire type is rejected, not misread.
      raw.ints[f] = readUint(r, t, type, names[f]!);
    } else {
      // Unknown fields are skipped: a newer peer may add some (docs/wire-format.md).
      r.skip(t);
    }
  }
  leave(r, outer);
  return shape(type, raw);
}

function shape(type: MessageType, raw: RawBody): Message {
  const [, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0] = raw.ints;
  const needBallot = (): Ballot => raw.ballot ?? fail(`${type}.ballot is missing`);
  const bytes = (): Uint8Array => raw.bytes ?? new Uint8Array(0);
  switch (type) {
    case 'p1a':
      if (i4 > 1) fail('p1a.probe is not a bool');
      return { type, config: i1, ballot: needBallot(), fromSlot: i3, probe: i4 === 1 };
    case 'p1b':
      if (i5 > 1) fail('p1b.probe is not a bool');
      return {
        type,
        config: i1,
        ballot: needBallot(),
        accepted: raw.accepted ?? [],
        watermark: i4,
        probe: i5 === 1,
      };
    case 'p2a':
      return { type, config: i1, ballot: needBallot(), slot: i3, value: bytes() };
    case 'p2b':
      return {
        type,
        config: i1,
        ballot: needBallot(),
        slot: i3,
        proposal: raw.proposal ?? fail('p2b.proposal is missing'),
      };
    case 'decision':
      // The value, or (to a peer that accepted it) the ballot of the chosen pvalue. A slot's
      // value is never empty (the no-op is a batch of none), so no value means none was sent.
      if (raw.bytes === undefined || raw.bytes.length === 0) {
        if (raw.ballot === undefined) fail('decision has neither a value nor a ballot');
        return { type, slot: i1, ballot: raw.ballot };
      }
      return raw.ballot === undefined
        ? { type, slot: i1, value: raw.bytes }
        : { type, slot: i1, value: raw.bytes, ballot: raw.ballot };
    case 'request':
      return { type, commands: bytes(), hops: i2 };
    case 'heartbeat':
      return { type, config: i1, ballot: needBallot(), seq: i3, slotOut: i4, snapshotSlot: i5 };
    case 'heartbeatAck':
      return { type, config: i1, ballot: needBallot(), seq: i3, slotOut: i4 };
    case 'readIndexReq':
      return { type, id: i1 };
    case 'readIndexResp':
      // -1 ("could not confirm") is the only negative index the core uses.
      if (i2 < -1) fail('readIndexResp.index out of range');
      return { type, id: i1, index: i2 };
    case 'catchupReq':
      return { type, fromSlot: i1, snapshotSlot: i2, offset: i3 };
    case 'catchupDecisions':
      return { type, decisions: raw.decisions ?? [] };
    case 'snapshotChunk': {
      const data = bytes();
      if (i2 + data.length > i3) fail('snapshotChunk runs past its total');
      return { type, slot: i1, offset: i2, total: i3, data };
    }
    default:
      return unknownType(type);
  }
}
