/**
 * A small protobuf (proto3) codec driven by tables: each message is declared once, as one table
 * of fields (number, name, kind), and this file sizes, writes, reads and validates it, on the
 * core's byte layer (ByteWriter/ByteReader of @synod/core). The .proto files are generated from
 * the same tables (proto-text.ts; `npm run proto`), so adding a field is one line in a table.
 *
 * What it writes is what protobuf writes (protons, the reference the tests compare with): fields
 * in number order, proto3 defaults (0, false, empty bytes and strings) omitted, sub-messages
 * always written when present, `optional` fields written whenever set.
 *
 * What it reads is checked as it goes: a wrong wire type for a known field, a truncated field or
 * a bad tag is malformed (DecodeError); a value the schema allows but Synod does not (an integer
 * beyond 2^53 - 1, a bool that is not 0 or 1, a missing required sub-message, a string over its
 * limit, a message's own rule) is invalid (WireValidationError); more entries in a repeated
 * field than its limit is malformed, as a frame of too many messages is. Unknown
 * fields are skipped, so a newer peer may add some (docs/wire-format.md, versioning).
 */
import { ByteReader, ByteWriter, DecodeError, varintSize } from '@synod/core';

/** Protobuf wire types. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** A message broke a rule of the schema or of Synod (the frame's drop reason `invalid`). */
export class WireValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireValidationError';
  }
}

function invalid(what: string): never {
  throw new WireValidationError(what);
}

/** How one value is encoded: protobuf's scalar types and messages. */
export interface Kind<T> {
  readonly wireType: number;
  /** Its type in a .proto file (a scalar type or a message name), and any field options. */
  readonly protoType: string;
  readonly protoOptions?: string;
  /** proto3's implicit default, omitted from the wire; never true for messages. */
  isDefault(v: T): boolean;
  /** The value of an absent field (for a message: undefined, i.e. missing). */
  absent(): T | undefined;
  /** Bytes of the value after its tag (with its length, for length-delimited kinds). */
  size(v: T): number;
  write(w: ByteWriter, v: T): void;
  /** Read a value; `where` names the field in errors (a constant: nothing is built per read). */
  read(r: ByteReader, where: string): T;
}

const EMPTY = new Uint8Array(0);

/** uint64 holding a safe integer (jstype = JS_NUMBER): the core's slots, ballots, counters. */
export const uint64: Kind<number> = {
  wireType: WireType.VARINT,
  protoType: 'uint64',
  protoOptions: 'jstype = JS_NUMBER',
  isDefault: (v) => v === 0,
  absent: () => 0,
  size: (v) => varintSize(v),
  write: (w, v) => void w.uint(v),
  read(r, where) {
    const v = r.uint64();
    if (!Number.isSafeInteger(v)) invalid(`${where} is not a safe integer`);
    return v;
  },
};

/** uint32. */
export const uint32: Kind<number> = {
  ...uint64,
  protoType: 'uint32',
  protoOptions: undefined,
  write(w, v) {
    if (v > 0xffffffff) throw new RangeError(`not a uint32: ${v}`);
    w.uint(v);
  },
  read(r, where) {
    const v = r.uint64();
    if (v > 0xffffffff) invalid(`${where} is not a uint32`);
    return v;
  },
};

/** sint64 (zigzag) holding a safe integer. Zigzag of a safe integer is exact as a double. */
export const sint64: Kind<number> = {
  wireType: WireType.VARINT,
  protoType: 'sint64',
  protoOptions: 'jstype = JS_NUMBER',
  isDefault: (v) => v === 0,
  absent: () => 0,
  size: (v) => varintSize(v >= 0 ? v * 2 : -v * 2 - 1),
  write(w, v) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
    w.uint64(v >= 0 ? v * 2 : -v * 2 - 1);
  },
  read(r, where) {
    const z = r.uint64();
    const v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (!Number.isSafeInteger(v)) invalid(`${where} is not a safe integer`);
    return v;
  },
};

export const bool: Kind<boolean> = {
  wireType: WireType.VARINT,
  protoType: 'bool',
  isDefault: (v) => !v,
  absent: () => false,
  size: () => 1,
  write: (w, v) => void w.byte(v ? 1 : 0),
  read(r, where) {
    const v = r.uint64();
    if (v > 1) invalid(`${where} is not a bool`);
    return v === 1;
  },
};

/**
 * bytes, read as a view of the buffer being decoded (no copy per field: decode from a buffer of
 * the message's own, as decodeFrameBody does, so that a kept value pins nothing else).
 */
export const bytes: Kind<Uint8Array> = {
  wireType: WireType.LEN,
  protoType: 'bytes',
  isDefault: (v) => v.length === 0,
  absent: () => EMPTY,
  size: (v) => varintSize(v.length) + v.length,
  write: (w, v) => void w.bytes(v),
  read: (r) => r.raw(r.uint64()),
};

/**
 * Recently encoded strings and their UTF-8 bytes: the leaders' peer ids repeat in nearly every
 * message, and are then measured and copied rather than encoded again. Bounded: cleared when
 * full, so that many distinct strings cost an encoding each, as without it.
 */
const utf8Memo = new Map<string, Uint8Array>();
const UTF8_MEMO_SIZE = 64;
const UTF8_MEMO_LONGEST = 256;
const utf8 = new TextEncoder();

function utf8Of(s: string): Uint8Array {
  let b = utf8Memo.get(s);
  if (b === undefined) {
    b = utf8.encode(s);
    if (s.length <= UTF8_MEMO_LONGEST) {
      if (utf8Memo.size >= UTF8_MEMO_SIZE) utf8Memo.clear();
      utf8Memo.set(s, b);
    }
  }
  return b;
}

/** A UTF-8 string of at most `maxChars` UTF-16 code units. */
export function string(maxChars: number): Kind<string> {
  return {
    wireType: WireType.LEN,
    protoType: 'string',
    isDefault: (v) => v.length === 0,
    absent: () => '',
    size(v) {
      const n = utf8Of(v).length;
      return varintSize(n) + n;
    },
    write: (w, v) => void w.bytes(utf8Of(v)),
    read(r, where) {
      const b = r.raw(r.uint64());
      // UTF-8 takes at most 3 bytes per UTF-16 code unit: longer cannot be within the limit.
      if (b.length > maxChars * 3) invalid(`${where} is too long`);
      const s = r.utf8(b);
      if (s.length > maxChars) invalid(`${where} is too long`);
      return s;
    },
  };
}

export const double: Kind<number> = {
  wireType: WireType.I64,
  protoType: 'double',
  isDefault: (v) => v === 0,
  absent: () => 0,
  size: () => 8,
  write: (w, v) => void w.float(v),
  read: (r) => r.float(),
};

/*
 * Output buffers come from 64 KiB slabs: a fresh ArrayBuffer per message costs more than
 * encoding a small one (400-700 ns against tens). An encoded frame is short-lived (written to the
 * stream, encrypted, dropped), so a slab is garbage soon after its last frame; larger outputs
 * get their own buffer.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** A new buffer of `n` bytes for an encoding (zeroed, never handed out twice). */
export function allocate(n: number): Uint8Array {
  if (n > SLAB_BYTES / 4) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}

/*
 * Sizes of nested messages, measured once per encoding: bodySize() records each sub-message's
 * size (pre-order) in the order writeBody() then needs it, instead of measuring it again.
 */
const sizes: number[] = [];
let sizesUsed = 0;
let nextSize = 0;

/*
 * Entries of repeated fields: counted as messages are measured (what a frame of them will hold),
 * and bounded across one decoding (limitEntries; a frame's lists together, not only each list).
 */
let entriesMeasured = 0;
let entriesLeft = Infinity;

/** Entries of repeated fields measured by bodySize so far (a running count: take differences). */
export function measuredEntries(): number {
  return entriesMeasured;
}

/**
 * Let the decodings that follow read at most `n` entries of repeated fields in all (Infinity:
 * only each field's own limit); past it, reading fails as malformed.
 */
export function limitEntries(n: number): void {
  entriesLeft = n;
}

/** Start an encoding: forget earlier measurements. */
export function beginEncoding(): void {
  sizesUsed = 0;
  nextSize = 0;
}

/** Where the next measurement will be recorded (to write a message measured earlier). */
export function sizesMark(): number {
  return sizesUsed;
}

/** Write from the measurements recorded at `mark` on. */
export function sizesSeek(mark: number): void {
  nextSize = mark;
}

/** A message (or oneof wrapper) on its own: measured, then written into a buffer of that size. */
function encodeAlone<T>(
  schema: {
    readonly name: string;
    bodySize(m: T): number;
    writeBody(w: ByteWriter, m: T): void;
  },
  m: T,
): Uint8Array {
  beginEncoding();
  const n = schema.bodySize(m);
  const w = new ByteWriter(allocate(n));
  schema.writeBody(w, m);
  if (w.length !== n) throw new Error(`${schema.name}: wrote ${w.length} bytes, measured ${n}`);
  return w.written();
}

/** One field of a message table. */
export interface Field<T> {
  readonly no: number;
  readonly kind: Kind<T extends readonly (infer E)[] ? E : Exclude<T, undefined>>;
  /** A repeated field: the most entries a decoder accepts. */
  readonly maxEntries?: number;
  /** A sub-message that must be present. */
  readonly required?: boolean;
  /** proto3 `optional`: written whenever set (undefined: absent), even if 0. */
  readonly optional?: boolean;
  /** A comment for the generated .proto. */
  readonly doc?: string;
}

type FieldOptions = Pick<Field<unknown>, 'required' | 'doc'>;

/** A singular field. */
export function field<T>(no: number, kind: Kind<T>, opts: FieldOptions = {}): Field<T> {
  return { no, kind: kind as Field<T>['kind'], ...opts };
}

/** A proto3 `optional` field: present (and written) exactly when the value is defined. */
export function optional<T>(no: number, kind: Kind<T>, doc?: string): Field<T | undefined> {
  return { no, kind: kind as Field<T | undefined>['kind'], optional: true, doc };
}

/** A repeated field of at most `maxEntries` entries. */
export function repeated<E>(
  no: number,
  kind: Kind<E>,
  maxEntries: number,
  doc?: string,
): Field<readonly E[]> {
  return { no, kind: kind, maxEntries, doc };
}

/** The table of a message type T: every key of T but the fixed ones, each a field. */
export type Fields<T, Fixed extends keyof T = never> = {
  readonly [K in Exclude<keyof T, Fixed>]-?: Field<T[K]>;
};

/** A field as the tables declare it (what proto-text.ts prints). */
export interface FieldInfo {
  readonly key: string;
  readonly no: number;
  readonly kind: Pick<Kind<unknown>, 'protoType' | 'protoOptions'>;
  /** > 0 for a repeated field. */
  readonly maxEntries: number;
  readonly optional: boolean;
  readonly doc: string | undefined;
}

/** A message type as the tables declare it. */
export interface SchemaInfo {
  readonly name: string;
  readonly doc: string | undefined;
  readonly fields: readonly FieldInfo[];
}

/** A oneof wrapper as the tables declare it. */
export interface OneofInfo {
  readonly name: string;
  readonly oneofName: string;
  readonly members: ReadonlyArray<{
    readonly value: string;
    readonly no: number;
    readonly schema: { readonly name: string };
  }>;
}

/*
 * The kinds most fields have, handled inline by the interpreter loops (a switch on a small
 * number, not a call through the kind): what makes it as fast as the hand-written codec was.
 */
const GENERIC = 0;
const UINT64 = 1;
const BYTES = 2;
const BOOL = 3;
const REPEATED = 4;

interface FieldSlot extends FieldInfo {
  /** GENERIC, UINT64, BYTES, BOOL or REPEATED: how the loops handle it. */
  readonly code: number;
  readonly key: string;
  /** `Message.field`, for errors. */
  readonly path: string;
  readonly no: number;
  readonly tag: number;
  readonly tagSize: number;
  readonly kind: Kind<unknown>;
  readonly maxEntries: number;
  readonly required: boolean;
  readonly optional: boolean;
  readonly doc: string | undefined;
}

export interface MessageOptions<T> {
  /** Properties every decoded value has, not on the wire (the core's `type`). */
  readonly fixed?: Partial<T>;
  /** A rule across fields: returns what is wrong, or undefined. */
  readonly check?: (m: T) => string | undefined;
  readonly doc?: string;
}

/** A message type: its table, compiled for sizing, writing and reading. */
export class MessageSchema<T> implements Kind<T>, SchemaInfo {
  readonly wireType = WireType.LEN;
  readonly protoType: string;
  readonly fields: readonly FieldSlot[];
  readonly doc: string | undefined;
  /** Fields by tag (number << 3 | wire type) and by number. */
  private readonly byTag: (FieldSlot | undefined)[] = [];
  private readonly byNumber: (FieldSlot | undefined)[] = [];
  private readonly template: Record<string, unknown>;
  private readonly check: ((m: T) => string | undefined) | undefined;

  constructor(
    readonly name: string,
    table: Record<string, Field<unknown>>,
    opts: MessageOptions<T> = {},
  ) {
    this.protoType = name;
    this.doc = opts.doc;
    this.check = opts.check;
    const slots: FieldSlot[] = [];
    for (const [key, f] of Object.entries(table)) {
      if (this.byNumber[f.no] !== undefined) throw new Error(`${name}: field ${f.no} twice`);
      const tag = f.no * 8 + f.kind.wireType;
      // Inline handling writes one-byte tags (field numbers up to 15).
      const code =
        f.maxEntries !== undefined
          ? REPEATED
          : f.optional === true || tag >= 0x80
            ? GENERIC
            : f.kind === (uint64 as Kind<unknown>)
              ? UINT64
              : f.kind === (bytes as Kind<unknown>)
                ? BYTES
                : f.kind === (bool as Kind<unknown>)
                  ? BOOL
                  : GENERIC;
      const slot: FieldSlot = {
        code,
        key,
        path: `${name}.${key}`,
        no: f.no,
        tag,
        tagSize: varintSize(tag),
        kind: f.kind,
        maxEntries: f.maxEntries ?? 0,
        required: f.required === true,
        optional: f.optional === true,
        doc: f.doc,
      };
      slots.push(slot);
      this.byNumber[f.no] = slot;
      this.byTag[tag] = slot;
    }
    slots.sort((a, b) => a.no - b.no);
    this.fields = slots;
    // Decoded values start as a copy of this: fixed properties first, then every field's
    // absent value, in table order (one shape for every value of the type). An `optional`
    // field is left out until it is read: absent means no key, as the core's types say
    // (exactOptionalPropertyTypes), not a key holding undefined.
    this.template = { ...(opts.fixed as Record<string, unknown> | undefined) };
    for (const [key, f] of Object.entries(table)) {
      if (f.optional === true) continue;
      this.template[key] = f.maxEntries !== undefined ? undefined : f.kind.absent();
    }
  }

  isDefault(): boolean {
    return false;
  }

  absent(): T | undefined {
    return undefined;
  }

  /** Bytes of the message's fields (without a length). */
  bodySize(m: T): number {
    const o = m as Record<string, unknown>;
    const fields = this.fields;
    let n = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = o[f.key];
      switch (f.code) {
        case UINT64:
          if (v !== 0) n += f.tagSize + varintSize(v as number);
          break;
        case BYTES: {
          const len = (v as Uint8Array).length;
          if (len !== 0) n += f.tagSize + varintSize(len) + len;
          break;
        }
        case BOOL:
          if (v === true) n += f.tagSize + 1;
          break;
        case REPEATED:
          // undefined: an empty list the sender's type leaves out (the decoder gives []).
          if (v !== undefined) {
            for (const e of v as readonly unknown[]) n += f.tagSize + f.kind.size(e);
            entriesMeasured += (v as readonly unknown[]).length;
          }
          break;
        default:
          if (v !== undefined && (f.optional || !f.kind.isDefault(v))) {
            n += f.tagSize + f.kind.size(v);
          }
      }
    }
    return n;
  }

  /** As a field of another message: measured once (see beginEncoding). */
  size(m: T): number {
    const slot = sizesUsed++;
    const n = this.bodySize(m);
    sizes[slot] = n;
    return varintSize(n) + n;
  }

  writeBody(w: ByteWriter, m: T): void {
    const o = m as Record<string, unknown>;
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = o[f.key];
      switch (f.code) {
        case UINT64:
          if (v !== 0) w.byte(f.tag).uint(v as number);
          break;
        case BYTES:
          if ((v as Uint8Array).length !== 0) w.byte(f.tag).bytes(v as Uint8Array);
          break;
        case BOOL:
          if (v === true) w.byte(f.tag).byte(1);
          break;
        case REPEATED:
          if (v === undefined) break;
          for (const e of v as readonly unknown[]) {
            w.uint(f.tag);
            f.kind.write(w, e);
          }
          break;
        default:
          if (v !== undefined && (f.optional || !f.kind.isDefault(v))) {
            w.uint(f.tag);
            f.kind.write(w, v);
          } else if (v === undefined && f.required) {
            throw new RangeError(`${f.path} is missing`);
          }
      }
    }
  }

  /** As a field of another message: its length (measured by size()), then its fields. */
  write(w: ByteWriter, m: T): void {
    w.uint(sizes[nextSize++]!);
    this.writeBody(w, m);
  }

  /** The message alone, as bytes (no length prefix). */
  encode(m: T): Uint8Array {
    return encodeAlone(this, m);
  }

  /** Read fields up to the reader's end. */
  readBody(r: ByteReader): T {
    const o: Record<string, unknown> = { ...this.template };
    while (r.pos < r.endPos) {
      const tag = r.uint64();
      const f = this.byTag[tag];
      if (f === undefined) {
        skipField(r, tag, this.byNumber, this.name);
        continue;
      }
      if (f.code === UINT64) {
        const v = r.uint64();
        if (!Number.isSafeInteger(v)) invalid(`${f.path} is not a safe integer`);
        o[f.key] = v;
      } else if (f.code === REPEATED) {
        const list = (o[f.key] ??= []) as unknown[];
        if (list.length >= f.maxEntries) throw new DecodeError(`${f.path} has too many entries`);
        if (--entriesLeft < 0) throw new DecodeError('too many entries in all');
        list.push(f.kind.read(r, f.path));
      } else {
        o[f.key] = f.kind.read(r, f.path);
      }
    }
    for (const f of this.fields) {
      if (o[f.key] !== undefined) continue;
      if (f.code === REPEATED) o[f.key] = [];
      else if (f.required) invalid(`${f.path} is missing`);
    }
    const m = o as T;
    const problem = this.check?.(m);
    if (problem !== undefined) invalid(`${this.name}: ${problem}`);
    return m;
  }

  read(r: ByteReader): T {
    const outer = r.limit(r.uint64());
    const m = this.readBody(r);
    r.unlimit(outer);
    return m;
  }

  /**
   * Decode a message from its bytes (throws DecodeError or WireValidationError). Its bytes
   * fields are views of `b`.
   */
  decode(b: Uint8Array): T {
    return this.readBody(new ByteReader(b));
  }
}

/** Declare a message type: one table, one line per field (see the schema files). */
export function message<T, Fixed extends keyof T = never>(
  name: string,
  table: Fields<T, Fixed>,
  opts: MessageOptions<T> & { fixed?: Pick<T, Fixed> } = {},
): MessageSchema<T> {
  return new MessageSchema<T>(name, table, opts);
}

/**
 * Skip a field this table does not know (a newer peer's). A known field number with another
 * wire type is malformed: misreading it would be worse than refusing it.
 */
function skipField(
  r: ByteReader,
  tag: number,
  byNumber: readonly (FieldSlot | undefined)[],
  where: string,
): void {
  if (tag < 8 || tag >= 2 ** 32) throw new DecodeError(`invalid tag ${tag}`);
  const no = Math.floor(tag / 8);
  const wireType = tag & 7;
  if (byNumber[no] !== undefined) {
    throw new DecodeError(`${where}.${byNumber[no].key} has wire type ${wireType}`);
  }
  skipValue(r, wireType);
}

/** Skip one value of the given wire type. */
export function skipValue(r: ByteReader, wireType: number): void {
  switch (wireType) {
    case WireType.VARINT:
      r.uint64();
      return;
    case WireType.I64:
      r.skip(8);
      return;
    case WireType.LEN:
      r.skip(r.uint64());
      return;
    case WireType.I32:
      r.skip(4);
      return;
    default:
      throw new DecodeError(`unsupported wire type ${wireType}`);
  }
}

/**
 * A oneof of messages, each a field of the enclosing message, told apart by a property of the
 * value (the core's `type`): protobuf's `message Message { oneof body { P1a p1a = 1; ... } }`,
 * read and written straight to and from the core's tagged union.
 */
export class OneofSchema<T extends Record<D, string>, D extends keyof T & string>
  implements Kind<T | undefined>, OneofInfo
{
  readonly wireType = WireType.LEN;
  readonly protoType: string;
  private readonly byType = new Map<string, { tag: number; schema: MessageSchema<T> }>();
  private readonly byTag: (MessageSchema<T> | undefined)[] = [];

  constructor(
    readonly name: string,
    readonly oneofName: string,
    private readonly discriminant: D,
    readonly members: ReadonlyArray<{ value: string; no: number; schema: MessageSchema<T> }>,
  ) {
    this.protoType = name;
    for (const m of members) {
      const tag = m.no * 8 + WireType.LEN;
      this.byType.set(m.value, { tag, schema: m.schema });
      this.byTag[tag] = m.schema;
    }
  }

  isDefault(): boolean {
    return false;
  }

  absent(): undefined {
    return undefined;
  }

  private member(m: T): { tag: number; schema: MessageSchema<T> } {
    const b = this.byType.get(m[this.discriminant]);
    if (b === undefined) throw new RangeError(`${this.name}: no ${m[this.discriminant]}`);
    return b;
  }

  /** Bytes of the oneof wrapper's content: the one body field. */
  bodySize(m: T): number {
    const { tag, schema } = this.member(m);
    return varintSize(tag) + schema.size(m);
  }

  /** As a field of another message: measured once (see beginEncoding). */
  size(m: T | undefined): number {
    const slot = sizesUsed++;
    const n = this.bodySize(m!);
    sizes[slot] = n;
    return varintSize(n) + n;
  }

  writeBody(w: ByteWriter, m: T): void {
    const { tag, schema } = this.member(m);
    w.uint(tag);
    schema.write(w, m);
  }

  write(w: ByteWriter, m: T | undefined): void {
    w.uint(sizes[nextSize++]!);
    this.writeBody(w, m!);
  }

  /** Read one wrapper; undefined when it holds no body this build knows (counted, skipped). */
  readBody(r: ByteReader): T | undefined {
    let m: T | undefined;
    // proto3: if several bodies are set, the last one wins.
    while (r.pos < r.endPos) {
      const tag = r.uint64();
      const schema = this.byTag[tag];
      if (schema !== undefined) {
        m = schema.read(r);
        continue;
      }
      if (tag < 8 || tag >= 2 ** 32) throw new DecodeError(`invalid tag ${tag}`);
      if (this.byTag[(tag & ~7) | WireType.LEN] !== undefined) {
        throw new DecodeError(`${this.name} field ${Math.floor(tag / 8)} has wire type ${tag & 7}`);
      }
      skipValue(r, tag & 7);
    }
    return m;
  }

  read(r: ByteReader): T | undefined {
    const outer = r.limit(r.uint64());
    const m = this.readBody(r);
    r.unlimit(outer);
    return m;
  }

  /** One wrapper alone, as bytes (no length prefix). */
  encode(m: T): Uint8Array {
    return encodeAlone(this, m);
  }

  decode(b: Uint8Array): T | undefined {
    return this.readBody(new ByteReader(b));
  }
}
