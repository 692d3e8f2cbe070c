/**
 * A leaver's hand-over (handover.ts) must rest on what a remaining replica holds durably. The
 * leaver of `{p1, p2}` stops once p2 is heard to have applied every slot below the configuration
 * `{p2}`; those slots need both acceptors to be decided again. If p2 crashes right after, it must
 * come back with those slots, or nobody can ever tell it them. When the leaver counted what p2
 * had applied (heartbeats, acks, catch-up answers with p2's in-memory slotOut), p2 said so while
 * its last decisions waited for its next write: 5 of these 8 seeds stalled at slot 3 for ever.
 * Now catch-up answers carry `durableSlotOut`, and only they count (handover.ts).
 */
import { describe, expect, it } from 'vitest';
import { Handover } from '../src/handover.js';
import type { ProtocolOptions } from '../src/options.js';
import { testContext } from './helpers.js';
import { ids, proposeRemoval, twoPeersLed } from './two-peer-sim.js';

/**
 * A log of p1 and p2 with a few commands, whose leader has removed itself and applied up to the
 * configuration without it (`start`), as SynodNode.removePeer(self) does before it hands over.
 */
function leaverAtStart(seed: number, protocol: Partial<ProtocolOptions> = {}) {
  const log = twoPeersLed(seed, protocol);
  const { c, node } = log;
  const leaving = ids.find((id) => node(id).status().leader.active)!;
  const staying = ids.find((id) => id !== leaving)!;
  proposeRemoval(log, leaving, leaving);
  c.runFor(5_000, () => node(leaving).removed);
  expect(node(leaving).removed).toBe(true);
  const start = node(staying).replica.configs.latest()!.start;
  return { c, node, leaving, staying, start };
}

describe('a leaver hands over what the one that stays holds durably', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: the one that stays, crashed right after the leaver left, goes on alone`, () => {
      const { c, node, leaving, staying, start } = leaverAtStart(seed);
      node(leaving).handOver(start, [staying]);
      c.kick(leaving);
      c.runFor(5_000, () => node(leaving).handedOver);
      expect(node(leaving).handedOver).toBe(true);

      // The leaver stops for good; the one that stays crashes at that very instant.
      c.crash(leaving);
      c.crash(staying);
      c.start(staying);
      c.runFor(10_000, () => node(staying).status().slotOut >= start);
      expect(node(staying).status().slotOut).toBeGreaterThanOrEqual(start);
      c.invoke(staying, { op: 'append', key: 'x', value: 'after.' });
      c.runFor(10_000, () => c.totalOutstanding() === 0);
      expect(c.totalOutstanding()).toBe(0);
    });
  }

  // The one that stays went on so far that it compacted the leaver's slot: it answers the
  // leaver's requests with a snapshot, which no longer counts (a snapshot just taken may not be
  // durable yet). The leaver's own catch-up, which probes a member when it hears no leader (every
  // two election timeouts), fetches that snapshot; its next request, from past it, is answered
  // with decisions and the durableSlotOut that counts.
  it('a remaining replica that compacted past the leaver answers with a snapshot: the leaver fetches it, then hands over', () => {
    const { c, node, leaving, staying, start } = leaverAtStart(1, {
      snapshotInterval: 4,
      logRetention: 0,
    });
    for (let i = 0; i < 20; i++) {
      c.invoke(staying, { op: 'append', key: 'y', value: `${i}.` });
      c.runFor(1_000, () => c.totalOutstanding() === 0);
    }
    expect(c.totalOutstanding()).toBe(0);
    expect(node(staying).replica.retainedFrom).toBeGreaterThan(node(leaving).status().slotOut);
    node(leaving).handOver(start, [staying]);
    c.kick(leaving);
    c.runFor(5_000, () => node(leaving).handedOver);
    expect(node(leaving).handedOver).toBe(true);
  });
});

describe('Handover', () => {
  it('is done only once a replica that stays holds every slot before the removal durably', () => {
    // Slot start - 1 is the last of a configuration with the leaver in it: once the leaver has
    // stopped, nobody can decide it again, so a replica that stays must hold it already.
    const h = new Handover(testContext('a'));
    h.begin(10, ['a', 'b']);
    const answer = (slotOut: number) =>
      h.heard('b', { type: 'catchupDecisions', decisions: [], slotOut });
    answer(9);
    expect(h.done).toBe(false);
    answer(10);
    expect(h.done).toBe(true);
  });
});
