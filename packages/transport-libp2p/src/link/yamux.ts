/**
 * The yamux stream muxer (`/yamux/1.0.0`), wire-compatible with @chainsafe/libp2p-yamux: a stock
 * js-libp2p node negotiates it unchanged. Ported from @chainsafe/libp2p-yamux (muxer.ts;
 * Apache-2.0 OR MIT) onto the same @libp2p/utils base classes, so streams behave as libp2p's
 * own (close, reset, pause, backpressure, early streams, limits, keep-alive pings, GoAway).
 *
 * What differs, each written so that it could be offered upstream on its own:
 * - a data frame goes out as one buffer (header and data), not a two-entry Uint8ArrayList that
 *   each layer below copies or writes separately;
 * - the frame parser works on plain chunks (yamux-frame.ts);
 * - window updates once half a window is used (yamux-stream.ts), as hashicorp/yamux does;
 * - over this package's Noise (noise-records.ts) the muxer takes the plaintext directly, without
 *   a 'message' event and an Uint8ArrayList per record (ours alone).
 */
import {
  InvalidParametersError,
  MuxerClosedError,
  serviceCapabilities,
  TooManyOutboundProtocolStreamsError,
  type AbortOptions,
  type MessageStream,
  type StreamMuxerFactory,
} from '@libp2p/interface';
import { AbstractStreamMuxer, repeatingTask, type RepeatingTask } from '@libp2p/utils';
import { raceSignal } from 'race-signal';
import { Uint8ArrayList } from 'uint8arraylist';
import { NoiseRecordStream } from './noise-records.js';
import {
  Flag,
  FrameParser,
  FrameType,
  GoAwayCode,
  HEADER_LENGTH,
  INITIAL_STREAM_WINDOW,
  MAX_STREAM_WINDOW,
  writeHeader,
  YAMUX_PROTOCOL_ID,
  YamuxProtocolError,
  type FrameHeader,
} from './yamux-frame.js';
import { StreamState, YamuxStream } from './yamux-stream.js';

/** Frames at least this large are not joined into one buffer here (see sendFrame). */
const JOIN_BELOW = 4096;

/**
 * The most bytes of control frames (window updates, pings, resets, SYN/FIN) that may wait below
 * the muxer for the connection to drain; past it, the remote is taken to read nothing and the
 * connection is closed. Streams hold their data back while the connection is full
 * (YamuxStream's connectionFull), so only control frames queue there, and an honest peer's are
 * a few per stream. Without the bound, a peer that floods pings or stream opens and never reads
 * made this end queue every answer (review6; HTTP/2's "ping flood", CVE-2019-9512).
 */
export const CONTROL_BACKLOG = 256 * 1024;

export interface YamuxOptions {
  /** Ping the session every keepAliveInterval ms (default true, 30 s); measures the RTT. */
  enableKeepAlive?: boolean;
  keepAliveInterval?: number;
  /** Streams the remote may open at once (default 1000); beyond that they are reset. */
  maxInboundStreams?: number;
  maxOutboundStreams?: number;
  /** Remote streams kept before a 'stream' listener exists (default 10). */
  maxEarlyStreams?: number;
  streamOptions?: {
    /** The window a stream starts with: 256 KiB by the specification (at least that). */
    initialStreamWindowSize?: number;
    /** The largest a window grows to (default 16 MiB). */
    maxStreamWindowSize?: number;
    inactivityTimeout?: number;
    maxReadBufferLength?: number;
    maxWriteBufferLength?: number;
  };
}

/** The muxer factory (`streamMuxers: [yamuxMuxer()]`). */
export function yamuxMuxer(options: YamuxOptions = {}): () => StreamMuxerFactory {
  if (options.keepAliveInterval !== undefined && options.keepAliveInterval <= 0) {
    throw new InvalidParametersError('keep-alive interval must be positive');
  }
  const initial = options.streamOptions?.initialStreamWindowSize ?? INITIAL_STREAM_WINDOW;
  const max = options.streamOptions?.maxStreamWindowSize ?? MAX_STREAM_WINDOW;
  if (initial < INITIAL_STREAM_WINDOW) {
    throw new InvalidParametersError('initialStreamWindowSize must be at least 256 KiB');
  }
  if (max < initial || max > 2 ** 32 - 1) {
    throw new InvalidParametersError('maxStreamWindowSize must lie in [initial window, 2^32)');
  }
  return () => ({
    protocol: YAMUX_PROTOCOL_ID,
    [Symbol.toStringTag]: '@synod/yamux',
    [serviceCapabilities]: ['@libp2p/stream-multiplexing'],
    createStreamMuxer: (maConn: MessageStream) => new YamuxMuxer(maConn, options, initial, max),
  });
}

interface ActivePing {
  id: number;
  start: number;
  promise: Promise<number>;
  resolve(rtt: number): void;
}

export class YamuxMuxer extends AbstractStreamMuxer<YamuxStream> {
  private nextStreamID: number;
  private nextPingID = 0;
  private activePing: ActivePing | undefined;
  private rtt = -1;
  private readonly client: boolean;
  private localGoAway: GoAwayCode | undefined;
  /** The code of the GoAway the remote sent (any number, as read). */
  private remoteGoAway: number | undefined;
  private numInboundStreams = 0;
  private numOutboundStreams = 0;
  private readonly parser: FrameParser;
  private readonly keepAlive: RepeatingTask | undefined;
  private readonly maxInboundStreams: number;
  private readonly maxOutboundStreams: number;
  /** Set once the connection is being closed for CONTROL_BACKLOG. */
  private hangingUp = false;

  constructor(
    maConn: MessageStream,
    private readonly options: YamuxOptions,
    private readonly initialWindow: number,
    private readonly maxWindow: number,
  ) {
    super(maConn, {
      ...options,
      protocol: YAMUX_PROTOCOL_ID,
      name: 'yamux',
    });
    this.client = maConn.direction === 'outbound';
    // Clients use odd stream ids, servers even ones.
    this.nextStreamID = this.client ? 1 : 2;
    this.maxInboundStreams = options.maxInboundStreams ?? 1000;
    this.maxOutboundStreams = options.maxOutboundStreams ?? 1000;
    this.parser = new FrameParser(
      maxWindow,
      (header, data, owned) => this.handleFrame(header, data, owned),
      (header) => this.room(header),
    );
    if (maConn instanceof NoiseRecordStream) {
      // Plaintext straight from the decrypted record (the base class's 'message' listener then
      // receives nothing); errors end the session as that listener's would.
      maConn.sink = (plaintext, owned) => {
        try {
          this.parser.push(plaintext, owned);
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          this.abort(e);
          maConn.abort(e);
        }
      };
    }
    if (options.enableKeepAlive ?? true) {
      this.keepAlive = repeatingTask(
        async (opts) => {
          try {
            await this.ping(opts);
          } catch (err) {
            this.log.error('ping error: %s', err);
          }
        },
        options.keepAliveInterval ?? 30_000,
        { runImmediately: true },
      );
      this.keepAlive.start();
    }
  }

  onData(buf: Uint8Array | Uint8ArrayList): void {
    if (buf instanceof Uint8Array) this.parser.push(buf);
    else for (const chunk of buf) this.parser.push(chunk);
  }

  onCreateStream(): YamuxStream {
    if (this.remoteGoAway !== undefined) throw new MuxerClosedError('Muxer closed remotely');
    if (this.localGoAway !== undefined) throw new MuxerClosedError('Muxer closed locally');
    const id = this.nextStreamID;
    this.nextStreamID += 2;
    if (this.numOutboundStreams >= this.maxOutboundStreams) {
      throw new TooManyOutboundProtocolStreamsError('max outbound streams exceeded');
    }
    const stream = this.newStream(id, StreamState.Init, 'outbound');
    this.numOutboundStreams++;
    // Open the stream at the remote (SYN) once the superclass has listed it, so that its ACK
    // cannot arrive before the stream is known.
    queueMicrotask(() => stream.sendWindowUpdate());
    return stream;
  }

  /** Ping the remote and wait for the answer (one at a time); resolves with the RTT in ms. */
  async ping(options?: AbortOptions): Promise<number> {
    if (this.remoteGoAway !== undefined) throw new MuxerClosedError('Muxer closed remotely');
    if (this.localGoAway !== undefined) throw new MuxerClosedError('Muxer closed locally');
    if (this.activePing === undefined) {
      let resolve: (rtt: number) => void = () => undefined;
      const promise = new Promise<number>((r) => (resolve = r));
      const ping: ActivePing = { id: this.nextPingID++, start: Date.now(), promise, resolve };
      this.activePing = ping;
      this.sendPing(ping.id, Flag.SYN);
      try {
        this.rtt = await raceSignal(ping.promise, options?.signal);
      } finally {
        this.activePing = undefined;
      }
      return this.rtt;
    }
    return raceSignal(this.activePing.promise, options?.signal);
  }

  getRTT(): number {
    return this.rtt;
  }

  override async close(options: AbortOptions & { reason?: GoAwayCode } = {}): Promise<void> {
    if (this.status !== 'open') return;
    try {
      await super.close(options);
      this.sendGoAway(options.reason ?? GoAwayCode.NormalTermination);
    } finally {
      this.keepAlive?.stop();
    }
  }

  override abort(err: Error): void {
    if (this.status !== 'open') return;
    try {
      super.abort(err);
      const reason = err instanceof YamuxProtocolError ? err.reason : GoAwayCode.InternalError;
      this.log.error('muxer abort reason=%s error=%s', reason, err);
      this.sendGoAway(reason);
    } finally {
      this.keepAlive?.stop();
    }
  }

  override onTransportClosed(): void {
    try {
      super.onTransportClosed();
    } finally {
      this.keepAlive?.stop();
    }
  }

  private newStream(
    streamId: number,
    state: StreamState,
    direction: 'inbound' | 'outbound',
  ): YamuxStream {
    if (this.streams.some((s) => s.streamId === streamId)) {
      throw new InvalidParametersError('Stream already exists with that id');
    }
    const so = this.options.streamOptions ?? {};
    const stream = new YamuxStream({
      ...(so.inactivityTimeout !== undefined ? { inactivityTimeout: so.inactivityTimeout } : {}),
      ...(so.maxReadBufferLength !== undefined
        ? { maxReadBufferLength: so.maxReadBufferLength }
        : {}),
      ...(so.maxWriteBufferLength !== undefined
        ? { maxWriteBufferLength: so.maxWriteBufferLength }
        : {}),
      id: `${streamId}`,
      streamId,
      state,
      direction,
      initialStreamWindowSize: this.initialWindow,
      maxStreamWindowSize: this.maxWindow,
      sendFrame: (header, data) => this.sendFrame(header, data),
      log: this.log.newScope(`${direction}:${streamId}`),
      getRTT: () => this.rtt,
      connectionFull: () => this.maConn.writableNeedsDrain,
    });
    stream.addEventListener(
      'close',
      () => {
        if (this.client === (streamId % 2 === 0)) this.numInboundStreams--;
        else this.numOutboundStreams--;
      },
      { once: true },
    );
    return stream;
  }

  private handleFrame(header: FrameHeader, data: Uint8Array | undefined, owned: boolean): void {
    if (header.streamID === 0) {
      if (header.type === FrameType.Ping) this.handlePing(header);
      else if (header.type === FrameType.GoAway) this.handleGoAway(header.length);
      else throw new YamuxProtocolError('invalid frame type on stream 0');
      return;
    }
    if (header.type !== FrameType.Data && header.type !== FrameType.WindowUpdate) {
      throw new YamuxProtocolError('invalid frame type');
    }
    if ((header.flag & Flag.SYN) === Flag.SYN) this.incomingStream(header.streamID);
    const stream = this.streams.find((s) => s.streamId === header.streamID);
    if (stream === undefined) {
      this.log.trace('frame for missing stream id=%s', header.streamID);
      return;
    }
    if (header.type === FrameType.WindowUpdate) stream.handleWindowUpdate(header);
    else stream.handleData(header, data ?? new Uint8Array(0), owned);
  }

  /**
   * What a data frame's stream may still receive (FrameParser's `room`): its window; a new
   * stream's (SYN) is the initial window; -1 for a frame of no stream (dropped, as handleFrame
   * drops one that arrives whole).
   */
  private room(header: FrameHeader): number {
    const stream = this.streams.find((s) => s.streamId === header.streamID);
    if (stream !== undefined) return stream.receiveWindowLeft;
    return (header.flag & Flag.SYN) === Flag.SYN ? this.initialWindow : -1;
  }

  private handlePing(header: FrameHeader): void {
    if (header.flag === Flag.SYN) {
      this.sendPing(header.length, Flag.ACK);
    } else if (header.flag === Flag.ACK) {
      const ping = this.activePing;
      if (ping === undefined) throw new YamuxProtocolError('ping not requested');
      if (ping.id !== header.length) throw new YamuxProtocolError("ping doesn't match our id");
      ping.resolve(Date.now() - ping.start);
    } else {
      throw new YamuxProtocolError('invalid ping flag');
    }
  }

  private handleGoAway(reason: number): void {
    this.remoteGoAway = reason;
    if (reason === GoAwayCode.NormalTermination) this.onTransportClosed();
    else this.abort(new Error('Remote sent GoAway'));
  }

  private incomingStream(id: number): void {
    if (this.client !== (id % 2 === 0)) {
      throw new YamuxProtocolError('both endpoints are clients');
    }
    if (this.streams.some((s) => s.streamId === id)) return;
    if (this.localGoAway !== undefined || this.numInboundStreams >= this.maxInboundStreams) {
      this.sendFrame({ type: FrameType.WindowUpdate, flag: Flag.RST, streamID: id, length: 0 });
      return;
    }
    const stream = this.newStream(id, StreamState.SYNReceived, 'inbound');
    this.numInboundStreams++;
    this.onRemoteStream(stream);
  }

  /**
   * Write a frame: header and data as one piece (one record, one socket write below). A small
   * frame is one buffer; a large one goes as header and data, which the record layer encrypts
   * without joining them first.
   */
  private sendFrame(header: FrameHeader, data?: Uint8Array | Uint8ArrayList): boolean {
    const length = header.type === FrameType.Data ? (data?.byteLength ?? -1) : 0;
    if (length < 0) throw new YamuxProtocolError('data frame without data');
    if (length >= JOIN_BELOW) {
      const head = Buffer.allocUnsafe(HEADER_LENGTH);
      writeHeader(head, header);
      const out = new Uint8ArrayList<ArrayBufferLike>(head);
      out.append(data!);
      return this.send(out);
    }
    if (length === 0 && this.maConn.writeBufferLength > CONTROL_BACKLOG) this.hangUp();
    // Every byte is written below (allocUnsafe: pooled for small sizes, not zeroed).
    const out = Buffer.allocUnsafe(HEADER_LENGTH + length);
    writeHeader(out, header);
    if (data instanceof Uint8Array) {
      out.set(data, HEADER_LENGTH);
    } else if (data !== undefined) {
      let o = HEADER_LENGTH;
      for (const chunk of data) {
        out.set(chunk, o);
        o += chunk.length;
      }
    }
    return this.send(out);
  }

  /**
   * Close a connection whose remote reads nothing (CONTROL_BACKLOG). Deferred: this runs inside
   * the parser or a stream's send, which must finish first.
   */
  private hangUp(): void {
    if (this.hangingUp || this.status !== 'open') return;
    this.hangingUp = true;
    const backlog = this.maConn.writeBufferLength;
    queueMicrotask(() => {
      const err = new YamuxProtocolError(
        `the remote reads nothing: ${backlog} bytes of control frames wait`,
        GoAwayCode.InternalError,
      );
      this.abort(err);
      this.maConn.abort(err);
    });
  }

  private sendPing(id: number, flag: number): void {
    this.sendFrame({ type: FrameType.Ping, flag, streamID: 0, length: id });
  }

  private sendGoAway(reason: GoAwayCode): void {
    this.localGoAway = reason;
    this.sendFrame({ type: FrameType.GoAway, flag: 0, streamID: 0, length: reason });
  }
}
