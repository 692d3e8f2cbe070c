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
import * as wire from './generated/paxos.js';
import type { DropReason } from './metrics.js';
import { varintLength, writeVarint } from './varint.js';
import { fromWire, toWire, WireValidationError } from './wire-codec.js';

/** The wire format version this build writes and reads (the body's first byte). */
export const WIRE_VERSION = 1;

/** Default limit on a frame's body; docs/wire-format.md explains the figure. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * The most messages (and pvalues, and decisions) one frame may hold. It bounds what a hostile
 * frame of small entries can make the decoder allocate; the encoder splits frames to respect it.
 */
export const MAX_ENTRIES_PER_FRAME = 65_536;

const DECODE_LIMITS = {
  limits: {
    messages: MAX_ENTRIES_PER_FRAME,
    messages$: {
      p1b: { accepted: MAX_ENTRIES_PER_FRAME },
      catchupDecisions: { decisions: MAX_ENTRIES_PER_FRAME },
    },
  },
};

/** Prefix a Frame's protobuf bytes with the version byte and the length varint. */
function wrap(body: Uint8Array): Uint8Array {
  const len = body.length + 1;
  const out = new Uint8Array(varintLength(len) + len);
  let off = writeVarint(out, 0, len);
  out[off++] = WIRE_VERSION;
  out.set(body, off);
  return out;
}

export interface EncodedFrames {
  /** The frames to write, in order (usually one). */
  frames: Uint8Array[];
  /** How many messages went into them. */
  messages: number;
  /** Messages left out because each alone exceeds maxFrameBytes. */
  oversized: number;
}

/**
 * Encode messages as frames of at most `maxFrameBytes` (body) each: one frame unless they do
 * not fit. A message that alone exceeds the limit is left out and counted, never sent: the
 * receiver would drop it anyway.
 */
export function encodeMessages(messages: readonly Message[], maxFrameBytes: number): EncodedFrames {
  const all = messages.map(toWire);
  if (all.length <= MAX_ENTRIES_PER_FRAME) {
    const body = wire.Frame.encode({ messages: all });
    if (body.length + 1 <= maxFrameBytes) {
      return { frames: [wrap(body)], messages: all.length, oversized: 0 };
    }
  }
  // Too big for one frame: pack greedily by each message's encoded size.
  const frames: Uint8Array[] = [];
  let batch: wire.Message[] = [];
  let size = 1;
  let sent = 0;
  let oversized = 0;
  const flush = () => {
    if (batch.length === 0) return;
    frames.push(wrap(wire.Frame.encode({ messages: batch })));
    sent += batch.length;
    batch = [];
    size = 1;
  };
  for (const m of all) {
    const len = wire.Message.encode(m).length;
    // The repeated field's tag (1 byte) and length varint around each message.
    const entry = 1 + varintLength(len) + len;
    if (1 + entry > maxFrameBytes) {
      oversized++;
      continue;
    }
    if (size + entry > maxFrameBytes || batch.length === MAX_ENTRIES_PER_FRAME) flush();
    batch.push(m);
    size += entry;
  }
  flush();
  return { frames, messages: sent, oversized };
}

/** A frame holding only a ping (the sender's clock, echoed back) or a pong. */
export function encodeControl(control: { ping?: number; pong?: number }): Uint8Array {
  return wrap(wire.Frame.encode({ messages: [], ...control }));
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

/**
 * Decode and validate one frame body (version byte + protobuf). Never throws: every failure is a
 * reason, and a frame with any invalid message is dropped whole (a correct peer never sends one,
 * so its other messages are suspect too).
 */
export function decodeFrameBody(body: Uint8Array): DecodedFrame {
  if (body.length === 0) return { ok: false, reason: 'malformed', detail: 'empty frame' };
  if (body[0] !== WIRE_VERSION) {
    return { ok: false, reason: 'unknown-version', detail: `frame version ${body[0]}` };
  }
  let frame: wire.Frame;
  try {
    frame = wire.Frame.decode(body.subarray(1), DECODE_LIMITS);
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: describe(err) };
  }
  const messages: Message[] = [];
  let unknown = 0;
  try {
    for (const w of frame.messages) {
      const m = fromWire(w);
      if (m === undefined) unknown++;
      else messages.push(m);
    }
  } catch (err) {
    if (err instanceof WireValidationError) {
      return { ok: false, reason: 'invalid', detail: err.message };
    }
    return { ok: false, reason: 'malformed', detail: describe(err) };
  }
  const ping = finite(frame.ping);
  const pong = finite(frame.pong);
  return { ok: true, messages, unknown, ping, pong };
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
