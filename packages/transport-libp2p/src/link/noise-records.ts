/**
 * Noise, as libp2p speaks it (`/noise`, XX handshake, ChaChaPoly, 2-byte big-endian record
 * lengths), with a leaner transport phase. Wire-compatible with @chainsafe/libp2p-noise: a stock
 * js-libp2p node connects to it unchanged.
 *
 * The handshake is @chainsafe/libp2p-noise's own (the same Noise instance, its XX state machine,
 * payload signature and early muxer negotiation). Only what follows it, the stream of encrypted
 * records, is replaced, with two changes that could be offered upstream to
 * `EncryptedMessageStream` (src/utils.ts of ChainSafe/js-libp2p-noise) as they stand:
 *
 * 1. **One buffer per write.** Upstream appends each record's length prefix and its ciphertext
 *    to a Uint8ArrayList, and @libp2p/tcp writes each list entry with its own `socket.write`:
 *    two syscalls, and often two TCP segments, per record. Here every record of one `sendData`
 *    (prefix, ciphertext, tag) goes into one Uint8Array: one socket write per flushed frame.
 * 2. **A record decoder that does not throw.** Upstream's LengthPrefixedDecoder calls a length
 *    decoder that throws a RangeError whenever fewer than two bytes remain, so every chunk that
 *    ends on a record boundary (nearly all of them) builds and catches an exception: 11% of a
 *    peer's CPU in the transport bench. This one reads the 2-byte prefix inline, decrypts a
 *    record that lies within a chunk in place, and one that spans chunks piece by piece, never
 *    joining them (no quadratic copying when a peer drips bytes, no 64 KiB buffer per record).
 *
 * Two more could go upstream to @libp2p/utils' AbstractMessageStream, which every layer here
 * extends: a send with nothing queued goes straight through (no Uint8ArrayList copies), and an
 * event nobody listens to is not built ('idle' follows every send, at every layer).
 *
 * One is ours alone: a muxer of this package (yamux.ts) takes the plaintext through `sink`
 * instead of a 'message' event on an Uint8ArrayList (the event path stays for any other reader,
 * such as multistream-select before early muxer negotiation).
 */
import { ChaCha20Poly1305, newInstance } from '@chainsafe/as-chacha20poly1305';
import { noise, type ICryptoInterface, type NoiseInit } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import { publicKeyFromProtobuf } from '@libp2p/crypto/keys';
import {
  serviceCapabilities,
  type ComponentLogger,
  type ConnectionEncrypter,
  type Logger,
  type MessageStream,
  type MessageStreamEvents,
  type PeerId,
  type PrivateKey,
  type PublicKey,
  type SecureConnectionOptions,
  type SecuredConnection,
  type StreamMuxerFactory,
  type Upgrader,
} from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { AbstractMessageStream, lpStream, type SendResult } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';

/** The largest Noise message (record), and the ChaChaPoly tag inside it. */
const MAX_RECORD = 65_535;
const TAG = 16;
const MAX_PLAINTEXT = MAX_RECORD - TAG;

/** What the handshake leaves: the remote's signed payload and the two cipher states. */
interface Handshake {
  payload: {
    identityKey: Uint8Array;
    extensions?: { streamMuxers?: string[]; webtransportCerthashes?: Uint8Array[] };
  };
  encrypt(plaintext: Uint8Array | Uint8ArrayList): Uint8Array | Uint8ArrayList;
  decrypt(ciphertext: Uint8Array | Uint8ArrayList, dst?: Uint8Array): Uint8Array | Uint8ArrayList;
}

/**
 * The methods of @chainsafe/libp2p-noise's `Noise` that its own secureInbound/secureOutbound
 * call (private in its typings, plain methods at run time; checked when a connection is made).
 */
interface NoiseHandshaker {
  performHandshakeInitiator(
    connection: unknown,
    privateKey: PrivateKey,
    log: Logger,
    remoteIdentityKey: PublicKey | undefined,
    options?: SecureConnectionOptions,
  ): Promise<Handshake>;
  performHandshakeResponder(
    connection: unknown,
    privateKey: PrivateKey,
    log: Logger,
    remoteIdentityKey: PublicKey | undefined,
    options?: SecureConnectionOptions,
  ): Promise<Handshake>;
  getStreamMuxer(protocols?: string[]): StreamMuxerFactory | undefined;
}

export interface NoiseComponents {
  peerId: PeerId;
  privateKey: PrivateKey;
  logger: ComponentLogger;
  upgrader: Upgrader;
}

/** Noise handshake lengths: 2 bytes, big-endian (as upstream, for lpStream). */
function uint16Encode(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}
uint16Encode.bytes = 2;
function uint16Decode(data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) throw new RangeError('need two bytes for a length');
  return data instanceof Uint8Array ? (data[0]! << 8) | data[1]! : data.getUint16(0);
}
uint16Decode.bytes = 2;

/** Below this, the wasm cipher beats OpenSSL's (a Cipher object per record): upstream's figure. */
const WASM_BELOW = 1200;
let wasm: ChaCha20Poly1305 | undefined;

/**
 * Upstream's default ciphers, but a small record is sealed into a buffer from Node's pool rather
 * than a fresh Uint8Array (an ArrayBuffer per record costs a quarter of sealing 100 bytes).
 */
const recordCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    const n = plaintext.byteLength;
    if (n >= WASM_BELOW) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k);
    wasm ??= new ChaCha20Poly1305(newInstance());
    return wasm.seal(k, nonce, plaintext.subarray(), ad, Buffer.allocUnsafe(n + TAG));
  },
};

/** The connection encrypter (`connectionEncrypters: [noiseRecords()]`). */
export function noiseRecords(
  init: NoiseInit = {},
): (components: NoiseComponents) => ConnectionEncrypter {
  return (components) => new NoiseRecords(components, init);
}

class NoiseRecords implements ConnectionEncrypter {
  readonly protocol = '/noise';
  readonly [Symbol.toStringTag] = '@synod/noise-records';
  readonly [serviceCapabilities] = ['@libp2p/connection-encryption', '@chainsafe/libp2p-noise'];
  private readonly handshaker: NoiseHandshaker;

  constructor(
    private readonly components: NoiseComponents,
    init: NoiseInit,
  ) {
    const inner = noise({ crypto: recordCrypto, ...init })(
      components,
    ) as unknown as NoiseHandshaker;
    for (const m of ['performHandshakeInitiator', 'performHandshakeResponder', 'getStreamMuxer']) {
      if (typeof (inner as unknown as Record<string, unknown>)[m] !== 'function') {
        throw new Error(`@chainsafe/libp2p-noise has no ${m}: this version is not supported`);
      }
    }
    this.handshaker = inner;
  }

  secureOutbound(
    connection: MessageStream,
    options?: SecureConnectionOptions,
  ): Promise<SecuredConnection> {
    return this.secure(connection, true, options);
  }

  secureInbound(
    connection: MessageStream,
    options?: SecureConnectionOptions,
  ): Promise<SecuredConnection> {
    return this.secure(connection, false, options);
  }

  /** What upstream's secureOutbound/secureInbound do, with our record stream at the end. */
  private async secure(
    connection: MessageStream,
    initiator: boolean,
    options?: SecureConnectionOptions,
  ): Promise<SecuredConnection> {
    const log = connection.log.newScope('noise');
    const framed = lpStream(connection, {
      lengthEncoder: uint16Encode,
      lengthDecoder: uint16Decode,
      maxDataLength: MAX_RECORD,
    });
    const h = this.handshaker;
    const handshake = await (initiator
      ? h.performHandshakeInitiator(
          framed,
          this.components.privateKey,
          log,
          options?.remotePeer?.publicKey,
          options,
        )
      : h.performHandshakeResponder(
          framed,
          this.components.privateKey,
          log,
          options?.remotePeer?.publicKey,
          options,
        ));
    const publicKey = publicKeyFromProtobuf(handshake.payload.identityKey);
    const muxers = handshake.payload.extensions?.streamMuxers;
    const streamMuxer =
      options?.skipStreamMuxerNegotiation === true ? undefined : h.getStreamMuxer(muxers);
    return {
      connection: new NoiseRecordStream(framed.unwrap(), handshake),
      remotePeer: peerIdFromPublicKey(publicKey),
      remoteExtensions: handshake.payload.extensions,
      ...(streamMuxer !== undefined ? { streamMuxer } : {}),
    };
  }
}

/**
 * Splits the connection's bytes into records (2-byte big-endian length, then that many bytes),
 * without exceptions and without copying: a record within a chunk is passed on as a view of it,
 * one that spans chunks as a list of views of them (the cipher takes the pieces one by one; a
 * 64 KiB record spans two socket reads nearly always, and assembling it cost a 64 KiB buffer per
 * record on the receiving peer). `record` is valid only during the call.
 */
export class RecordSplitter {
  /** The first byte of a record length split across chunks, or -1. */
  private lengthHigh = -1;
  /** A record arriving in pieces, and how many of its bytes are still to come. */
  private pieces: Uint8ArrayList | undefined;
  private missing = 0;

  constructor(private readonly onRecord: (record: Uint8Array | Uint8ArrayList) => void) {}

  push(chunk: Uint8Array): void {
    let off = 0;
    const end = chunk.length;
    while (off < end) {
      const pieces = this.pieces;
      if (pieces !== undefined) {
        const n = Math.min(this.missing, end - off);
        pieces.append(chunk.subarray(off, off + n));
        this.missing -= n;
        off += n;
        if (this.missing === 0) {
          this.pieces = undefined;
          this.onRecord(pieces);
        }
        continue;
      }
      let length: number;
      if (this.lengthHigh >= 0) {
        length = (this.lengthHigh << 8) | chunk[off++]!;
        this.lengthHigh = -1;
      } else if (end - off >= 2) {
        length = (chunk[off]! << 8) | chunk[off + 1]!;
        off += 2;
      } else {
        this.lengthHigh = chunk[off++]!;
        continue;
      }
      if (length < TAG) throw new Error(`Noise record of ${length} bytes is shorter than its tag`);
      if (end - off >= length) {
        this.onRecord(chunk.subarray(off, off + length));
        off += length;
      } else {
        this.pieces = new Uint8ArrayList();
        this.missing = length;
      }
    }
  }
}

/**
 * A plain Uint8Array view of a chunk (the socket's are Buffers): every layer above slices it,
 * and a Buffer's subarray costs several times a Uint8Array's.
 */
function plain(chunk: Uint8Array): Uint8Array {
  return chunk.constructor === Uint8Array
    ? chunk
    : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * A receiver of plaintext that bypasses the 'message' event (see the file comment). `owned`:
 * the plaintext's buffer is a fresh one that nothing else refers to or will write (the cipher's
 * output), so a reader may keep views of it instead of copying; otherwise it is a view of a
 * receive buffer, valid only during the call.
 */
export type PlaintextSink = (plaintext: Uint8Array, owned: boolean) => void;

/** The transport phase: encrypted records over the connection, as a MessageStream. */
export class NoiseRecordStream extends AbstractMessageStream {
  /** Set by a muxer of this package that reads the plaintext directly. */
  sink: PlaintextSink | undefined;
  private readonly records = new RecordSplitter((record) => this.open(record));

  constructor(
    private readonly connection: MessageStream,
    private readonly handshake: Handshake,
  ) {
    super({
      log: connection.log,
      inactivityTimeout: connection.inactivityTimeout,
      maxReadBufferLength: connection.maxReadBufferLength,
      direction: connection.direction,
    });
    connection.addEventListener('message', (evt: MessageStreamEvents['message']) => {
      try {
        const data = evt.data;
        if (data instanceof Uint8Array) this.records.push(plain(data));
        else for (const chunk of data) this.records.push(plain(chunk));
      } catch (err) {
        this.abort(err instanceof Error ? err : new Error(String(err)));
      }
    });
    connection.addEventListener('close', (evt: MessageStreamEvents['close']) => {
      if (evt.error === undefined) this.onTransportClosed();
      else if (evt.local === true) this.abort(evt.error);
      else this.onRemoteReset();
    });
    connection.addEventListener('drain', () => this.safeDispatchEvent('drain'));
    connection.addEventListener('remoteCloseWrite', () => this.onRemoteCloseWrite());
  }

  /**
   * Decrypt one record and pass the plaintext on: a small record in place (the chunk is ours), a
   * large one (OpenSSL's) into fresh buffers, one per piece of a record that spans chunks.
   */
  private open(record: Uint8Array | Uint8ArrayList): void {
    const whole = record instanceof Uint8Array;
    const out = this.handshake.decrypt(
      record,
      whole ? record.subarray(0, record.length - TAG) : undefined,
    );
    if (out instanceof Uint8Array) this.deliver(out, !whole || out.buffer !== record.buffer);
    else for (const piece of out) this.deliver(piece, true);
  }

  private deliver(plaintext: Uint8Array, owned: boolean): void {
    if (plaintext.length === 0) return;
    const sink = this.sink;
    if (sink !== undefined && this.readStatus === 'readable' && this.readBuffer.length === 0) {
      sink(plaintext, owned);
    } else {
      this.onData(plaintext);
    }
  }

  /** Encrypt everything queued as records in one buffer: one write to the connection. */
  sendData(data: Uint8ArrayList): SendResult {
    return { sentBytes: data.byteLength, canSendMore: this.connection.send(this.seal(data)) };
  }

  /**
   * Send straight through when nothing is queued (the common case): what processSendQueue
   * would do, without its Uint8ArrayList copies. Otherwise queue as the base class does.
   */
  override send(data: Uint8Array | Uint8ArrayList): boolean {
    if (
      data.byteLength === 0 ||
      this.writeBuffer.byteLength > 0 ||
      this.sendingData ||
      this.writableNeedsDrain ||
      this.writeStatus !== 'writable'
    ) {
      return super.send(data);
    }
    this.sendingData = true;
    let more: boolean;
    try {
      more = this.connection.send(this.seal(data));
    } catch (err) {
      this.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      this.sendingData = false;
    }
    if (!more) this.writableNeedsDrain = true;
    this.safeDispatchEvent('idle');
    return more;
  }

  /** Records (2-byte length, ciphertext and tag) of `data`, in one buffer. */
  private seal(data: Uint8Array | Uint8ArrayList): Uint8Array {
    const total = data.byteLength;
    const records = Math.ceil(total / MAX_PLAINTEXT);
    // Every byte is written below (allocUnsafe: pooled for small sizes, not zeroed).
    const out = Buffer.allocUnsafe(total + records * (2 + TAG));
    let o = 0;
    for (let i = 0; i < total; i += MAX_PLAINTEXT) {
      const end = Math.min(i + MAX_PLAINTEXT, total);
      // A large record's pieces go to the cipher as they are (OpenSSL takes them one by one);
      // a small one is joined for the wasm cipher.
      const plaintext =
        data instanceof Uint8Array || end - i < WASM_BELOW
          ? data.subarray(i, end)
          : data.sublist(i, end);
      const sealed = this.handshake.encrypt(plaintext);
      const n = sealed.byteLength;
      out[o] = n >> 8;
      out[o + 1] = n & 0xff;
      if (sealed instanceof Uint8Array) {
        out.set(sealed, o + 2);
      } else {
        let p = o + 2;
        for (const piece of sealed) {
          out.set(piece, p);
          p += piece.length;
        }
      }
      o += 2 + n;
    }
    return out;
  }

  /** Build an event only if someone listens ('idle' follows every send). */
  override safeDispatchEvent(
    type: keyof MessageStreamEvents,
    detail?: Parameters<AbstractMessageStream['safeDispatchEvent']>[1],
  ): boolean {
    return this.listenerCount(type) === 0 || super.safeDispatchEvent(type, detail);
  }

  close(options?: { signal?: AbortSignal }): Promise<void> {
    return this.connection.close(options);
  }

  sendReset(err: Error): void {
    this.connection.abort(err);
  }

  sendPause(): void {
    this.connection.pause();
  }

  sendResume(): void {
    this.connection.resume();
  }
}
