/**
 * A slot number a message makes huge costs no more than what the peer holds, or the WINDOW: one
 * forged or corrupted slot near 2^53 must not keep a peer's event loop busy for ever (DESIGN.md
 * §6: bad input changes nothing, or is bounded). Here the read index: a pvalue that a P1b
 * reports far off is re-proposed by the leader it adopts, and every linearizable read then walks
 * towards it (Replica.coverSkips).
 */
import { describe, expect, it } from 'vitest';
import { encodeSkip, NOOP } from '../src/command.js';
import { Replica } from '../src/replica.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';
import { drivenNode } from './driven-node.js';
import { b, testContext } from './helpers.js';

const three = ['p1', 'p2', 'p3'];
const WINDOW = 8;

/**
 * A proposal lookup that fails the test once called more often than a WINDOW's worth of slots
 * could need: a walk over every slot number up to a far one fails at once, not after hours.
 */
function boundedLookup(values = new Map<number, Uint8Array>()) {
  let calls = 0;
  return (slot: number) => {
    if (++calls > 4 * WINDOW) throw new Error(`looked up ${calls} slots, up to ${slot}`);
    return values.get(slot);
  };
}

function replica(): Replica {
  const r = new Replica(testContext('p1'), new KvStateMachine());
  const members = { replicas: three, leaders: three, acceptors: three };
  Array.from(r.install(SimCluster.initialSnapshot(members, WINDOW), false));
  return r;
}

describe('Replica.coverSkips walks at most to its limit', () => {
  it('a decision of its own leader near 2^53: returns at once, at or past the limit', () => {
    const r = replica();
    const far = 2 ** 52;
    // This peer's own leader decided it (kept whatever its slot: PMMC Invariant A4).
    Array.from(r.onDecision(far, NOOP, 'self'));
    expect(r.maxDecided).toBe(far);
    const limit = r.slotOut + WINDOW - 1;
    expect(r.coverSkips(far, boundedLookup(), limit)).toBe(far);
    // An index below the limit is walked as before: the far decision is never reached.
    expect(r.coverSkips(3, boundedLookup(), limit)).toBe(3);
  });

  it('below the limit, covers every skip decided or proposed, as far as they reach', () => {
    const r = replica();
    const limit = r.slotOut + WINDOW - 1; // 8
    // A skip proposed at 2 voids 3..5; one decided at 5 (read as a skip too) voids 6..7.
    const proposals = new Map([[2, encodeSkip(2, 5, WINDOW)]]);
    Array.from(r.onDecision(5, encodeSkip(5, 7, WINDOW), 'self'));
    expect(r.coverSkips(2, boundedLookup(proposals), limit)).toBe(7);
    // Nothing to cover from slot 1 alone.
    expect(r.coverSkips(1, boundedLookup(), limit)).toBe(1);
    // A skip that reaches the limit ends the walk there.
    proposals.set(7, encodeSkip(7, 14, WINDOW));
    expect(r.coverSkips(2, boundedLookup(proposals), limit)).toBe(14);
  });
});

/** p1 of a new log of three, stepped by hand (driven-node.ts). */
const driven = () => drivenNode('p1', three, { window: WINDOW });

describe('a leader adopted with a pvalue far off', () => {
  // A timeout, as the old walk took time in proportion to the distance: not 2^52 here, where it
  // ran for ever and a test that hangs cannot fail; at 5·10^8 slots it took 13 s of CPU per read
  // (three here).
  it(
    'answers reads at once: not confirmed while the far slot is not applied',
    { timeout: 5000 },
    () => {
      // p2 answers p1's P1a with a pvalue far off (forged, or corrupted on its disk). p1 must
      // re-propose it (it may be chosen), and the index of every read covers it.
      const far = 5e8;
      const l = driven();
      for (let i = 0; i < 100 && !l.n.status().leader.active; i++) {
        l.tick(10);
        for (const { to, msg } of l.sent.splice(0)) {
          if (to !== 'p2' || msg.type !== 'p1a') continue;
          const { config, ballot, probe } = msg;
          const accepted = probe ? [] : [{ config, ballot: b(1, 'p3'), slot: far, value: NOOP }];
          l.n.step('p2', { type: 'p1b', config, ballot, accepted, watermark: 0, probe });
        }
        l.turn();
      }
      expect(l.n.status().leader.active).toBe(true);
      expect(l.sent.some(({ msg }) => msg.type === 'p2a' && msg.slot === far)).toBe(true);
      l.sent.length = 0;

      // A read here, and one a follower asks for: neither can be confirmed while slot `far` is
      // not applied (its configuration is not known), and both return at once.
      l.n.read(1);
      l.n.step('p2', { type: 'readIndexReq', id: 7 });
      const rd = l.turn();
      expect(rd.reads).toEqual([]);
      expect(l.sent.map(({ to, msg }) => [to, msg])).toContainEqual([
        'p2',
        { type: 'readIndexResp', id: 7, index: -1 },
      ]);

      // The read is tried again, and returns as promptly.
      l.tick(100);
      expect(l.n.status().leader.active).toBe(true);
    },
  );
});
