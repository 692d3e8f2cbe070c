/**
 * Splits a byte stream into frame bodies (varint length prefix, docs/wire-format.md), in a few
 * lines and without exceptions on the hot path: @libp2p/utils' LengthPrefixedDecoder throws and
 * catches at every chunk end, which costs 8-10 µs per chunk.
 *
 * A body that lies inside one chunk is passed on as a view (no copy); one that spans chunks is
 * assembled once. An oversized frame is skipped byte by byte without buffering, so the stream
 * stays in step and goes on. Only a header that is not a varint at all (more than
 * MAX_VARINT_BYTES bytes) loses the framing for good: the decoder then fails and the caller
 * aborts the stream.
 */
import type { Uint8ArrayList } from 'uint8arraylist';
import { MAX_VARINT_BYTES } from './varint.js';

export interface FrameDecoderEvents {
  /** A complete frame body. Valid only during the call: copy what must outlive it. */
  frame(body: Uint8Array): void;
  /** A frame longer than the limit was skipped (reported once, when its header is read). */
  oversized(length: number): void;
  /** The framing is lost; nothing more will be decoded. */
  fatal(reason: string): void;
}

export class FrameDecoder {
  private headerValue = 0;
  private headerMul = 1;
  private headerBytes = 0;
  /** Length of the body being read, or -1 while reading a header. */
  private bodyLength = -1;
  private body: Uint8Array | undefined;
  private bodyFilled = 0;
  private skip = 0;
  private failed = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly events: FrameDecoderEvents,
  ) {}

  /** True between frames: the stream may end here without losing anything. */
  get idle(): boolean {
    return this.bodyLength < 0 && this.headerBytes === 0 && this.skip === 0;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  push(data: Uint8Array | Uint8ArrayList): void {
    if (data instanceof Uint8Array) {
      this.feed(data);
    } else {
      for (const chunk of data) {
        if (this.failed) return;
        this.feed(chunk);
      }
    }
  }

  private feed(chunk: Uint8Array): void {
    let off = 0;
    const end = chunk.length;
    while (off < end && !this.failed) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - off);
        this.skip -= n;
        off += n;
        continue;
      }
      if (this.bodyLength < 0) {
        const b = chunk[off++]!;
        this.headerValue += (b & 0x7f) * this.headerMul;
        this.headerMul *= 0x80;
        this.headerBytes++;
        if (b >= 0x80) {
          if (this.headerBytes >= MAX_VARINT_BYTES) {
            this.failed = true;
            this.events.fatal(`frame header longer than ${MAX_VARINT_BYTES} bytes`);
          }
          continue;
        }
        const len = this.headerValue;
        this.headerValue = 0;
        this.headerMul = 1;
        this.headerBytes = 0;
        if (len > this.maxFrameBytes) {
          this.skip = len;
          this.events.oversized(len);
          continue;
        }
        if (len === 0) {
          this.events.frame(chunk.subarray(0, 0));
          continue;
        }
        this.bodyLength = len;
        this.bodyFilled = 0;
        continue;
      }
      const need = this.bodyLength - this.bodyFilled;
      if (this.bodyFilled === 0 && end - off >= need) {
        // The whole body is in this chunk: hand out a view.
        const body = chunk.subarray(off, off + need);
        off += need;
        this.bodyLength = -1;
        this.events.frame(body);
        continue;
      }
      this.body ??= new Uint8Array(this.bodyLength);
      const n = Math.min(need, end - off);
      this.body.set(chunk.subarray(off, off + n), this.bodyFilled);
      this.bodyFilled += n;
      off += n;
      if (this.bodyFilled === this.bodyLength) {
        const body = this.body;
        this.body = undefined;
        this.bodyLength = -1;
        this.bodyFilled = 0;
        this.events.frame(body);
      }
    }
  }
}
