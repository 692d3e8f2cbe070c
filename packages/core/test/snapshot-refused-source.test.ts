/**
 * A peer that refuses a member's snapshot asks another member (catchup.ts, "Termination"): the
 * refused transfer moved nothing, as an empty answer moves nothing. It used to ask the same
 * member again at once, whole transfer after whole transfer, for as long as that member was the
 * one it knew to be furthest ahead, while another member held a snapshot it could install.
 */
import { describe, expect, it } from 'vitest';
import { encodeSnapshot } from '../src/snapshot.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

const three = ['p1', 'p2', 'p3'];
const members = { replicas: three, leaders: three, acceptors: three };

describe('a snapshot refused', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the peer behind gets one it can install from another member`, () => {
      const c = new SimCluster({
        seed,
        protocol: { snapshotInterval: 8, logRetention: 0, snapshotChunkBytes: 64 },
        fsyncMs: [1, 3],
        network: { minDelayMs: 1, maxDelayMs: 3 },
        traceLimit: 100_000,
      });
      const snap = SimCluster.initialSnapshot(members, 8);
      for (const id of three) {
        c.addPeer(id, snap);
        c.start(id);
      }
      const node = (id: string) => c.peer(id).node!;
      c.runFor(5_000, () => three.some((id) => node(id).status().leader.active));
      const leader = three.find((id) => node(id).status().leader.active)!;
      const [lagging, other] = three.filter((id) => id !== leader) as [string, string];

      // `lagging` is away while the others decide and compact 40 slots.
      c.partition([[leader, other], [lagging]]);
      for (let i = 0; i < 40; i++) {
        c.invoke(leader, { op: 'append', key: 'x', value: `${i}.` });
        c.runFor(200, () => c.outstanding(leader) === 0);
      }
      expect(c.totalOutstanding()).toBe(0);
      const s = node(leader).replica.snapshot!;
      expect(s.slot).toBeGreaterThan(8);

      // The leader's snapshot is one no replica can install (its configuration ids have a gap):
      // corrupted on its disk, say. The other member's is sound.
      node(leader).replica.snapshot = {
        slot: s.slot,
        data: encodeSnapshot({
          slot: s.slot,
          window: 8,
          skips: true,
          configs: [
            { id: 0, start: 1, ...members },
            { id: 2, start: 5, ...members },
          ],
          clients: [],
          app: new TextEncoder().encode('{"data":[],"ids":[]}'),
        }),
      };
      const mark = c.traceCount;
      c.heal();
      // It hears the leader's heartbeats (the leader is ahead) and fetches the leader's
      // snapshot first; refused, it must turn to `other`.
      c.runFor(10_000, () => node(lagging).status().slotOut >= s.slot);
      expect(node(lagging).status().slotOut).toBeGreaterThanOrEqual(s.slot);
      expect(node(lagging).replica.configs.latest()?.id).toBe(0);
      // The leader's snapshot was fetched and refused once at most, not again and again.
      const refusals = c.traceSince(mark).filter((l) => l.includes(`${lagging} rejects snapshot`));
      expect(refusals.length).toBeLessThanOrEqual(1);
    });
  }
});
