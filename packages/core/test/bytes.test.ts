/**
 * The byte layer (src/bytes.ts): varints of every size, the 64-bit forms protobuf needs, nested
 * limits, and strings (with the repeated-string cache) decode exactly what was encoded.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, utf8Length, varintSize } from '../src/bytes.js';
import { DecodeError, InvalidArgumentError } from '../src/errors.js';

describe('byte layer', () => {
  it('writes and reads every safe unsigned integer, in varintSize bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.constantFrom(0, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 53 - 1),
        ),
        (n) => {
          const w = new ByteWriter(1).uint(n);
          expect(w.length).toBe(varintSize(n));
          const r = new ByteReader(w.finish());
          expect(r.uint()).toBe(n);
          expect(new ByteReader(w.finish()).uint64()).toBe(n);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes integers past 2^53 that a double holds exactly (zigzag of safe integers)', () => {
    for (const n of [2 ** 53, 2 ** 54 - 2, 2 ** 63, 2 ** 64 - 2 ** 11]) {
      const bytes = new ByteWriter().uint64(n).finish();
      expect(bytes.length).toBe(varintSize(n));
      expect(new ByteReader(bytes).uint64()).toBe(n);
      // The safe-integer reader refuses it.
      expect(() => new ByteReader(bytes).uint()).toThrow(DecodeError);
    }
    expect(() => new ByteWriter().uint(2 ** 53)).toThrow(InvalidArgumentError);
    expect(() => new ByteWriter().uint64(2 ** 64)).toThrow(InvalidArgumentError);
    expect(() => new ByteWriter().uint64(-1)).toThrow(InvalidArgumentError);
  });

  it('varintSize refuses what no varint holds (NaN and -1 got a size, Infinity looped for ever)', () => {
    // Infinity last: before the fix it never returned, and the cases before it failed first.
    for (const n of [NaN, -1, -0.5, 1.5, 2 ** 31 + 0.5, 2 ** 64, '5', -Infinity, Infinity]) {
      expect(() => varintSize(n as number), String(n)).toThrow(InvalidArgumentError);
    }
    // Every size at its edges still.
    for (let bytes = 1; bytes <= 10; bytes++) {
      const first = bytes === 1 ? 0 : 2 ** (7 * (bytes - 1));
      expect(varintSize(first)).toBe(bytes);
      if (bytes < 8) expect(varintSize(2 ** (7 * bytes) - 1)).toBe(bytes);
    }
    expect(varintSize(-0)).toBe(1);
    expect(varintSize(2 ** 31 - 1)).toBe(5);
    expect(varintSize(2 ** 31)).toBe(5);
  });

  it('refuses positions outside the buffer and negative or NaN lengths (they read undefined as 0)', () => {
    const buf = Uint8Array.of(1, 2, 3);
    for (const [start, end] of [
      [-1, 3],
      [0, 4],
      [2, 1],
      [NaN, 3],
      [0.5, 3],
    ]) {
      expect(() => new ByteReader(buf, start, end), `${start}..${end}`).toThrow(
        InvalidArgumentError,
      );
    }
    for (const n of [-1, NaN]) {
      expect(() => new ByteReader(buf).raw(n), String(n)).toThrow(InvalidArgumentError);
      expect(() => new ByteReader(buf).skip(n), String(n)).toThrow(InvalidArgumentError);
      expect(() => new ByteReader(buf).limit(n), String(n)).toThrow(InvalidArgumentError);
    }
    // Past the end is malformed input, as before.
    expect(() => new ByteReader(buf).raw(4)).toThrow(DecodeError);
    expect(() => new ByteReader(buf).raw(2 ** 64)).toThrow(DecodeError);
    for (const [size, offset] of [
      [-1, 0],
      [NaN, 0],
      [4, -1],
      [4, 5],
    ]) {
      expect(() => new ByteWriter(size, offset), `${size} from ${offset}`).toThrow(
        InvalidArgumentError,
      );
    }
    expect(() => new ByteWriter(buf, 4)).toThrow(InvalidArgumentError);
    expect(new ByteWriter(buf, 3).byte(7).finish()).toEqual(Uint8Array.of(1, 2, 3, 7));
  });

  it('refuses truncated and overlong varints', () => {
    expect(() => new ByteReader(Uint8Array.of(0x80)).uint64()).toThrow(/truncated/);
    expect(() => new ByteReader(new Uint8Array(11).fill(0x80)).uint64()).toThrow(/10 bytes/);
    expect(() => new ByteReader(new Uint8Array(9).fill(0x80)).uint()).toThrow(/too long/);
  });

  it('reads nested structures within their limit only', () => {
    const bytes = new ByteWriter()
      .uint(3)
      .raw(Uint8Array.of(1, 2, 3))
      .byte(9)
      .finish();
    const r = new ByteReader(bytes);
    const outer = r.limit(r.uint());
    expect([r.byte(), r.byte(), r.byte()]).toEqual([1, 2, 3]);
    expect(r.done).toBe(true);
    expect(() => r.byte()).toThrow(DecodeError);
    r.unlimit(outer);
    expect(r.byte()).toBe(9);
    r.end();
    expect(() => new ByteReader(Uint8Array.of(5, 1)).limit(5)).toThrow(/past the end/);
  });

  it('round-trips strings, measures their UTF-8 exactly, and refuses invalid UTF-8', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { maxLength: 5 }),
        (ss) => {
          const w = new ByteWriter(4);
          for (const s of ss) w.string(s);
          const r = new ByteReader(w.finish());
          for (const s of ss) {
            const want = new TextDecoder().decode(new TextEncoder().encode(s));
            expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
            // Twice in a row: the second comes from the cache.
            expect(r.string()).toBe(want);
          }
          r.end();
        },
      ),
      { numRuns: 300 },
    );
    expect(() => new ByteReader(Uint8Array.of(2, 0xc3, 0x28)).string()).toThrow(/UTF-8/);
  });

  it('writes into a given buffer and hands out what it wrote without copying', () => {
    const buf = new Uint8Array(8);
    const w = new ByteWriter(buf, 2).byte(7).float(1.5);
    expect(w.length).toBe(11);
    // It grew past the given buffer (by copying), and the double reads back.
    const r = new ByteReader(w.written(), 3);
    expect(r.float()).toBe(1.5);
    const exact = new Uint8Array(3);
    const v = new ByteWriter(exact).uint(300).byte(1).written();
    expect(v.buffer).toBe(exact.buffer);
    expect([...v]).toEqual([0xac, 0x02, 1]);
  });
});
