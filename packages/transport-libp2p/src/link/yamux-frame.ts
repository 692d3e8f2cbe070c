/**
 * Yamux frames (https://github.com/hashicorp/yamux/blob/master/spec.md, as libp2p uses it on
 * `/yamux/1.0.0`): a 12-byte header (version 0, type, flags, stream id, length) and, for a data
 * frame, `length` bytes of data.
 *
 * Ported from @chainsafe/libp2p-yamux (frame.ts, encode.ts, decode.ts; Apache-2.0 OR MIT). The
 * decoder is new: it works on plain chunks (no Uint8ArrayList, no generator), hands out a data
 * frame that lies within one chunk as a view, and assembles one that spans chunks in a buffer of
 * its exact size, bounded by the largest receive window (a peer cannot make it allocate more).
 */

export const YAMUX_PROTOCOL_ID = '/yamux/1.0.0';
export const YAMUX_VERSION = 0;
export const HEADER_LENGTH = 12;

/** The initial stream window: fixed by the specification. */
export const INITIAL_STREAM_WINDOW = 256 * 1024;
/** The default largest stream window (windows grow towards it while a stream keeps up). */
export const MAX_STREAM_WINDOW = 16 * 1024 * 1024;

export const FrameType = { Data: 0, WindowUpdate: 1, Ping: 2, GoAway: 3 } as const;

export const Flag = { SYN: 1, ACK: 2, FIN: 4, RST: 8 } as const;

export const GoAwayCode = { NormalTermination: 0, ProtocolError: 1, InternalError: 2 } as const;
export type GoAwayCode = (typeof GoAwayCode)[keyof typeof GoAwayCode];

export interface FrameHeader {
  /** A FrameType (any byte, as read: the muxer refuses unknown types). */
  readonly type: number;
  readonly flag: number;
  readonly streamID: number;
  /** Data: the data's length; window update: the window delta; ping: its id; go away: code. */
  readonly length: number;
}

/** A violation of the protocol: the session ends with a GoAway carrying `reason`. */
export class YamuxProtocolError extends Error {
  constructor(
    message: string,
    readonly reason: GoAwayCode = GoAwayCode.ProtocolError,
  ) {
    super(message);
    this.name = 'YamuxProtocolError';
  }
}

export function writeHeader(out: Uint8Array, h: FrameHeader): void {
  out[0] = YAMUX_VERSION;
  out[1] = h.type;
  out[2] = h.flag >>> 8;
  out[3] = h.flag;
  out[4] = h.streamID >>> 24;
  out[5] = h.streamID >>> 16;
  out[6] = h.streamID >>> 8;
  out[7] = h.streamID;
  out[8] = h.length >>> 24;
  out[9] = h.length >>> 16;
  out[10] = h.length >>> 8;
  out[11] = h.length;
}

function readHeader(b: Uint8Array, o: number): FrameHeader {
  if (b[o] !== YAMUX_VERSION) throw new YamuxProtocolError(`yamux version ${b[o]}`);
  return {
    type: b[o + 1]!,
    flag: (b[o + 2]! << 8) | b[o + 3]!,
    streamID: b[o + 4]! * 2 ** 24 + ((b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!),
    length: b[o + 8]! * 2 ** 24 + ((b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!),
  };
}

/**
 * Splits the session's bytes into frames. `data` is valid only during the call unless `owned`:
 * then its buffer is ours alone (assembled here, or a view of a chunk pushed as owned).
 */
export class FrameParser {
  private readonly header = new Uint8Array(HEADER_LENGTH);
  private headerFilled = 0;
  /** A data frame whose data spans chunks. */
  private pending: { header: FrameHeader; data: Uint8Array; filled: number } | undefined;
  /** Bytes of a data frame for no stream, still to pass over unread. */
  private skip = 0;

  constructor(
    /** No data frame may be longer (the largest window a stream can grant). */
    private readonly maxDataLength: number,
    private readonly onFrame: (
      header: FrameHeader,
      data: Uint8Array | undefined,
      owned: boolean,
    ) => void,
    /**
     * How much data the frame's stream may still receive (its window), or -1 when it has no
     * stream: asked before a frame that spans chunks is assembled, so that its buffer is never
     * larger than the stream allows (a stranger's new stream: 256 KiB, not maxDataLength).
     */
    private readonly room: (header: FrameHeader) => number = () => maxDataLength,
  ) {}

  /** `owned`: the chunk's buffer is ours alone (see PlaintextSink), so views of it may be kept. */
  push(chunk: Uint8Array, owned = false): void {
    let off = 0;
    const end = chunk.length;
    while (off < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - off);
        this.skip -= n;
        off += n;
        continue;
      }
      const p = this.pending;
      if (p !== undefined) {
        const n = Math.min(p.data.length - p.filled, end - off);
        p.data.set(chunk.subarray(off, off + n), p.filled);
        p.filled += n;
        off += n;
        if (p.filled === p.data.length) {
          this.pending = undefined;
          this.onFrame(p.header, p.data, true);
        }
        continue;
      }
      let header: FrameHeader;
      if (this.headerFilled === 0 && end - off >= HEADER_LENGTH) {
        header = readHeader(chunk, off);
        off += HEADER_LENGTH;
      } else {
        const n = Math.min(HEADER_LENGTH - this.headerFilled, end - off);
        this.header.set(chunk.subarray(off, off + n), this.headerFilled);
        this.headerFilled += n;
        off += n;
        if (this.headerFilled < HEADER_LENGTH) return;
        this.headerFilled = 0;
        header = readHeader(this.header, 0);
      }
      if (header.type !== FrameType.Data) {
        this.onFrame(header, undefined, false);
        continue;
      }
      const length = header.length;
      if (length > this.maxDataLength) {
        throw new YamuxProtocolError(`data frame of ${length} bytes exceeds any receive window`);
      }
      if (end - off >= length) {
        const data = chunk.subarray(off, off + length);
        off += length;
        this.onFrame(header, data, owned);
      } else {
        const room = this.room(header);
        if (room < 0) {
          // A stream already gone (reset or closed while the remote was sending): drop it.
          this.skip = length - (end - off);
          off = end;
        } else if (length > room) {
          throw new YamuxProtocolError(`data frame of ${length} bytes exceeds its window`);
        } else {
          this.pending = { header, data: new Uint8Array(length), filled: 0 };
        }
      }
    }
  }
}
