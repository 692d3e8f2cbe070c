/**
 * Splits a byte stream into frame bodies (varint length prefix, docs/wire-format.md), in a few
 * lines and without exceptions on the hot path: @libp2p/utils' LengthPrefixedDecoder throws and
 * catches at every chunk end, which costs 8-10 µs per chunk.
 *
 * A body that lies inside one chunk is passed on as a view (no copy); one that spans chunks is
 * assembled once. An oversized frame is skipped byte by byte without buffering, so the stream
 * stays in step and goes on. Only a header that is not a varint at all (more than
 * MAX_HEADER_BYTES bytes) loses the framing for good: the decoder then fails and the caller
 * aborts the stream.
 */
import { ByteReader } from '@synod/core';
import type { Uint8ArrayList } from 'uint8arraylist';

/** The most bytes a length prefix may take: 8 bytes hold 56 bits, beyond any frame we skip. */
export const MAX_HEADER_BYTES = 8;

/** Whether a varint ends within buf[pos, end) (within MAX_HEADER_BYTES). */
function varintEnds(buf: Uint8Array, pos: number, end: number): boolean {
  const stop = Math.min(end, pos + MAX_HEADER_BYTES);
  for (let i = pos; i < stop; i++) if (buf[i]! < 0x80) return true;
  return false;
}

export interface FrameDecoderEvents {
  /**
   * A complete frame body. `owned`: the body may be kept as it is (assembled from several
   * chunks, or most of a buffer pushed as owned); otherwise it is a view of a chunk, valid only
   * during the call (copy what must outlive it).
   */
  frame(body: Uint8Array, owned: boolean): void;
  /** A frame longer than the limit was skipped (reported once, when its header is read). */
  oversized(length: number): void;
  /** The framing is lost; nothing more will be decoded. */
  fatal(reason: string): void;
}

export class FrameDecoder {
  /** A length prefix split across chunks, and how many of its bytes arrived. */
  private readonly header = new Uint8Array(MAX_HEADER_BYTES);
  private headerBytes = 0;
  /** Length of the body being read, or -1 while reading a header. */
  private bodyLength = -1;
  private body: Uint8Array | undefined;
  private bodyFilled = 0;
  private skip = 0;
  private failed = false;

  constructor(
    /** The longest body taken; a caller may change it between frames (channel.ts). */
    public maxFrameBytes: number,
    private readonly events: FrameDecoderEvents,
  ) {}

  /** True between frames: the stream may end here without losing anything. */
  get idle(): boolean {
    return this.bodyLength < 0 && this.headerBytes === 0 && this.skip === 0;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /**
   * `owned`: data's buffer is ours alone (nothing else refers to it or will write it: a
   * decrypted record, a reassembled yamux frame), so a body inside it may be kept without a
   * copy when it is most of that buffer (it then pins at most twice its own size).
   */
  push(data: Uint8Array | Uint8ArrayList, owned = false): void {
    if (data instanceof Uint8Array) {
      this.feed(data, owned);
    } else {
      for (const chunk of data) {
        if (this.failed) return;
        this.feed(chunk, false);
      }
    }
  }

  private fail(reason: string): void {
    this.failed = true;
    this.events.fatal(reason);
  }

  /** The next frame's length, or -1 when the chunk ends inside its prefix (kept for later). */
  private readLength(r: ByteReader): number {
    if (this.headerBytes === 0 && varintEnds(r.buf, r.pos, r.endPos)) return r.uint();
    // A prefix split across chunks: gather its bytes, then read them.
    const b = r.byte();
    this.header[this.headerBytes++] = b;
    if (b >= 0x80) {
      if (this.headerBytes >= MAX_HEADER_BYTES) {
        throw new RangeError(`frame header longer than ${MAX_HEADER_BYTES} bytes`);
      }
      return -1;
    }
    const n = this.headerBytes;
    this.headerBytes = 0;
    return new ByteReader(this.header, 0, n).uint();
  }

  private feed(chunk: Uint8Array, owned: boolean): void {
    const r = new ByteReader(chunk);
    while (!r.done && !this.failed) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, r.remaining);
        this.skip -= n;
        r.skip(n);
        continue;
      }
      if (this.bodyLength < 0) {
        let len: number;
        try {
          len = this.readLength(r);
        } catch (err) {
          this.fail(err instanceof Error ? err.message : String(err));
          return;
        }
        if (len < 0) continue;
        if (len > this.maxFrameBytes) {
          this.skip = len;
          this.events.oversized(len);
          continue;
        }
        if (len === 0) {
          this.events.frame(chunk.subarray(0, 0), false);
          continue;
        }
        this.bodyLength = len;
        this.bodyFilled = 0;
        continue;
      }
      const need = this.bodyLength - this.bodyFilled;
      if (this.bodyFilled === 0 && r.remaining >= need) {
        // The whole body is in this chunk: hand out a view.
        const body = r.raw(need);
        this.bodyLength = -1;
        this.events.frame(body, owned && 2 * body.byteLength >= body.buffer.byteLength);
        continue;
      }
      this.body ??= new Uint8Array(this.bodyLength);
      const part = r.raw(Math.min(need, r.remaining));
      this.body.set(part, this.bodyFilled);
      this.bodyFilled += part.length;
      if (this.bodyFilled === this.bodyLength) {
        const body = this.body;
        this.body = undefined;
        this.bodyLength = -1;
        this.bodyFilled = 0;
        this.events.frame(body, true);
      }
    }
  }
}
