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
    // Two acceptors' P2a: two objects with the same fields (as the commander sends them).
    const a = enc.encode([{ ...p2a }], WIRE_VERSION);
    const b = enc.encode([{ ...p2a }], WIRE_VERSION);
    expect(b).toBe(a);
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
