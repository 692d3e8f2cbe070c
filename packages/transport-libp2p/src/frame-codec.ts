/**
 * Frames: what one send() becomes on the wire (docs/wire-format.md).
 *
 *   frame   = length (unsigned LEB128 varint) || body
 *   body    = version (one byte, WIRE_VERSION) || protobuf Frame (src/generated/paxos.proto)
 *
 * The length counts the body. A frame carries every message of one send() call (the runtime
 * calls send once per peer per turn), which is what makes batching cheap: one length prefix, one
 * stream write, one encryption record for many messages.
 */
import type { Message } from '@synod/core';
import type { DropReason } from './metrics.js';
import {
  BODY_FIELD,
  bodySize,
  readBody,
  Reader,
  readTag,
  varintSize,
  WireFormatError,
  WireValidationError,
  writeBody,
  Writer,
} from './wire-codec.js';

/** The wire format version this build writes and reads (the body's first byte). */
export const WIRE_VERSION = 1;

/** Default limit on a frame's body; docs/wire-format.md explains the figure. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * The most messages (and pvalues, and decisions) one frame may hold. It bounds what a hostile
 * frame of tiny entries can make the decoder allocate; the encoder splits frames to respect it.
 */
export const MAX_ENTRIES_PER_FRAME = 65_536;

/** Frame fields (paxos.proto). */
const FRAME_MESSAGES = 1;
const FRAME_PING = 2;
const FRAME_PONG = 3;

export interface EncodedFrames {
  /** The frames to write, in order (usually one). */
  frames: Uint8Array[];
  /** How many messages went into them. */
  messages: number;
  /** Messages left out because each alone exceeds maxFrameBytes. */
  oversized: number;
}

/** Bytes a message with a body of `size` bytes takes in a Frame: Frame.messages[i] = Message{body}. */
function entrySize(size: number): number {
  const message = 1 + varintSize(size) + size;
  return 1 + varintSize(message) + message;
}

/** Write frames holding `messages` (with their body sizes) into one buffer each. */
function writeFrame(
  messages: readonly Message[],
  sizes: readonly number[],
  from: number,
  to: number,
): Uint8Array {
  let body = 1;
  for (let i = from; i < to; i++) body += entrySize(sizes[i]!);
  const out = new Uint8Array(varintSize(body) + body);
  const w = new Writer(out);
  w.varint(body);
  w.byte(WIRE_VERSION);
  for (let i = from; i < to; i++) {
    const m = messages[i]!;
    const size = sizes[i]!;
    // Frame.messages (field 1) holds a Message, whose oneof field holds the body.
    w.sub(FRAME_MESSAGES, 1 + varintSize(size) + size);
    w.sub(BODY_FIELD[m.type], size);
    writeBody(w, m);
  }
  if (w.pos !== out.length) throw new Error(`frame size mismatch: ${w.pos} != ${out.length}`);
  return out;
}

/**
 * Encode messages as frames of at most `maxFrameBytes` (body) each: one frame unless they do
 * not fit. A message that alone exceeds the limit is left out and counted, never sent: the
 * receiver would drop it anyway.
 */
export function encodeMessages(messages: readonly Message[], maxFrameBytes: number): EncodedFrames {
  const sizes = messages.map(bodySize);
  const frames: Uint8Array[] = [];
  let start = 0;
  let body = 1;
  let sent = 0;
  let oversized = 0;
  const kept: Message[] = [];
  const keptSizes: number[] = [];
  for (let i = 0; i < messages.length; i++) {
    const size = sizes[i]!;
    const entry = entrySize(size);
    if (1 + entry > maxFrameBytes) {
      oversized++;
      continue;
    }
    if (body + entry > maxFrameBytes || kept.length - start === MAX_ENTRIES_PER_FRAME) {
      frames.push(writeFrame(kept, keptSizes, start, kept.length));
      sent += kept.length - start;
      start = kept.length;
      body = 1;
    }
    kept.push(messages[i]!);
    keptSizes.push(size);
    body += entry;
  }
  if (kept.length > start) {
    frames.push(writeFrame(kept, keptSizes, start, kept.length));
    sent += kept.length - start;
  }
  return { frames, messages: sent, oversized };
}

/** A frame holding only a ping (the sender's clock, echoed back) or a pong. */
export function encodeControl(control: { ping?: number; pong?: number }): Uint8Array {
  const body = 1 + (control.ping !== undefined ? 9 : 0) + (control.pong !== undefined ? 9 : 0);
  const out = new Uint8Array(1 + body);
  const w = new Writer(out);
  w.varint(body);
  w.byte(WIRE_VERSION);
  if (control.ping !== undefined) w.double(FRAME_PING, control.ping);
  if (control.pong !== undefined) w.double(FRAME_PONG, control.pong);
  return out;
}

export type DecodedFrame =
  | {
      readonly ok: true;
      readonly messages: Message[];
      /** Messages of a type this build does not know, skipped. */
      readonly unknown: number;
      readonly ping: number | undefined;
      readonly pong: number | undefined;
    }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

const LIMITS = { maxEntries: MAX_ENTRIES_PER_FRAME };

/**
 * Decode and validate one frame body (version byte + protobuf Frame). Never throws: every
 * failure is a reason, and a frame with any invalid message is dropped whole (a correct peer
 * never sends one, so its other messages are suspect too).
 */
export function decodeFrameBody(body: Uint8Array): DecodedFrame {
  if (body.length === 0) return { ok: false, reason: 'malformed', detail: 'empty frame' };
  if (body[0] !== WIRE_VERSION) {
    return { ok: false, reason: 'unknown-version', detail: `frame version ${body[0]}` };
  }
  const messages: Message[] = [];
  let unknown = 0;
  let ping: number | undefined;
  let pong: number | undefined;
  const r = new Reader(body, 1);
  try {
    while (!r.done) {
      const tag = readTag(r);
      const f = tag >>> 3;
      const t = tag & 7;
      if (f === FRAME_MESSAGES && t === 2) {
        if (messages.length + unknown >= MAX_ENTRIES_PER_FRAME) {
          return { ok: false, reason: 'malformed', detail: 'too many messages in one frame' };
        }
        // A Message: one oneof field (the body); proto3 keeps the last if several are set.
        const len = r.len();
        const end = r.pos + len;
        const outer = r.end;
        r.end = end;
        let m: Message | undefined;
        while (r.pos < end) {
          const mtag = readTag(r);
          const body = readBody(r, mtag >>> 3, mtag & 7, LIMITS);
          if (body !== undefined) m = body;
        }
        r.end = outer;
        if (m === undefined) unknown++;
        else messages.push(m);
      } else if (f === FRAME_PING && t === 1) {
        ping = r.double();
      } else if (f === FRAME_PONG && t === 1) {
        pong = r.double();
      } else if (f <= 3) {
        throw new WireFormatError(`frame field ${f} has wire type ${t}`);
      } else {
        r.skip(t);
      }
    }
  } catch (err) {
    if (err instanceof WireValidationError) {
      return { ok: false, reason: 'invalid', detail: err.message };
    }
    return { ok: false, reason: 'malformed', detail: describe(err) };
  }
  return {
    ok: true,
    messages,
    unknown,
    ping: finite(ping),
    pong: finite(pong),
  };
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
