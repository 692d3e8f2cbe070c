/**
 * The codec that carries a write's batch to the storage worker: every field, absent fields,
 * repeated and non-ASCII strings, and bytes at any offset of a larger buffer come back equal.
 * (The conformance suite runs every batch it writes through it too, in io: 'worker'.)
 */
import { describe, expect, it } from 'vitest';
import type { StorageBatch } from '@synod/core';
import { batchCodec } from '../src/codec/batch-codec.js';
import { decode, encode } from '../src/codec/codec.js';

const frame = Uint8Array.from({ length: 600 }, (_, i) => i % 251);
const view = (from: number, n: number) => frame.subarray(from, from + n);

describe('the batch codec', () => {
  it('round-trips every field of a batch', () => {
    const batch: StorageBatch = {
      incarnation: 7,
      promises: [
        { config: 0, ballot: { round: 3, leader: 'peer-a' } },
        { config: 2, ballot: { round: 2 ** 53 - 1, leader: 'peer-\u00e9\u{1f600}' } },
      ],
      accepted: [
        { config: 0, ballot: { round: 3, leader: 'peer-a' }, slot: 1, value: view(10, 100) },
        { config: 0, ballot: { round: 3, leader: 'peer-a' }, slot: 2, value: new Uint8Array(0) },
        { config: 1, ballot: { round: 4, leader: 'peer-b' }, slot: 9, value: view(500, 100) },
      ],
      decisions: [{ slot: 1, value: view(0, 3) }],
      snapshot: { slot: 5, data: view(100, 400) },
      truncateDecisionsBelow: 4,
      watermark: 3,
      dropPromisesBelow: 1,
    };
    expect(decode(batchCodec, encode(batchCodec, batch))).toEqual(batch);
  });

  it('leaves absent fields absent', () => {
    const out = decode(batchCodec, encode(batchCodec, { decisions: [] }));
    expect(out).toEqual({ decisions: [] });
    expect(Object.keys(out)).toEqual(['decisions']);
    expect(decode(batchCodec, encode(batchCodec, {}))).toEqual({});
  });

  it('writes only the viewed bytes of a value, once per byte', () => {
    const big = new Uint8Array(1 << 20);
    const small = encode(batchCodec, { decisions: [{ slot: 1, value: big.subarray(5, 105) }] });
    expect(small.byteLength).toBeLessThan(200);
  });
});
