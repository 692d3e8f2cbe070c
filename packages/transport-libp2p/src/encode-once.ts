/**
 * One encoding per turn for the same messages to several peers.
 *
 * The runtime sends one frame per peer per turn, and a leader's P2a for a slot goes to each
 * acceptor as its own object with the same fields (the same value, 100 KB at C=1024, and a store
 * stamp made per recipient with the same numbers). Encoded per peer, the value was copied into a
 * fresh frame once per follower. Here a send whose messages equal the previous send's field by
 * field reuses its frames.
 *
 * Only within one synchronous run of sends (the cache is dropped in the next microtask), so a
 * message object changed later can never match stale bytes. The frames are shared by the links:
 * every layer below only reads them.
 */
import type { Message } from '@synod/core';
import { encodeMessages, type EncodedFrames } from './frame-codec.js';

type Fields = Record<string, unknown>;

/**
 * The same fields with equal values: identical, or plain records (a ballot, a store stamp:
 * made afresh for each recipient) whose own fields are identical. Bytes and arrays only by
 * identity. Equal here means the same bytes on the wire.
 */
function sameFields(a: Fields, b: Fields, nested: boolean): boolean {
  let n = 0;
  for (const k in a) {
    const x = a[k];
    const y = b[k];
    if (
      x !== y &&
      !(
        nested &&
        typeof x === 'object' &&
        typeof y === 'object' &&
        x !== null &&
        y !== null &&
        !ArrayBuffer.isView(x) &&
        !Array.isArray(x) &&
        sameFields(x as Fields, y as Fields, false)
      )
    ) {
      return false;
    }
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function sameMessage(a: Message, b: Message): boolean {
  return (
    a === b ||
    (a.type === b.type && sameFields(a as unknown as Fields, b as unknown as Fields, true))
  );
}

function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameMessage(a[i]!, b[i]!)) return false;
  return true;
}

export class EncodeOnce {
  private last: { messages: readonly Message[]; version: number; enc: EncodedFrames } | undefined;

  constructor(private readonly maxFrameBytes: () => number) {}

  /** encodeMessages, or the previous send's frames if these are the same messages. */
  encode(messages: readonly Message[], version: number): EncodedFrames {
    const last = this.last;
    if (last !== undefined && last.version === version && sameMessages(last.messages, messages)) {
      return last.enc;
    }
    const enc = encodeMessages(messages, this.maxFrameBytes(), version);
    if (last === undefined) queueMicrotask(() => (this.last = undefined));
    this.last = { messages, version, enc };
    return enc;
  }
}
