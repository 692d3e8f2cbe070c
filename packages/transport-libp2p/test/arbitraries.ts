/** fast-check arbitraries for core messages, covering every type and the edges of each field. */
import type {
  Ballot,
  Decided,
  Message,
  MessageType,
  PeerStamp,
  PValue,
  StoreStamp,
} from '@synod/core';
import * as fc from 'fast-check';

const uint = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.nat(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const bytes = fc.uint8Array({ maxLength: 300 });
const leader = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant('12D3KooWMXQdHcNbg95Dn9oAwFgLRG1gvqxTxJnsvyWZrnwkSQfz'),
);
const ballot: fc.Arbitrary<Ballot> = fc.record({ round: uint, leader });
const pvalue: fc.Arbitrary<PValue> = fc.record({ config: uint, ballot, slot: uint, value: bytes });
const decided: fc.Arbitrary<Decided> = fc.record({ slot: uint, value: bytes });
const store: fc.Arbitrary<StoreStamp> = fc.record({ run: uint, start: uint, seq: uint });
const peerStamp: fc.Arbitrary<PeerStamp> = fc.record({
  peer: leader,
  run: uint,
  start: uint,
  seq: uint,
});

export const arbByType: { [T in MessageType]: fc.Arbitrary<Extract<Message, { type: T }>> } = {
  p1a: fc.record(
    {
      type: fc.constant('p1a' as const),
      config: uint,
      ballot,
      fromSlot: uint,
      probe: fc.boolean(),
      store,
    },
    { requiredKeys: ['type', 'config', 'ballot', 'fromSlot', 'probe'] },
  ),
  p1b: fc.record(
    {
      type: fc.constant('p1b' as const),
      config: uint,
      ballot,
      accepted: fc.array(pvalue, { maxLength: 4 }),
      watermark: uint,
      probe: fc.boolean(),
      store,
    },
    { requiredKeys: ['type', 'config', 'ballot', 'accepted', 'watermark', 'probe'] },
  ),
  p2a: fc.record(
    { type: fc.constant('p2a' as const), config: uint, ballot, slot: uint, value: bytes, store },
    { requiredKeys: ['type', 'config', 'ballot', 'slot', 'value'] },
  ),
  p2b: fc.record(
    {
      type: fc.constant('p2b' as const),
      config: uint,
      ballot,
      slot: uint,
      proposal: ballot,
      store,
    },
    { requiredKeys: ['type', 'config', 'ballot', 'slot', 'proposal'] },
  ),
  // A decision carries its value, or names the voted pvalue's ballot (to a peer whose acceptor
  // voted for it), or both; never neither (the schema's check).
  decision: fc
    .record(
      {
        type: fc.constant('decision' as const),
        slot: uint,
        value: fc.uint8Array({ maxLength: 300 }),
        ballot,
      },
      { requiredKeys: ['type', 'slot'] },
    )
    .filter((d) => d.value !== undefined || d.ballot !== undefined),
  request: fc.record(
    { type: fc.constant('request' as const), commands: bytes, hops: uint, store },
    { requiredKeys: ['type', 'commands', 'hops'] },
  ),
  heartbeat: fc.record(
    {
      type: fc.constant('heartbeat' as const),
      config: uint,
      ballot,
      seq: uint,
      slotOut: uint,
      snapshotSlot: uint,
      stores: fc.array(peerStamp, { minLength: 1, maxLength: 4 }),
    },
    { requiredKeys: ['type', 'config', 'ballot', 'seq', 'slotOut', 'snapshotSlot'] },
  ),
  heartbeatAck: fc.record(
    {
      type: fc.constant('heartbeatAck' as const),
      config: uint,
      ballot,
      seq: uint,
      slotOut: uint,
      store,
    },
    { requiredKeys: ['type', 'config', 'ballot', 'seq', 'slotOut'] },
  ),
  transfer: fc.record({ type: fc.constant('transfer' as const), config: uint, ballot, to: leader }),
  readIndexReq: fc.record({ type: fc.constant('readIndexReq'), id: uint }),
  readIndexResp: fc.record({
    type: fc.constant('readIndexResp'),
    id: uint,
    index: fc.oneof(fc.constant(-1), uint),
  }),
  catchupReq: fc.record({
    type: fc.constant('catchupReq'),
    fromSlot: uint,
    snapshotSlot: uint,
    offset: uint,
  }),
  catchupDecisions: fc.record(
    {
      type: fc.constant('catchupDecisions' as const),
      decisions: fc.array(decided, { maxLength: 4 }),
      slotOut: uint,
    },
    { requiredKeys: ['type', 'decisions'] },
  ),
  // A chunk lies within its snapshot: offset + data.length <= total, and total is a safe
  // integer (the encoder refuses anything else). Built from total down, so it holds by
  // construction for every generated value (seed 598851949 once made total 2^53).
  snapshotChunk: fc
    .record({ slot: uint, total: uint, data: bytes, before: uint })
    .map(({ slot, total, data, before }) => {
      const size = Math.min(data.length, total);
      return {
        type: 'snapshotChunk' as const,
        slot,
        offset: before % (total - size + 1),
        total,
        data: data.slice(0, size),
      };
    }),
  rolledBack: fc.record({
    type: fc.constant('rolledBack'),
    why: fc.string({ unit: 'grapheme', maxLength: 200 }),
    store,
  }),
};

export const arbMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(arbByType));
