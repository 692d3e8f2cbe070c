/**
 * encodeBatch (src/command.ts) sizes its writer exactly, so that the value is the writer's own
 * buffer and not a copy of it (a ~100 KB copy per slot on a busy leader): on random batches of
 * app commands and membership changes, with non-ASCII and long client ids (a lone surrogate
 * is written as U+FFFD) and large numbers, no copy is made and the batch decodes back.
 */
import * as fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ByteWriter } from '../src/bytes.js';
import { decodeBatch, encodeBatch, type Command } from '../src/command.js';

const id = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 120, maxLength: 300 }),
);
const num = fc.oneof(fc.nat(200), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const base = { client: id, inc: num, seq: num, ack: num };
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('app' as const), ...base, op: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({
    kind: fc.constant('reconfig' as const),
    ...base,
    expectedConfig: num,
    membership: fc.record({
      replicas: fc.array(id, { maxLength: 4 }),
      leaders: fc.array(id, { maxLength: 4 }),
      acceptors: fc.array(id, { maxLength: 4 }),
    }),
  }),
);
/** What a decoded string is: the UTF-8 round trip of the id (lone surrogates replaced). */
const utf8 = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

describe('encodeBatch', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes into a buffer of the exact size, no copy', () => {
    const finish = vi.spyOn(ByteWriter.prototype, 'finish');
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (batch) => {
        const value = encodeBatch(batch);
        expect(finish).not.toHaveBeenCalled();
        expect(value.byteOffset).toBe(0);
        expect(value.byteLength).toBe(value.buffer.byteLength);
        const back = decodeBatch(value);
        expect(back.map((c) => c.client)).toEqual(batch.map((c) => utf8(c.client)));
        expect(back.map((c) => [c.kind, c.inc, c.seq, c.ack])).toEqual(
          batch.map((c) => [c.kind, c.inc, c.seq, c.ack]),
        );
      }),
      { numRuns: 300, seed: 1313 },
    );
  });
});
