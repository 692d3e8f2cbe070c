/**
 * One yamux stream. Ported from @chainsafe/libp2p-yamux (stream.ts; Apache-2.0 OR MIT), with one
 * change that could be offered upstream as it stands:
 *
 * **A window update once half the window is used, not after every data frame.** Upstream's
 * `sendWindowUpdate` runs after each data frame and sends an update whenever any of the window
 * was used, so every frame the remote sends costs a frame back: a second socket write and
 * wake-up at each end, and a record to encrypt and decrypt. hashicorp/yamux and go-yamux
 * (`recvBuf.GrowTo`) send one only when the unused delta reaches half the window; so does this.
 * The remote never stalls on it: half the window is still open when the update goes out. The
 * auto-tuning is go-yamux's: when a half window was consumed within 4 RTTs, the window doubles
 * (up to maxStreamWindowSize).
 */
import type { AbortOptions, MessageStreamEvents } from '@libp2p/interface';
import { AbstractStream, type AbstractStreamInit, type SendResult } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';
import {
  Flag,
  FrameType,
  HEADER_LENGTH,
  YamuxProtocolError,
  type FrameHeader,
} from './yamux-frame.js';

export enum StreamState {
  Init,
  SYNSent,
  SYNReceived,
  Established,
  Finished,
  Paused,
}

export interface YamuxStreamInit extends AbstractStreamInit {
  streamId: number;
  state: StreamState;
  initialStreamWindowSize: number;
  maxStreamWindowSize: number;
  /** Send a frame; data frames carry `data` (one buffer: header and data are written together). */
  sendFrame: (header: FrameHeader, data?: Uint8Array | Uint8ArrayList) => boolean;
  /** The session's measured round trip (ms), or -1. */
  getRTT: () => number;
  /**
   * True while the connection under the muxer waits for a drain: data then stays in this
   * stream's own buffer (which its writer bounds), so that only control frames ever queue below
   * the muxer (see YamuxMuxer's CONTROL_BACKLOG).
   */
  connectionFull: () => boolean;
}

export class YamuxStream extends AbstractStream {
  /**
   * Set by a reader of this package (channel.ts) that takes each data frame directly, without a
   * 'message' event on an Uint8ArrayList; data it cannot take now (paused, or behind buffered
   * data) still goes the event way. `owned`: the data's buffer is ours alone, so views of it may
   * be kept (see PlaintextSink in noise-records.ts).
   */
  sink: ((data: Uint8Array, owned: boolean) => void) | undefined;
  readonly streamId: number;
  state: StreamState;
  /** Bytes we may still send before the remote grants more. */
  private sendWindowCapacity: number;
  /** The window we grant, and how much of it is unused. */
  private recvWindow: number;
  private recvWindowCapacity: number;
  private readonly maxStreamWindowSize: number;
  /** When the last window update went out (auto-tuning). */
  private epochStart: number;
  private readonly getRTT: () => number;
  private readonly sendFrame: YamuxStreamInit['sendFrame'];
  private readonly connectionFull: () => boolean;

  constructor(init: YamuxStreamInit) {
    super({ ...init, maxMessageSize: init.initialStreamWindowSize - HEADER_LENGTH });
    this.streamId = init.streamId;
    this.state = init.state;
    this.sendWindowCapacity = init.initialStreamWindowSize;
    this.recvWindow = init.initialStreamWindowSize;
    this.recvWindowCapacity = this.recvWindow;
    this.maxStreamWindowSize = init.maxStreamWindowSize;
    this.epochStart = Date.now();
    this.getRTT = init.getRTT;
    this.sendFrame = init.sendFrame;
    this.connectionFull = init.connectionFull;
    this.addEventListener('close', () => {
      this.state = StreamState.Finished;
    });
  }

  /** Bytes the remote may still send before this stream grants more (its window left). */
  get receiveWindowLeft(): number {
    return this.recvWindowCapacity;
  }

  /**
   * Send as much as the remote's window allows; the rest waits for a window update, or for the
   * connection to drain (the muxer's 'drain' then resumes this stream).
   */
  sendData(buf: Uint8ArrayList): SendResult {
    let sentBytes = 0;
    let canSendMore = true;
    while (buf.byteLength > 0) {
      if (this.sendWindowCapacity === 0 || this.connectionFull()) {
        canSendMore = false;
        break;
      }
      const n = Math.min(this.sendWindowCapacity, buf.byteLength);
      const data = buf.sublist(0, n);
      buf.consume(n);
      const more = this.sendFrame(
        { type: FrameType.Data, flag: this.getSendFlags(), streamID: this.streamId, length: n },
        data,
      );
      this.sendWindowCapacity -= n;
      sentBytes += n;
      if (!more) {
        canSendMore = false;
        break;
      }
    }
    return { sentBytes, canSendMore };
  }

  /**
   * Send straight through when nothing is queued and the window allows (the common case): what
   * processSendQueue would do, without its Uint8ArrayList copies. Otherwise queue as the base
   * class does.
   */
  override send(data: Uint8Array | Uint8ArrayList): boolean {
    const n = data.byteLength;
    if (
      !(data instanceof Uint8Array) ||
      n === 0 ||
      n > this.sendWindowCapacity ||
      n > (this.maxMessageSize ?? Infinity) ||
      this.writeBuffer.byteLength > 0 ||
      this.sendingData ||
      this.writableNeedsDrain ||
      this.writeStatus !== 'writable' ||
      this.connectionFull()
    ) {
      return super.send(data);
    }
    this.sendingData = true;
    let more: boolean;
    try {
      more = this.sendFrame(
        { type: FrameType.Data, flag: this.getSendFlags(), streamID: this.streamId, length: n },
        data,
      );
    } catch (err) {
      this.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      this.sendingData = false;
    }
    this.sendWindowCapacity -= n;
    if (!more) this.writableNeedsDrain = true;
    this.safeDispatchEvent('idle');
    return more;
  }

  /** Build an event only if someone listens ('idle' follows every send). */
  override safeDispatchEvent(
    type: keyof MessageStreamEvents,
    detail?: Parameters<AbstractStream['safeDispatchEvent']>[1],
  ): boolean {
    return this.listenerCount(type) === 0 || super.safeDispatchEvent(type, detail);
  }

  sendReset(): void {
    this.sendFrame({
      type: FrameType.WindowUpdate,
      flag: Flag.RST,
      streamID: this.streamId,
      length: 0,
    });
  }

  sendCloseWrite(): Promise<void> {
    this.sendFrame({
      type: FrameType.WindowUpdate,
      flag: this.getSendFlags() | Flag.FIN,
      streamID: this.streamId,
      length: 0,
    });
    return Promise.resolve();
  }

  /** Yamux has no half-close of reading. */
  sendCloseRead(options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    return Promise.resolve();
  }

  /** Stop granting window: the remote's window runs out and it stops sending. */
  sendPause(): void {
    this.state = StreamState.Paused;
  }

  sendResume(): void {
    this.state = StreamState.Established;
    this.sendWindowUpdate();
  }

  handleWindowUpdate(header: FrameHeader): void {
    this.processFlags(header.flag);
    this.sendWindowCapacity += header.length;
    // The superclass cuts writes into pieces of maxMessageSize.
    this.maxMessageSize = Math.max(0, this.sendWindowCapacity - HEADER_LENGTH);
    if (this.maxMessageSize === 0) return;
    if (this.writeBuffer.byteLength > 0) this.safeDispatchEvent('drain');
  }

  /** `owned`: data's buffer is ours alone (see PlaintextSink in noise-records.ts). */
  handleData(header: FrameHeader, data: Uint8Array, owned = false): void {
    this.processFlags(header.flag);
    if (this.recvWindowCapacity < header.length) {
      throw new YamuxProtocolError('receive window exceeded');
    }
    this.recvWindowCapacity -= header.length;
    const sink = this.sink;
    if (
      sink !== undefined &&
      data.length > 0 &&
      this.readStatus === 'readable' &&
      this.readBuffer.byteLength === 0
    ) {
      sink(data, owned);
    } else {
      this.onData(data);
    }
    this.sendWindowUpdate();
  }

  private processFlags(flags: number): void {
    if ((flags & Flag.ACK) === Flag.ACK && this.state === StreamState.SYNSent) {
      this.state = StreamState.Established;
    }
    if ((flags & Flag.FIN) === Flag.FIN) this.onRemoteCloseWrite();
    if ((flags & Flag.RST) === Flag.RST) this.onRemoteReset();
  }

  /** SYN on our first frame, ACK on our first answer; the state moves on as a side effect. */
  private getSendFlags(): number {
    switch (this.state) {
      case StreamState.Init:
        this.state = StreamState.SYNSent;
        return Flag.SYN;
      case StreamState.SYNReceived:
        this.state = StreamState.Established;
        return Flag.ACK;
      default:
        return 0;
    }
  }

  /** Grant the remote more window, once half of it is used (or to carry SYN/ACK). */
  sendWindowUpdate(): void {
    if (this.state === StreamState.Paused) {
      // Measure the next epoch from the resume, not from before the pause.
      this.epochStart = Date.now();
      return;
    }
    const flags = this.getSendFlags();
    if (flags === 0 && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return;
    const now = Date.now();
    const rtt = this.getRTT();
    if (flags === 0 && rtt > -1 && now - this.epochStart <= rtt * 4) {
      this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize);
    }
    const delta = this.recvWindow - this.recvWindowCapacity;
    this.recvWindowCapacity = this.recvWindow;
    this.epochStart = now;
    this.sendFrame({
      type: FrameType.WindowUpdate,
      flag: flags,
      streamID: this.streamId,
      length: delta,
    });
  }
}
