/**
 * A minimal binary writer/reader (unsigned LEB128 varints, length-prefixed bytes and strings).
 *
 * The core has no runtime dependencies (DESIGN.md §1), so it cannot use a protobuf runtime; it
 * only needs this to encode slot values (batches of commands) and snapshots, which every other
 * layer treats as opaque bytes. The wire protocol itself is protobuf, in the transport package.
 */
import { DecodeError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned integer up to 2^53 - 1. */
  uint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`not a safe unsigned integer: ${n}`);
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
    return this;
  }

  byte(n: number): this {
    this.ensure(1);
    this.buf[this.pos++] = n & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    // Fast path for ASCII, which ids and most commands are.
    let ascii = s.length < 128;
    if (ascii) {
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
    }
    if (!ascii) return this.bytes(encoder.encode(s));
    this.ensure(1 + s.length);
    this.buf[this.pos++] = s.length;
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
    return this;
  }

  /** A list of strings (e.g. peer ids). */
  strings(list: readonly string[]): this {
    this.uint(list.length);
    for (const x of list) this.string(x);
    return this;
  }

  float(n: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new DecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new DecodeError('varint out of range');
        return result;
      }
      mul *= 0x80;
    }
    throw new DecodeError('varint too long');
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new DecodeError('truncated byte');
    return this.buf[this.pos++]!;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new DecodeError('truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const b = this.bytes();
    try {
      return decoder.decode(b);
    } catch {
      throw new DecodeError('invalid UTF-8 in string');
    }
  }

  /** A list written by ByteWriter.strings; at most `max` entries. */
  strings(max = 100_000): string[] {
    const n = this.uint();
    if (n > max) throw new DecodeError(`list of ${n} strings is longer than ${max}`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }

  float(): number {
    if (this.pos + 8 > this.buf.length) throw new DecodeError('truncated float');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new DecodeError('trailing bytes');
  }
}
