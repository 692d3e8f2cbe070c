/**
 * The link to one member: our long-lived outbound stream on the protocol, redialled with capped
 * exponential backoff and jitter whenever it fails, pinged to measure the round trip and to
 * notice a peer that went silent.
 *
 * States: dialing -> open -> (stream closed) waiting -> dialing ... ; closed is final.
 * The backoff resets only once the remote has answered a ping on the new stream: a stream the
 * remote accepts and drops at once (it does not count us as a member yet) keeps backing off.
 */
import type { PeerId } from '@synod/core';
import { Backoff } from './backoff.js';
import type { Channel } from './channel.js';
import { encodeControl } from './frame-codec.js';

export interface LinkOptions {
  /** Redial delays. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A dial (connection + stream negotiation) that takes longer is abandoned. */
  dialTimeoutMs: number;
  /** How often to ping an open link. */
  pingIntervalMs: number;
  /** A link that received nothing for this long (no pong) is closed and redialled. */
  silenceTimeoutMs: number;
  /** The most bytes a link buffers before send() refuses frames. */
  maxSendBufferBytes: number;
}

export interface LinkHost {
  /** Open a protocol stream to `peer` and wrap it. */
  openChannel(peer: PeerId, signal: AbortSignal): Promise<Channel>;
  /** `channel` heard nothing for silenceTimeoutMs (called before it is aborted). */
  onSilent?(channel: Channel): void;
  readonly log: { (fmt: string, ...args: unknown[]): void };
}

export type LinkState = 'dialing' | 'open' | 'waiting' | 'closed';

export class PeerLink {
  private channel: Channel | undefined;
  private linkState: LinkState = 'waiting';
  private readonly backoff: Backoff;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private dialAbort: AbortController | undefined;
  private confirmed = false;
  private congested = false;
  /** The last measured round trip, ms. */
  rttMs: number | null = null;
  /** Frames accepted by write() in this turn of the event loop, written together at its end. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;

  constructor(
    readonly peer: PeerId,
    private readonly host: LinkHost,
    private readonly opts: LinkOptions,
  ) {
    this.backoff = new Backoff({ initialMs: opts.backoffInitialMs, maxMs: opts.backoffMaxMs });
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Open, answered by the remote at least once, and not refusing frames. */
  get connected(): boolean {
    return this.linkState === 'open' && this.confirmed && !this.congested;
  }

  /** Bytes accepted but not yet taken by the muxer (the send buffer this link bounds). */
  get queuedBytes(): number {
    return (this.channel?.queuedBytes ?? 0) + this.pendingBytes;
  }

  /** Start dialling (or dial now, if waiting out a backoff). */
  kick(): void {
    if (this.linkState !== 'waiting') return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dial();
  }

  /**
   * Queue frames on the stream. False when the link is not open or its buffer is full: the
   * frames are dropped (never the ones queued before them) and the link reports itself
   * unreachable until the buffer drains.
   */
  write(frames: readonly Uint8Array[]): 'ok' | 'unreachable' | 'full' {
    const ch = this.channel;
    if (this.linkState !== 'open' || ch === undefined || !ch.isOpen) return 'unreachable';
    let size = 0;
    for (const f of frames) size += f.length;
    // An empty buffer always takes one send's frames, so a frame up to maxFrameBytes is never
    // stuck; otherwise the bound holds.
    const queued = this.queuedBytes;
    if (queued > 0 && queued + size > this.opts.maxSendBufferBytes) {
      this.markCongested();
      return 'full';
    }
    for (const f of frames) this.pending.push(f);
    this.pendingBytes += size;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return 'ok';
  }

  /**
   * Write the frames accepted in this turn as one stream write. Every layer below (yamux frame,
   * Noise message, socket write) costs per write, so a burst of sends costs about as much as
   * one; the frames stay in order and intact.
   */
  private flush(): void {
    this.flushScheduled = false;
    const frames = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const ch = this.channel;
    if (ch === undefined || frames.length === 0) return;
    let data = frames[0]!;
    if (frames.length > 1) {
      data = new Uint8Array(bytes);
      let off = 0;
      for (const f of frames) {
        data.set(f, off);
        off += f.length;
      }
    }
    // The bound was checked when the frames were accepted.
    ch.write([data], Number.MAX_SAFE_INTEGER);
  }

  /**
   * True when any frame would be refused now (the buffer is at its bound): send() can skip
   * encoding. Marks the link congested, as a refused write does.
   */
  full(): boolean {
    if (this.channel === undefined || this.queuedBytes < this.opts.maxSendBufferBytes) return false;
    this.markCongested();
    return true;
  }

  /** Refuse frames (and report not connected) until the buffer has drained to half. */
  private markCongested(): void {
    if (this.congested) return;
    this.congested = true;
    const ch = this.channel;
    if (ch === undefined) return;
    const check = () => {
      if (this.channel !== ch || !this.congested) return;
      if (ch.queuedBytes <= this.opts.maxSendBufferBytes / 2) this.congested = false;
      else ch.whenWritable(check);
    };
    ch.whenWritable(check);
  }

  /** A frame carrying a pong arrived on our stream: the remote hears us. */
  onPong(sentAt: number): void {
    const rtt = performance.now() - sentAt;
    if (rtt >= 0 && rtt < 600_000) this.rttMs = rtt;
    if (!this.confirmed) {
      this.confirmed = true;
      this.backoff.reset();
    }
  }

  /**
   * Flush what our stream holds and close it gracefully (at stop: the last frames — a leaving
   * peer's final decisions — still reach the peer; an abort would drop them).
   */
  async drain(): Promise<void> {
    await this.channel?.close();
  }

  close(): void {
    this.linkState = 'closed';
    this.pending = [];
    this.pendingBytes = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.pinger !== undefined) clearInterval(this.pinger);
    this.dialAbort?.abort();
    this.channel?.abort(new Error('link closed'));
    this.channel = undefined;
  }

  /** The channel of our outbound stream, if open. */
  get current(): Channel | undefined {
    return this.channel;
  }

  private dial(): void {
    this.linkState = 'dialing';
    const abort = new AbortController();
    this.dialAbort = abort;
    const timeout = setTimeout(
      () => abort.abort(new Error('dial timed out')),
      this.opts.dialTimeoutMs,
    );
    this.host
      .openChannel(this.peer, abort.signal)
      .then(
        (ch) => {
          if (this.linkState === 'closed') {
            ch.abort(new Error('link closed'));
            return;
          }
          this.attach(ch);
        },
        (err: unknown) => {
          if (this.linkState === 'closed') return;
          this.host.log('dial %s failed: %s', this.peer, err instanceof Error ? err.message : err);
          this.retry();
        },
      )
      .finally(() => {
        clearTimeout(timeout);
        if (this.dialAbort === abort) this.dialAbort = undefined;
      });
  }

  private attach(ch: Channel): void {
    this.channel = ch;
    this.linkState = 'open';
    this.confirmed = false;
    this.congested = false;
    ch.onClose(() => {
      if (this.channel !== ch) return;
      this.channel = undefined;
      // Accepted but unwritten frames are lost with the stream, as queued ones are.
      this.pending = [];
      this.pendingBytes = 0;
      if (this.pinger !== undefined) clearInterval(this.pinger);
      this.pinger = undefined;
      if (this.linkState === 'closed') return;
      this.host.log('stream to %s closed', this.peer);
      this.retry();
    });
    this.ping();
    this.pinger = setInterval(() => this.ping(), this.opts.pingIntervalMs);
  }

  private ping(): void {
    const ch = this.channel;
    if (ch === undefined) return;
    const now = performance.now();
    const heardAt = ch.lastReceived >= 0 ? ch.lastReceived : ch.openedAt;
    if (now - heardAt > this.opts.silenceTimeoutMs) {
      this.host.log('%s silent for %d ms: redialling', this.peer, Math.round(now - heardAt));
      this.host.onSilent?.(ch);
      ch.abort(new Error('peer silent'));
      return;
    }
    // A ping is tiny: it goes even past a full buffer, or a busy link would look dead.
    ch.write([encodeControl({ ping: now }, ch.version)], Number.MAX_SAFE_INTEGER);
  }

  private retry(): void {
    if (this.linkState === 'closed') return;
    this.linkState = 'waiting';
    this.confirmed = false;
    this.congested = false;
    const delay = this.backoff.next();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.linkState === 'waiting') this.dial();
    }, delay);
  }
}
