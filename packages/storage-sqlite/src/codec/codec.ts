/**
 * A small binary codec for plain records of numbers, strings, bytes and lists, declared once
 * per shape (batch-codec.ts). Numbers are float64 (exact for every integer the store keeps, up
 * to 2^53); strings are UTF-8, each one written once per message and referred to by index after
 * (a batch repeats its leader's id in every vote); bytes are length-prefixed and come back as
 * views into the received buffer, not copies. An absent (undefined) field costs one byte.
 */

export interface Codec<T> {
  write(w: Writer, v: T): void;
  read(r: Reader): T;
}

/** Where a Writer gets its buffers (io/buffer-pool.ts reuses them; the default allocates). */
export interface Buffers {
  /** A buffer of at least `min` bytes. */
  take(min: number): ArrayBuffer;
  /** A buffer the writer outgrew. */
  give(b: ArrayBuffer): void;
}

const allocate: Buffers = {
  take: (min) => new ArrayBuffer(Math.max(256, min)),
  give: () => undefined,
};

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;
  private readonly strings = new Map<string, number>();
  private readonly utf8 = new TextEncoder();

  constructor(private readonly buffers: Buffers = allocate) {
    this.buf = new Uint8Array(buffers.take(0));
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written: a view from the start of the writer's buffer (transferable whole). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  u8(x: number): void {
    this.room(1);
    this.buf[this.at++] = x;
  }

  u32(x: number): void {
    this.room(4);
    this.view.setUint32(this.at, x, true);
    this.at += 4;
  }

  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.at, x, true);
    this.at += 8;
  }

  bytes(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.room(b.byteLength);
    this.buf.set(b, this.at);
    this.at += b.byteLength;
  }

  /** A string: the first time its UTF-8 bytes (index 0), after that its index + 1. */
  str(s: string): void {
    const seen = this.strings.get(s);
    if (seen !== undefined) {
      this.u32(seen + 1);
      return;
    }
    this.strings.set(s, this.strings.size);
    this.u32(0);
    this.room(4 + 3 * s.length);
    const { written } = this.utf8.encodeInto(s, this.buf.subarray(this.at + 4));
    this.view.setUint32(this.at, written, true);
    this.at += 4 + written;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(this.buffers.take(size));
    next.set(this.buf.subarray(0, this.at));
    this.buffers.give(this.buf.buffer as ArrayBuffer);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

export class Reader {
  private readonly view: DataView;
  private at = 0;
  private readonly strings: string[] = [];
  private readonly utf8 = new TextDecoder();

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u8(): number {
    return this.buf[this.at++]!;
  }

  u32(): number {
    const x = this.view.getUint32(this.at, true);
    this.at += 4;
    return x;
  }

  f64(): number {
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  str(): string {
    const ref = this.u32();
    if (ref > 0) return this.strings[ref - 1]!;
    const n = this.u32();
    const s = this.utf8.decode(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    this.strings.push(s);
    return s;
  }
}

export const num: Codec<number> = { write: (w, v) => w.f64(v), read: (r) => r.f64() };

export const str: Codec<string> = { write: (w, v) => w.str(v), read: (r) => r.str() };

export const bytes: Codec<Uint8Array> = { write: (w, v) => w.bytes(v), read: (r) => r.bytes() };

export function list<T>(item: Codec<T>): Codec<T[]> {
  return {
    write(w, v) {
      w.u32(v.length);
      for (const x of v) item.write(w, x);
    },
    read(r) {
      const n = r.u32();
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r);
      return out;
    },
  };
}

/** One codec per field, every field of T named (the compiler checks that none is missing). */
export type Fields<T> = { readonly [K in keyof T]-?: Codec<Exclude<T[K], undefined>> };

/** A record of T's fields, in the order declared; an undefined field is absent when read. */
export function record<T extends object>(fields: Fields<T>): Codec<T> {
  const keys = Object.keys(fields);
  const codecs: Codec<unknown>[] = Object.values<Codec<unknown>>(fields);
  const n = keys.length;
  return {
    write(w, v) {
      const o = v as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const x = o[keys[i]!];
        if (x === undefined) {
          w.u8(0);
        } else {
          w.u8(1);
          codecs[i]!.write(w, x);
        }
      }
    },
    read(r) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) if (r.u8() === 1) o[keys[i]!] = codecs[i]!.read(r);
      return o as T;
    },
  };
}

/** `value` as bytes, in a buffer from `buffers`. */
export function encode<T>(codec: Codec<T>, value: T, buffers?: Buffers): Uint8Array {
  const w = new Writer(buffers);
  codec.write(w, value);
  return w.finish();
}

export function decode<T>(codec: Codec<T>, buf: Uint8Array): T {
  return codec.read(new Reader(buf));
}
