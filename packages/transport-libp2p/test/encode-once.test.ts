import type { Message } from '@synod/core';
import { sampleMessages } from '@synod/core/testing';
import { describe, expect, it } from 'vitest';
import { EncodeOnce } from '../src/encode-once.js';
import { encodeMessages, WIRE_VERSION } from '../src/frame-codec.js';

const MAX = 1 << 20;

describe('one encoding per turn for the same messages to several peers', () => {
  it('reuses the frames of messages equal field by field, within one synchronous run only', async () => {
    const p2a = sampleMessages().p2a as Extract<Message, { type: 'p2a' }>;
    const enc = new EncodeOnce(() => MAX);
    // Two acceptors' P2a: two objects with the same fields, each with its own store stamp and
    // ballot objects of the same numbers (as the commander and the store guard make them).
    const a = enc.encode([{ ...p2a, store: { ...p2a.store! } }], WIRE_VERSION);
    const b = enc.encode(
      [{ ...p2a, ballot: { ...p2a.ballot }, store: { ...p2a.store! } }],
      WIRE_VERSION,
    );
    expect(b).toBe(a);
    // A stamp of another write is another message.
    const seq = p2a.store!.seq + 1;
    expect(enc.encode([{ ...p2a, store: { ...p2a.store!, seq } }], WIRE_VERSION)).not.toBe(a);
    expect(a.frames).toEqual(encodeMessages([p2a], MAX, WIRE_VERSION).frames);
    // Another value, another slot, another version: encoded anew.
    expect(enc.encode([{ ...p2a, value: p2a.value.slice() }], WIRE_VERSION)).not.toBe(a);
    expect(enc.encode([{ ...p2a, slot: p2a.slot + 1 }], WIRE_VERSION)).not.toBe(a);
    expect(enc.encode([{ ...p2a }, { ...p2a }], WIRE_VERSION)).not.toBe(a);
    // A later turn never matches what an earlier one encoded.
    const c = enc.encode([p2a], WIRE_VERSION);
    await Promise.resolve();
    expect(enc.encode([p2a], WIRE_VERSION)).not.toBe(c);
  });
});
