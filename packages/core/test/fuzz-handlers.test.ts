/**
 * Message handlers under random input: whatever a peer sends (the transport has already checked
 * that it is structurally a message), nothing throws out of `step`, and the peer goes on
 * serving. Members are trusted (Paxos is not Byzantine-tolerant), so a forged decision may
 * change what this peer believes; it must still never crash it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatch, NOOP } from '../src/command.js';
import type { Message } from '../src/messages.js';
import { encodeKv } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const peer = fc.constantFrom('p1', 'p2', 'p3', 'stranger', '');
// Far slots too: a forged slot millions ahead once made the next leader fill every slot below
// it with a no-op (found by test/fuzz/soak.mjs; now a leader fills one WINDOW of gaps at once).
const slot = fc.oneof(
  fc.nat({ max: 50 }),
  fc.constantFrom(5_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER),
);
const config = fc.oneof(fc.nat({ max: 3 }), fc.constant(2 ** 40));
const ballot = fc.record({
  round: fc.oneof(fc.nat({ max: 5 }), fc.constant(Number.MAX_SAFE_INTEGER)),
  leader: peer,
});
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(NOOP),
  fc.constant(
    encodeBatch([
      {
        kind: 'app',
        client: 'x',
        inc: 1,
        seq: 1,
        ack: 0,
        op: encodeKv({ op: 'put', key: 'k', value: 'v' }),
      },
    ]),
  ),
);
const pvalue = fc.record({ config, ballot, slot, value: bytes });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('p1a' as const),
    config,
    ballot,
    fromSlot: slot,
    probe: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('p1b' as const),
    config,
    ballot,
    accepted: fc.array(pvalue, { maxLength: 4 }),
    watermark: slot,
    probe: fc.boolean(),
  }),
  fc.record({ type: fc.constant('p2a' as const), config, ballot, slot, value: bytes }),
  fc.record({ type: fc.constant('p2b' as const), config, ballot, slot, proposal: ballot }),
  fc.record({ type: fc.constant('decision' as const), slot, value: bytes }),
  fc.record({ type: fc.constant('decision' as const), slot, ballot }),
  fc.record({ type: fc.constant('request' as const), commands: bytes, hops: fc.nat({ max: 5 }) }),
  fc.record({
    type: fc.constant('heartbeat' as const),
    config,
    ballot,
    seq: fc.nat(),
    slotOut: slot,
    snapshotSlot: slot,
  }),
  fc.record({
    type: fc.constant('heartbeatAck' as const),
    config,
    ballot,
    seq: fc.nat(),
    slotOut: slot,
  }),
  fc.record({
    type: fc.constant('transfer' as const),
    config,
    ballot,
    to: fc.constantFrom('p1', 'p2', 'p3', 'p9'),
  }),
  fc.record({ type: fc.constant('readIndexReq' as const), id: fc.nat() }),
  fc.record({
    type: fc.constant('readIndexResp' as const),
    id: fc.nat(),
    index: fc.integer({ min: -1, max: 100 }),
  }),
  fc.record({
    type: fc.constant('catchupReq' as const),
    fromSlot: slot,
    snapshotSlot: slot,
    offset: fc.nat(),
  }),
  fc.record({
    type: fc.constant('catchupDecisions' as const),
    decisions: fc.array(fc.record({ slot, value: bytes }), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('snapshotChunk' as const),
    slot,
    offset: fc.nat({ max: 100 }),
    total: fc.nat({ max: 200 }),
    data: bytes,
  }),
);

describe('message handlers under random input', () => {
  it('never throw, and the peer keeps ticking and answering', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(peer, message), { minLength: 1, maxLength: 40 }),
        fc.nat({ max: 3 }),
        (msgs, target) => {
          const ids = ['p1', 'p2', 'p3'];
          const c = new SimCluster({ seed: 1 });
          const snap = SimCluster.initialSnapshot({ replicas: ids, leaders: ids, acceptors: ids });
          for (const id of ids) {
            c.addPeer(id, snap);
            c.start(id);
          }
          c.runFor(800);
          const victim = c.peer(ids[target % 3]!);
          for (const [from, m] of msgs) {
            expect(() => victim.node!.step(from, m)).not.toThrow();
          }
          expect(() => c.runFor(500)).not.toThrow();
          expect(victim.node!.status().id).toBe(victim.id);
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);
});
