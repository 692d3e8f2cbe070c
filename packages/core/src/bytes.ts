/**
 * The one byte layer of Synod: unsigned LEB128 varints, length-prefixed bytes and UTF-8 strings,
 * raw bytes and little-endian doubles, written by ByteWriter and read, bounds-checked, by
 * ByteReader. Everything in the repository that reads or writes a varint goes through here: the
 * core's slot values (batches of commands) and snapshots, the transport's protobuf frames and
 * Noise-free framing, the join protocol, and the desktop document's commands and snapshots.
 *
 * The core has no runtime dependencies (DESIGN.md §1) and no `node:` imports, so this runs in a
 * renderer, a worker or the simulator as well. A malformed input throws DecodeError (code
 * `decode-error`); callers that must tell "malformed" from "well-formed but invalid" (the wire
 * codec) validate the values they read themselves.
 */
import { DecodeError, InvalidArgumentError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes the unsigned varint of `n` takes (n an integer from 0 to 2^64 - 1, what uint64 writes).
 * Anything else is an InvalidArgumentError: Infinity looped for ever, and NaN or -1 got a size.
 */
export function varintSize(n: number): number {
  // An integer of 0 to 2^31 - 1 (so no NaN): one test for nearly every varint.
  if ((n | 0) === n && n >= 0) {
    if (n < 0x80) return 1;
    if (n < 0x4000) return 2;
    if (n < 0x200000) return 3;
    return n < 0x10000000 ? 4 : 5;
  }
  if (!(n >= 0 && n < 2 ** 64 && Number.isInteger(n)))
    throw new InvalidArgumentError(`no unsigned varint holds ${String(n)}`);
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n >= 1) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Bytes of `s` in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 bytes.
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView | undefined;
  private pos: number;

  /**
   * A writer that grows its buffer as needed (`initial` bytes to start), or one that writes into
   * `into` from `offset` on (sized by the caller: it still grows, by copying, if it must).
   */
  constructor(initial: number | Uint8Array = 256, offset = 0) {
    const length = typeof initial === 'number' ? initial : initial.length;
    // A negative offset wrote nothing (typed arrays ignore such indexes); NaN broke every write.
    if (!(
      Number.isSafeInteger(length) &&
      length >= 0 &&
      Number.isSafeInteger(offset) &&
      offset >= 0 &&
      offset <= length
    )) {
      throw new InvalidArgumentError(
        `a ByteWriter of ${String(length)} bytes from ${String(offset)}`,
      );
    }
    this.buf = typeof initial === 'number' ? new Uint8Array(initial) : initial;
    this.pos = offset;
  }

  /** Bytes written so far (the offset of the next byte). */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 16);
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = undefined;
  }

  /** An unsigned integer up to 2^53 - 1. */
  uint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`not a safe unsigned integer: ${n}`);
    return this.varint(n);
  }

  /**
   * Any integer from 0 to 2^64 - 1 that a double holds exactly (for example the zigzag form of a
   * safe integer, which may pass 2^53): written exactly, since halving by 128 is exact.
   */
  uint64(n: number): this {
    if (!(n >= 0 && n < 2 ** 64 && Number.isInteger(n)))
      throw new InvalidArgumentError(`not an unsigned 64-bit integer: ${n}`);
    return this.varint(n);
  }

  private varint(n: number): this {
    // Exact room near the end (a buffer sized by the caller must not grow), 10 bytes elsewhere.
    if (this.pos + 10 > this.buf.length) this.ensure(varintSize(n));
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
    return this;
  }

  byte(n: number): this {
    this.ensure(1);
    this.buf[this.pos++] = n & 0xff;
    return this;
  }

  /** Bytes as they are, without a length. */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A length (varint) and the bytes. */
  bytes(b: Uint8Array): this {
    return this.uint(b.length).raw(b);
  }

  /** A length (varint) and the UTF-8 bytes. */
  string(s: string): this {
    // Fast path for ASCII, which ids and most commands are.
    if (s.length >= 128 || !isAscii(s)) return this.bytes(encoder.encode(s));
    this.ensure(1 + s.length);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = s.length;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
    return this;
  }

  /** A list of strings (e.g. peer ids). */
  strings(list: readonly string[]): this {
    this.uint(list.length);
    for (const x of list) this.string(x);
    return this;
  }

  /** A double, 8 bytes little-endian. */
  float(n: number): this {
    this.ensure(8);
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
    return this;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written, without copying: a view of the buffer. */
  written(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
  }
}

/**
 * The last few strings read, with their bytes: peer ids (a ballot's leader, a command's client)
 * repeat in nearly every message, and are then compared rather than decoded again.
 */
const RECENT = 4;
const recentBytes: Uint8Array[] = Array.from({ length: RECENT }, () => new Uint8Array(0));
const recentStrings: string[] = Array.from({ length: RECENT }, () => '');
let recentNext = 0;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A length past the end is malformed input (DecodeError); a negative or NaN one is the caller's
 * mistake (it moved the position back, or made it NaN).
 */
function tooFar(n: number, what: string): Error {
  return n >= 0 ? new DecodeError(what) : new InvalidArgumentError(`not a length: ${String(n)}`);
}

export class ByteReader {
  /** The next byte to read. */
  pos: number;
  /** Where reading stops: the buffer's end, or a nested structure's (see limit()). */
  endPos: number;
  private view: DataView | undefined;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    // Outside the buffer, reads would see undefined as 0 (and NaN would never end).
    if (!(
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      start >= 0 &&
      start <= end &&
      end <= buf.length
    )) {
      throw new InvalidArgumentError(
        `a ByteReader of bytes ${String(start)}..${String(end)} of ${buf.length}`,
      );
    }
    this.pos = start;
    this.endPos = end;
  }

  get done(): boolean {
    return this.pos >= this.endPos;
  }

  /** Bytes left before the end. */
  get remaining(): number {
    return this.endPos - this.pos;
  }

  /** An unsigned varint of at most 8 bytes holding a safe integer. */
  uint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.endPos) throw new DecodeError('truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new DecodeError('varint out of range');
        return result;
      }
      mul *= 0x80;
    }
    throw new DecodeError('varint too long');
  }

  /**
   * An unsigned varint of up to 10 bytes (protobuf's uint64), as a number: exact below 2^53,
   * the nearest double above (callers check Number.isSafeInteger where they need exactness).
   */
  uint64(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.endPos;
    // One byte: most varints (tags, small numbers).
    if (pos < end && buf[pos]! < 0x80) {
      this.pos = pos + 1;
      return buf[pos]!;
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new DecodeError('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 0x80;
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  byte(): number {
    if (this.pos >= this.endPos) throw new DecodeError('truncated byte');
    return this.buf[this.pos++]!;
  }

  /** Skip `n` bytes. */
  skip(n: number): void {
    if (!(n >= 0 && n <= this.endPos - this.pos)) throw tooFar(n, 'truncated field');
    this.pos += n;
  }

  /** The next `n` bytes, as a view of the buffer. */
  raw(n: number): Uint8Array {
    if (!(n >= 0 && n <= this.endPos - this.pos)) throw tooFar(n, 'truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed bytes, as a view of the buffer (copy what must outlive it). */
  bytes(): Uint8Array {
    return this.raw(this.uint());
  }

  /** Length-prefixed UTF-8; invalid UTF-8 is a DecodeError. */
  string(): string {
    return this.utf8(this.bytes());
  }

  /**
   * Decode UTF-8 bytes (strictly). The last string decoded is remembered with its bytes: a peer
   * id repeated in message after message is compared, not decoded again.
   */
  utf8(b: Uint8Array): string {
    const n = b.length;
    for (let k = 0; k < RECENT; k++) {
      const r = recentBytes[k]!;
      if (r.length === n && sameBytes(b, r)) return recentStrings[k]!;
    }
    let s: string;
    let ascii = n <= 64;
    for (let i = 0; ascii && i < n; i++) if (b[i]! > 0x7f) ascii = false;
    if (ascii) {
      s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    } else {
      try {
        s = decoder.decode(b);
      } catch {
        throw new DecodeError('invalid UTF-8 in string');
      }
    }
    if (n > 0 && n <= 256) {
      // A copy (Uint8Array's slice: a Buffer's would share the caller's memory).
      recentBytes[recentNext] = Uint8Array.prototype.slice.call(b);
      recentStrings[recentNext] = s;
      recentNext = (recentNext + 1) % RECENT;
    }
    return s;
  }

  /** A list written by ByteWriter.strings; at most `max` entries. */
  strings(max = 100_000): string[] {
    const n = this.uint();
    if (n > max) throw new DecodeError(`list of ${n} strings is longer than ${max}`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }

  /** A double, 8 bytes little-endian. */
  float(): number {
    if (this.pos + 8 > this.endPos) throw new DecodeError('truncated float');
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /**
   * Narrow reading to the next `n` bytes (a nested structure); returns the outer end, to give
   * back to `unlimit` once the structure is read.
   */
  limit(n: number): number {
    if (!(n >= 0 && n <= this.endPos - this.pos)) throw tooFar(n, 'length past the end');
    const outer = this.endPos;
    this.endPos = this.pos + n;
    return outer;
  }

  unlimit(outer: number): void {
    this.endPos = outer;
  }

  /** Everything must have been read. */
  end(): void {
    if (this.pos !== this.endPos) throw new DecodeError('trailing bytes');
  }
}
