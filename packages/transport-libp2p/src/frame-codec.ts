/**
 * Frames: what one send() becomes on the wire (docs/wire-format.md).
 *
 *   frame   = length (unsigned LEB128 varint) || body
 *   body    = version (one byte, WIRE_VERSION) || protobuf Frame (codec/paxos-schema.ts)
 *
 * The length counts the body. A frame carries every message of one send() call (the runtime
 * calls send once per peer per turn), which is what makes batching cheap: one length prefix, one
 * stream write, one encryption record for many messages.
 */
import { ByteReader, ByteWriter, DecodeError, varintSize, type Message } from '@synod/core';
import {
  allocate,
  beginEncoding,
  limitEntries,
  measuredEntries,
  sizesMark,
  sizesSeek,
  WireValidationError,
} from './codec/proto.js';
import {
  FrameSchema,
  MAX_ENTRIES_PER_FRAME,
  MAX_FRAME_ENTRIES,
  MessageUnion,
} from './codec/paxos-schema.js';
import type { DropReason } from './metrics.js';
import { CURRENT_WIRE_VERSION } from './protocols.js';

export { MAX_ENTRIES_PER_FRAME, MAX_FRAME_ENTRIES };

/**
 * The wire version this build writes by default (the body's first byte); a stream's frames carry
 * the version its protocol id names (protocols.ts), and a frame of another version is dropped.
 */
export const WIRE_VERSION = CURRENT_WIRE_VERSION;

/** Default limit on a frame's body; docs/wire-format.md explains the figure. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Frame.messages (field 1, length-delimited): the tag before each message. */
const MESSAGES_TAG = (1 << 3) | 2;

export interface EncodedFrames {
  /** The frames to write, in order (usually one). Never written to: they may be shared. */
  readonly frames: readonly Uint8Array[];
  /** How many messages went into them. */
  readonly messages: number;
  /** Messages left out because each alone exceeds maxFrameBytes. */
  readonly oversized: number;
}

/** Bytes a message whose oneof wrapper holds `inner` bytes takes in a Frame. */
function entrySize(inner: number): number {
  return 1 + varintSize(inner) + inner;
}

/** Write one frame holding messages [from, to) (with their wrappers' sizes). */
function writeFrame(
  messages: readonly Message[],
  inner: readonly number[],
  marks: readonly number[],
  from: number,
  to: number,
  version: number,
): Uint8Array {
  let body = 1;
  for (let i = from; i < to; i++) body += entrySize(inner[i]!);
  const out = allocate(varintSize(body) + body);
  const w = new ByteWriter(out);
  w.uint(body).byte(version);
  for (let i = from; i < to; i++) {
    w.byte(MESSAGES_TAG).uint(inner[i]!);
    sizesSeek(marks[i]!);
    MessageUnion.writeBody(w, messages[i]!);
  }
  if (w.length !== out.length) throw new Error(`frame size mismatch: ${w.length} != ${out.length}`);
  return out;
}

/**
 * Encode messages as frames of at most `maxFrameBytes` (body) and MAX_FRAME_ENTRIES entries
 * each: one frame unless they do not fit. A message that alone exceeds a limit is left out and
 * counted, never sent: the receiver would drop it anyway.
 */
export function encodeMessages(
  messages: readonly Message[],
  maxFrameBytes: number,
  version: number = WIRE_VERSION,
): EncodedFrames {
  const frames: Uint8Array[] = [];
  const kept: Message[] = [];
  const inner: number[] = [];
  /** Where each kept message's nested sizes were recorded (codec/proto.ts, beginEncoding). */
  const marks: number[] = [];
  beginEncoding();
  let start = 0;
  let body = 1;
  /** Entries of the frame being filled: its messages and their lists' entries. */
  let entries = 0;
  let sent = 0;
  let oversized = 0;
  for (const m of messages) {
    const mark = sizesMark();
    const listed = measuredEntries();
    const size = MessageUnion.bodySize(m);
    const entry = entrySize(size);
    const own = 1 + measuredEntries() - listed;
    if (1 + entry > maxFrameBytes || own > MAX_FRAME_ENTRIES) {
      oversized++;
      continue;
    }
    if (
      body + entry > maxFrameBytes ||
      kept.length - start === MAX_ENTRIES_PER_FRAME ||
      entries + own > MAX_FRAME_ENTRIES
    ) {
      frames.push(writeFrame(kept, inner, marks, start, kept.length, version));
      sent += kept.length - start;
      start = kept.length;
      body = 1;
      entries = 0;
    }
    kept.push(m);
    inner.push(size);
    marks.push(mark);
    body += entry;
    entries += own;
  }
  if (kept.length > start) {
    frames.push(writeFrame(kept, inner, marks, start, kept.length, version));
    sent += kept.length - start;
  }
  return { frames, messages: sent, oversized };
}

/**
 * A frame without messages: a ping (the sender's clock, echoed back), a pong, or a stream's
 * header naming its log (the first frame of a version 2 stream).
 */
export function encodeControl(
  control: { ping?: number; pong?: number; logId?: string },
  version: number = WIRE_VERSION,
): Uint8Array {
  const frame = { messages: [], ping: control.ping, pong: control.pong, logId: control.logId };
  beginEncoding();
  const body = 1 + FrameSchema.bodySize(frame);
  const w = new ByteWriter(allocate(varintSize(body) + body));
  w.uint(body).byte(version);
  FrameSchema.writeBody(w, frame);
  return w.written();
}

export type DecodedFrame =
  | {
      readonly ok: true;
      readonly messages: Message[];
      /** Messages of a type this build does not know, skipped. */
      readonly unknown: number;
      readonly ping: number | undefined;
      readonly pong: number | undefined;
      /** The log a stream's header names (version 2 and later). */
      readonly logId: string | undefined;
    }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

/**
 * Decode and validate one frame body (version byte + protobuf Frame). Never throws: every
 * failure is a reason, and a frame with any invalid message is dropped whole (a correct peer
 * never sends one, so its other messages are suspect too).
 *
 * The messages' bytes (values, commands, snapshot data) are views of the frame: `owned` says
 * the body is a buffer of its own; otherwise (a view of a receive buffer) it is copied first,
 * once, so that a value the core keeps pins at most its own frame, never a receive buffer.
 */
export function decodeFrameBody(
  body: Uint8Array,
  owned = false,
  version: number = WIRE_VERSION,
): DecodedFrame {
  if (body.length === 0) return { ok: false, reason: 'malformed', detail: 'empty frame' };
  if (body[0] !== version) {
    return { ok: false, reason: 'unknown-version', detail: `frame version ${body[0]}` };
  }
  // Uint8Array's slice, which copies (a Buffer's would not).
  if (!owned) body = Uint8Array.prototype.slice.call(body);
  let frame;
  limitEntries(MAX_FRAME_ENTRIES);
  try {
    frame = FrameSchema.readBody(new ByteReader(body, 1));
  } catch (err) {
    if (err instanceof WireValidationError) {
      return { ok: false, reason: 'invalid', detail: err.message };
    }
    if (err instanceof DecodeError) return { ok: false, reason: 'malformed', detail: err.message };
    return { ok: false, reason: 'malformed', detail: String(err) };
  } finally {
    limitEntries(Infinity);
  }
  const all = frame.messages;
  let messages = all as Message[];
  let unknown = 0;
  for (const m of all) if (m === undefined) unknown++;
  if (unknown > 0) messages = all.filter((m): m is Message => m !== undefined);
  return {
    ok: true,
    messages,
    unknown,
    ping: finite(frame.ping),
    pong: finite(frame.pong),
    logId: frame.logId,
  };
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}
