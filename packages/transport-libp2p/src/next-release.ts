/**
 * A release after this one, simulated for upgrade tests (`testing: { nextRelease: true }`, never
 * for production): what the versioning rule (docs/wire-format.md) lets a next release do, so
 * that a test can run peers of both releases together and check that neither chokes.
 *
 * - It speaks a new wire version 3 (`/synod/paxos/3.0.0`: version 2's framing under a new id and
 *   version byte), offered first: two such peers settle on it, and fall back to 2 with this one.
 * - Every message frame it sends carries what this release does not know: a new field of a
 *   message it knows (Heartbeat field 9), a message of a new type (oneof field 99), and a new
 *   field of the frame itself (field 15). This release must skip all three and deliver the rest.
 */
import { ByteReader, ByteWriter } from '@synod/core';
import type { WireVersion } from './protocols.js';

export const NEXT_RELEASE_WIRE: WireVersion = {
  version: 3,
  protocol: '/synod/paxos/3.0.0',
  logs: 'header',
};

const LEN = 2;
const tag = (field: number, wireType: number) => field * 8 + wireType;
const NOTE = new TextEncoder().encode('next');

/** Frame.messages, Message.heartbeat. */
const FRAME_MESSAGES = 1;
const HEARTBEAT = 7;

function lengthDelimited(field: number, data: Uint8Array): Uint8Array {
  return new ByteWriter(data.length + 12).uint(tag(field, LEN)).bytes(data).finish();
}

/** One Message of the frame, with the new Heartbeat field when it is a heartbeat. */
function extendMessage(msg: Uint8Array): Uint8Array {
  const r = new ByteReader(msg);
  const t = r.uint();
  if (t !== tag(HEARTBEAT, LEN)) return msg;
  const inner = r.bytes();
  const extended = new ByteWriter(inner.length + 16)
    .raw(inner)
    .raw(lengthDelimited(9, NOTE))
    .finish();
  return lengthDelimited(HEARTBEAT, extended);
}

/** Skip one field's value of `wireType` (protobuf). */
function skipValue(r: ByteReader, wireType: number): void {
  if (wireType === 0) r.uint();
  else if (wireType === 1) r.skip(8);
  else if (wireType === LEN) r.skip(r.uint());
  else if (wireType === 5) r.skip(4);
  else throw new Error(`wire type ${wireType}`);
}

/** A frame (length prefix and body) as the next release would write it. */
export function nextReleaseFrame(frame: Uint8Array): Uint8Array {
  const r = new ByteReader(frame);
  const length = r.uint();
  const start = r.pos;
  const body = frame.subarray(start, start + length);
  const out = new ByteWriter(body.length + 64).byte(body[0]!);
  const br = new ByteReader(body, 1);
  while (!br.done) {
    const from = br.pos;
    const t = br.uint();
    if (t === tag(FRAME_MESSAGES, LEN)) {
      out.raw(lengthDelimited(FRAME_MESSAGES, extendMessage(br.bytes())));
      continue;
    }
    skipValue(br, t & 7);
    out.raw(body.subarray(from, br.pos));
  }
  out.raw(lengthDelimited(FRAME_MESSAGES, lengthDelimited(99, NOTE)));
  out.raw(lengthDelimited(15, NOTE));
  const newBody = out.finish();
  return new ByteWriter(newBody.length + 10).bytes(newBody).finish();
}
