/**
 * One protocol stream to or from a peer, with its framing. Both directions use the same code:
 * a peer writes its messages (and pings) on the stream it opened, and answers pings with pongs
 * on the stream the other peer opened. So each stream mostly flows one way, and a round trip
 * measured by ping/pong uses exactly the path the messages take.
 *
 * Writing is bounded: `write` refuses frames once the stream's own write buffer holds
 * `maxBufferedBytes` (libp2p streams buffer without limit when the muxer is full, and
 * `stream.onDrain()` resolves at once after the first drain, so it cannot be relied on).
 */
import type { Logger, Stream } from '@libp2p/interface';
import type { PeerId } from '@synod/core';
import { decodeFrameBody, WIRE_VERSION, type DecodedFrame } from './frame-codec.js';
import { FrameDecoder } from './frame-decoder.js';
import { YamuxStream } from './link/yamux-stream.js';
import type { DropReason, TransportMetrics } from './metrics.js';

export type DecodedOk = Extract<DecodedFrame, { ok: true }>;

/**
 * The longest frame a stream may send before it names its log: its header holds the log id
 * (at most 256 characters) and little else. Until then the stream belongs to no log, so a log's
 * bound of one inbound stream per peer does not hold it; with frames of maxFrameBytes, a member
 * opening many streams made this peer assemble a frame on each (review6).
 */
export const MAX_HEADER_FRAME_BYTES = 4096;

export interface ChannelHost {
  readonly maxFrameBytes: number;
  readonly metrics: TransportMetrics;
  readonly log: Logger;
  /** A valid frame arrived on `channel`. */
  onFrame(channel: Channel, frame: DecodedOk): void;
  /** A frame from `channel` was dropped (already counted). */
  onDrop?(channel: Channel, reason: DropReason, detail: string): void;
  /** `channel` was aborted because its framing broke (already counted). */
  onBadStream?(channel: Channel, reason: string): void;
}

export class Channel {
  /** performance.now() when a frame last arrived on this stream, or -1. */
  lastReceived = -1;
  /** performance.now() when the stream was attached. */
  readonly openedAt: number;
  private readonly decoder: FrameDecoder;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];
  /** Waiting for the stream to drain (see whenWritable), and the stream listener to call them. */
  private writableWaiters: (() => void)[] = [];
  private readonly writable = () => {
    this.stream.removeEventListener('drain', this.writable);
    this.stream.removeEventListener('idle', this.writable);
    for (const l of this.writableWaiters.splice(0)) l();
  };

  constructor(
    readonly peer: PeerId,
    readonly stream: Stream,
    private readonly host: ChannelHost,
    /** The wire version of the stream's protocol: its frames carry it, others are dropped. */
    readonly version: number = WIRE_VERSION,
    /**
     * The log this stream carries: known when it was opened (ours), or named by its header (the
     * remote's; until then undefined, see name()). See protocols.ts.
     */
    private log: string | undefined = undefined,
  ) {
    this.openedAt = performance.now();
    const limit = log === undefined ? MAX_HEADER_FRAME_BYTES : Infinity;
    this.decoder = new FrameDecoder(Math.min(limit, host.maxFrameBytes), {
      frame: (body, owned) => this.onBody(body, owned),
      oversized: (length) => this.drop('oversized', `frame of ${length} bytes`),
      fatal: (reason) => {
        host.metrics.streamsAborted++;
        host.log.error('aborting stream from %s: %s', peer, reason);
        this.abort(new Error(reason));
        host.onBadStream?.(this, reason);
      },
    });
    stream.addEventListener('message', (evt) => {
      host.metrics.bytesReceived += evt.data.byteLength;
      this.decoder.push(evt.data);
    });
    // Over this package's yamux, frames come straight from the muxer (no event per frame);
    // what it cannot hand over now still comes as 'message' events, above.
    if (stream instanceof YamuxStream) {
      stream.sink = (data, owned) => {
        host.metrics.bytesReceived += data.byteLength;
        this.decoder.push(data, owned);
      };
    }
    stream.addEventListener('close', () => this.onClosed());
    if (stream.status !== 'open') queueMicrotask(() => this.onClosed());
  }

  /** The log this stream carries, if known (see the constructor). */
  get logId(): string | undefined {
    return this.log;
  }

  /** The stream's header named its log: frames up to the full limit may follow. */
  name(logId: string): void {
    this.log = logId;
    this.decoder.maxFrameBytes = this.host.maxFrameBytes;
  }

  get isOpen(): boolean {
    return !this.closed && this.stream.writeStatus === 'writable';
  }

  /** Bytes written to the stream but not yet taken by the muxer. */
  get queuedBytes(): number {
    return this.closed ? 0 : this.stream.writeBufferLength;
  }

  /**
   * Write frames, all or none. Refuses (false) when the stream is not writable, or when its
   * buffer already holds data and the frames would take it past `maxBufferedBytes`: an empty
   * buffer always takes one send's frames, so a frame up to maxFrameBytes is never stuck.
   */
  write(frames: readonly Uint8Array[], maxBufferedBytes: number): boolean {
    if (!this.isOpen) return false;
    let size = 0;
    for (const f of frames) size += f.length;
    const queued = this.stream.writeBufferLength;
    if (queued > 0 && queued + size > maxBufferedBytes) return false;
    try {
      for (const f of frames) this.stream.send(f);
    } catch (err) {
      // The stream closed under us (remote reset): the 'close' event follows.
      this.host.log('write to %s failed: %s', this.peer, err instanceof Error ? err.message : err);
      return false;
    }
    return true;
  }

  /**
   * Call `listener` once, when the stream's buffer next drains (to clear a congestion flag).
   * The stream's 'drain' and 'idle' events are listened to only meanwhile: 'idle' follows
   * every write, and an event nobody listens to is not even built (link/).
   */
  whenWritable(listener: () => void): void {
    if (this.closed) return;
    if (this.writableWaiters.length === 0) {
      this.stream.addEventListener('drain', this.writable);
      this.stream.addEventListener('idle', this.writable);
    }
    this.writableWaiters.push(listener);
  }

  onClose(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  abort(err: Error): void {
    if (this.closed) return;
    try {
      this.stream.abort(err);
    } catch {
      // Already gone.
    }
    this.onClosed();
  }

  /** Close our writing end gracefully (flushes what is queued). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.stream.close({ signal: AbortSignal.timeout(1000) });
    } catch {
      this.abort(new Error('close timed out'));
    }
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.decoder.idle && !this.decoder.isFailed) {
      this.drop('truncated', 'stream ended inside a frame');
    }
    for (const l of this.closeListeners.splice(0)) {
      try {
        l();
      } catch (err) {
        this.host.log.error('close listener failed: %e', err);
      }
    }
  }

  private onBody(body: Uint8Array, owned: boolean): void {
    const frame = decodeFrameBody(body, owned, this.version);
    if (!frame.ok) {
      this.drop(frame.reason, frame.detail);
      return;
    }
    this.lastReceived = performance.now();
    if (frame.unknown > 0) this.host.metrics.unknownMessages += frame.unknown;
    this.host.onFrame(this, frame);
  }

  private drop(reason: DropReason, detail: string): void {
    this.host.metrics.framesDropped[reason]++;
    this.host.log.error('dropped a frame from %s (%s): %s', this.peer, reason, detail);
    this.host.onDrop?.(this, reason, detail);
  }
}
