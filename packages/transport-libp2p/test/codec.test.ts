/**
 * The table-driven codec (src/codec/) against protons' codec generated from the same schema
 * (test/oracle/, a reference only the tests use): the same bytes both ways, for every message
 * type and for random messages, and the same rules for what is refused.
 */
import { ByteReader, ByteWriter, type Message, type MessageType } from '@synod/core';
import { assertDeepEqual, sampleMessages } from '@synod/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as join from '../src/codec/join-schema.js';
import {
  BallotSchema,
  BODIES,
  DecidedSchema,
  MESSAGE_TYPES,
  MessageUnion,
  PValueSchema,
} from '../src/codec/paxos-schema.js';
import {
  decodeFrameBody,
  encodeMessages,
  MAX_ENTRIES_PER_FRAME,
  WIRE_VERSION,
} from '../src/frame-codec.js';
import { arbMessage } from './arbitraries.js';
import * as joinOracle from './oracle/join.js';
import * as wire from './oracle/paxos.js';

const encodeMessage = (m: Message) => MessageUnion.encode(m);
const keysOf = (schema: { fields: readonly { key: string }[] }) =>
  schema.fields.map((f) => f.key).sort();

/**
 * What protons' reference codec (generated from paxos.proto) should see for a core message: the
 * body named after the type, with the core's field names (the naming rule of wire-codec.ts).
 */
function asReference(m: Message): Record<string, unknown> {
  const { type, ...fields } = m;
  // A repeated field decodes as [] when absent; the core leaves `stores` out instead.
  if (m.type === 'heartbeat' && m.stores === undefined)
    return { [type]: { ...fields, stores: [] } };
  return { [type]: fields };
}

/** What a message decodes to: an absent repeated field comes back as []. */
function asDecoded(m: Message): Message {
  return m.type === 'heartbeat' && m.stores === undefined ? { ...m, stores: [] } : m;
}

/** A frame body (version byte + Frame) holding protons-encoded Messages. */
function referenceFrame(messages: Uint8Array[]): Uint8Array {
  return Uint8Array.of(
    WIRE_VERSION,
    ...wire.Frame.encode({ messages: messages.map((b) => wire.Message.decode(b)) }),
  );
}

/** Decode frames produced by encodeMessages (skipping each frame's length prefix). */
function roundTrip(messages: Message[], maxFrameBytes = 16 << 20): Message[] {
  const { frames } = encodeMessages(messages, maxFrameBytes);
  return frames.flatMap((f) => {
    const r = new ByteReader(f);
    const d = decodeFrameBody(r.raw(r.uint()));
    if (!d.ok) throw new Error(`${d.reason}: ${d.detail}`);
    return d.messages;
  });
}

/** A varint of any exact 64-bit value (one the encoder would refuse to send, for example). */
function varint(n: number): Uint8Array {
  return new ByteWriter().uint64(n).finish();
}

describe('wire codec', () => {
  const samples = sampleMessages();

  it('maps every core message type (the samples cover exactly the mapped types)', () => {
    expect(Object.keys(samples).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it.each(MESSAGE_TYPES)(
    'writes %s exactly as the reference codec generated from the schema does',
    (type: MessageType) => {
      const m = samples[type];
      const mine = encodeMessage(m);
      const decoded = wire.Message.decode(mine);
      assertDeepEqual(decoded, asReference(m), 'reference decode');
      const theirs = wire.Message.encode(asReference(m));
      assertDeepEqual(mine, theirs, 'bytes');
      // And what the reference writes, this codec reads.
      const d = decodeFrameBody(referenceFrame([theirs]));
      expect(d.ok).toBe(true);
      if (d.ok) assertDeepEqual(d.messages, [m]);
    },
  );

  it('agrees with the reference codec on random messages, both ways', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 5 }), (msgs) => {
        for (const m of msgs) {
          const mine = encodeMessage(m);
          assertDeepEqual(mine, wire.Message.encode(asReference(m)), m.type);
          assertDeepEqual(wire.Message.decode(mine), asReference(m), m.type);
        }
        const d = decodeFrameBody(referenceFrame(msgs.map(encodeMessage)));
        if (!d.ok) throw new Error(`${d.reason}: ${d.detail}`);
        assertDeepEqual(d.messages, msgs.map(asDecoded));
        assertDeepEqual(roundTrip(msgs), msgs.map(asDecoded));
      }),
      { numRuns: 300 },
    );
  });

  it.each(MESSAGE_TYPES)('round-trips %s with every field', (type: MessageType) => {
    const m = samples[type];
    // The core's sample sets every field of the table, and nothing else.
    expect(Object.keys(m).sort()).toEqual(['type', ...keysOf(BODIES[type].schema)].sort());
    const [back] = roundTrip([m]);
    assertDeepEqual(back, m);
  });

  it('lists every field of the nested structures', () => {
    const p1b = samples.p1b as Extract<Message, { type: 'p1b' }>;
    expect(Object.keys(p1b.ballot).sort()).toEqual(keysOf(BallotSchema));
    expect(Object.keys(p1b.accepted[0]!).sort()).toEqual(keysOf(PValueSchema));
    const cd = samples.catchupDecisions as Extract<Message, { type: 'catchupDecisions' }>;
    expect(Object.keys(cd.decisions[0]!).sort()).toEqual(keysOf(DecidedSchema));
  });

  it('carries a decision without its value (to a voter: only the ballot), and refuses one with neither', () => {
    const named: Message = { type: 'decision', slot: 7, ballot: { round: 3, leader: 'p2' } };
    assertDeepEqual(roundTrip([named]), [named]);
    const neither = wire.Message.encode({ decision: { slot: 7 } });
    expect(decodeFrameBody(referenceFrame([neither])).ok).toBe(false);
  });

  it('reads bytes from a copy of a frame it does not own (a kept value never pins the receive buffer)', () => {
    const m: Message = { type: 'decision', slot: 1, value: Uint8Array.of(1, 2, 3) };
    const { frames } = encodeMessages([m], 1 << 20);
    // A small frame's length prefix is one byte.
    const body = frames[0]!.subarray(1);
    const d = decodeFrameBody(body);
    if (!d.ok) throw new Error(d.detail);
    const v = (d.messages[0] as { value: Uint8Array }).value;
    expect(v.buffer).not.toBe(frames[0]!.buffer);
    // Within one frame's own buffer (assembled from chunks), values are views: nothing to copy.
    const own = body.slice();
    const o = decodeFrameBody(own, true);
    if (!o.ok) throw new Error(o.detail);
    expect((o.messages[0] as { value: Uint8Array }).value.buffer).toBe(own.buffer);
  });

  it('splits a send that exceeds the frame limit, and drops a message larger than a frame', () => {
    const big = (n: number, seed: number): Message => ({
      type: 'decision',
      slot: seed,
      value: new Uint8Array(n).fill(seed),
    });
    const msgs = [big(3000, 1), big(3000, 2), big(3000, 3), big(9000, 4), big(10, 5)];
    const enc = encodeMessages(msgs, 8192);
    expect(enc.oversized).toBe(1);
    expect(enc.messages).toBe(4);
    expect(enc.frames.length).toBeGreaterThan(1);
    const back = roundTrip(msgs, 8192);
    assertDeepEqual(
      back,
      msgs.filter((m) => (m as { slot: number }).slot !== 4),
    );
  });

  it('bounds the entries of a whole frame, not only of each list (review6)', () => {
    // 32 catch-up answers of 65,536 empty decisions each (`0a 00`): every list is within its
    // limit, but the frame (4 MiB) held 2M entries, 68 MB of decoded objects; a 16 MiB frame
    // of them made a receiver allocate 550 MB and spend 1.9 s of CPU decoding it.
    const inner = new Uint8Array(2 * MAX_ENTRIES_PER_FRAME);
    for (let i = 0; i < inner.length; i += 2) inner[i] = 0x0a;
    const answer = new ByteWriter(inner.length + 8).byte(0x62).bytes(inner).finish();
    const w = new ByteWriter(32 * (answer.length + 8) + 1).byte(WIRE_VERSION);
    for (let i = 0; i < 32; i++) w.byte(0x0a).bytes(answer);
    expect(decodeFrameBody(w.finish())).toMatchObject({ ok: false, reason: 'malformed' });
    // One answer of a full list still passes.
    const one = new ByteWriter(answer.length + 9).byte(WIRE_VERSION).byte(0x0a).bytes(answer);
    expect(decodeFrameBody(one.finish())).toMatchObject({ ok: true });
  });

  it('splits a send into frames that each stay within the entries a frame may hold', () => {
    const answer = (seed: number): Message => ({
      type: 'catchupDecisions',
      decisions: Array.from({ length: MAX_ENTRIES_PER_FRAME }, (_, i) => ({
        slot: seed * MAX_ENTRIES_PER_FRAME + i,
        value: new Uint8Array(0),
      })),
    });
    const msgs = [answer(0), answer(1), answer(2), { type: 'readIndexReq', id: 1 } as Message];
    const enc = encodeMessages(msgs, 16 << 20);
    expect(enc.frames.length).toBeGreaterThan(1);
    assertDeepEqual(roundTrip(msgs), msgs);
  });

  it('rejects invalid messages: missing ballot, unsafe integers, bad index, long ids', () => {
    const bad: wire.Message[] = [
      { p1a: { config: 1, fromSlot: 1, probe: false } },
      { readIndexResp: { id: 1, index: -2 } },
      {
        p1a: {
          config: 1,
          ballot: { round: 1, leader: 'x'.repeat(300) },
          fromSlot: 1,
          probe: false,
        },
      },
      { snapshotChunk: { slot: 1, offset: 5, total: 6, data: new Uint8Array(2) } },
    ];
    for (const w of bad) {
      const body = wire.Frame.encode({ messages: [w] });
      const d = decodeFrameBody(Uint8Array.of(WIRE_VERSION, ...body));
      expect(d.ok, JSON.stringify(Object.keys(w))).toBe(false);
      if (!d.ok) expect(d.reason).toBe('invalid');
    }
    // A uint64 beyond 2^53 (p2b.config = 2^60), written by hand: the encoder refuses it.
    const p2b = Uint8Array.of(0x08, ...varint(2 ** 60), 0x12, 0x00, 0x18, 0x01);
    const unsafe = Uint8Array.of(0x22, p2b.length, ...p2b);
    const u = decodeFrameBody(Uint8Array.of(WIRE_VERSION, 0x0a, unsafe.length, ...unsafe));
    expect(u.ok).toBe(false);
    // Two bodies in one Message: as proto3 says, the last one wins.
    const two = Uint8Array.of(
      ...wire.Message.encode({ readIndexReq: { id: 1 } }),
      ...wire.Message.encode({ readIndexResp: { id: 1, index: 0 } }),
    );
    const frame = Uint8Array.of(WIRE_VERSION, 0x0a, two.length, ...two);
    expect(decodeFrameBody(frame)).toMatchObject({
      ok: true,
      messages: [{ type: 'readIndexResp', id: 1, index: 0 }],
    });
    // A known field with the wrong wire type is rejected, not misread (decision.slot as bytes).
    const wrong = Uint8Array.of(0x2a, 0x03, 0x0a, 0x01, 0x05);
    expect(
      decodeFrameBody(Uint8Array.of(WIRE_VERSION, 0x0a, wrong.length, ...wrong)),
    ).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('drops a frame whole when any one of its messages is invalid, wherever it stands (property)', () => {
    // Invalid messages protobuf can carry (the encoder refuses to write them).
    const p2b = Uint8Array.of(0x08, ...varint(2 ** 60), 0x12, 0x00, 0x18, 0x01);
    const invalid: Uint8Array[] = [
      wire.Message.encode({ p1a: { config: 1, fromSlot: 1, probe: false } }),
      wire.Message.encode({ readIndexResp: { id: 1, index: -2 } }),
      wire.Message.encode({ decision: { slot: 1 } }),
      wire.Message.encode({
        p2a: {
          config: 1,
          ballot: { round: 1, leader: 'x'.repeat(257) },
          slot: 1,
          value: new Uint8Array(0),
        },
      }),
      Uint8Array.of(0x22, p2b.length, ...p2b),
    ];
    fc.assert(
      fc.property(
        fc.array(arbMessage, { maxLength: 6 }),
        fc.nat(),
        fc.constantFrom(...invalid),
        (msgs, at, bad) => {
          const entries = msgs.map(encodeMessage);
          entries.splice(at % (entries.length + 1), 0, bad);
          const w = new ByteWriter().byte(WIRE_VERSION);
          for (const e of entries) w.byte(0x0a).bytes(e);
          const d = decodeFrameBody(w.finish());
          expect(d).toMatchObject({ ok: false, reason: 'invalid' });
          // Without it, the same frame is delivered whole.
          assertDeepEqual(roundTrip(msgs), msgs.map(asDecoded));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips (and counts) a message type it does not know, keeping the others', () => {
    // Field 99 of Message: a type a newer peer might send.
    const unknown = Uint8Array.of(...varint((99 << 3) | 2), 0x01, 0x00);
    const known = wire.Message.encode({ readIndexReq: { id: 7 } });
    const body = Uint8Array.of(
      WIRE_VERSION,
      0x0a,
      unknown.length,
      ...unknown,
      0x0a,
      known.length,
      ...known,
    );
    const d = decodeFrameBody(body);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.unknown).toBe(1);
      expect(d.messages).toEqual([{ type: 'readIndexReq', id: 7 }]);
    }
  });

  it('drops frames of another version, empty frames and garbage', () => {
    expect(decodeFrameBody(Uint8Array.of(WIRE_VERSION + 1, 0x0a, 0))).toMatchObject({
      ok: false,
      reason: 'unknown-version',
    });
    expect(decodeFrameBody(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeFrameBody(Uint8Array.of(WIRE_VERSION, 0x0a, 0x05, 1))).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('join codec', () => {
  const arbInvite = fc.record({
    version: fc.oneof(fc.constant(1), fc.nat({ max: 2 ** 32 - 1 })),
    logId: fc.string({ maxLength: 40 }),
    inviter: fc.uint8Array({ maxLength: 40 }),
    addrs: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 4 }),
    expires: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
    secret: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  });
  const arbResponse = fc.record({
    ok: fc.boolean(),
    code: fc.string({ maxLength: 20 }),
    message: fc.string({ unit: 'grapheme', maxLength: 40 }),
    logId: fc.string({ maxLength: 20 }),
    members: fc.array(
      fc.record({
        peer: fc.string({ maxLength: 60 }),
        addrs: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
  });

  it('writes and reads invites and join messages as the reference codec does', () => {
    fc.assert(
      fc.property(arbInvite, arbResponse, (invite, response) => {
        const mine = join.Invite.encode(invite);
        assertDeepEqual(mine, joinOracle.Invite.encode(invite), 'invite bytes');
        assertDeepEqual(join.Invite.decode(joinOracle.Invite.encode(invite)), invite);
        const req = join.JoinRequest.encode({ invite });
        assertDeepEqual(req, joinOracle.JoinRequest.encode({ invite }), 'request bytes');
        assertDeepEqual(join.JoinRequest.decode(req), { invite });
        const res = join.JoinResponse.encode(response);
        assertDeepEqual(res, joinOracle.JoinResponse.encode(response), 'response bytes');
        assertDeepEqual(join.JoinResponse.decode(res), response);
      }),
      { numRuns: 200 },
    );
    // A request without an invite decodes as one (join.ts refuses it with bad-request).
    expect(join.JoinRequest.decode(new Uint8Array(0))).toEqual({ invite: undefined });
  });
});
