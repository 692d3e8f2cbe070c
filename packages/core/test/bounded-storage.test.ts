/**
 * Compaction keeps storage bounded however long the log runs (DESIGN.md §3 item 8): after
 * 100,000 commands with a snapshot every 1,000 slots, no peer holds more than a few thousand
 * decisions or pvalues.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/testing/sim-cluster.js';

describe('compaction', () => {
  it('keeps decisions and pvalues bounded over 100,000 commands', () => {
    const ids = ['p1', 'p2', 'p3'];
    const c = new SimCluster({
      seed: 7,
      protocol: { snapshotInterval: 1000, logRetention: 1000, maxBatchCommands: 16 },
      fsyncMs: [0.2, 0.5],
      network: { minDelayMs: 0.1, maxDelayMs: 0.5 },
    });
    const snap = SimCluster.initialSnapshot({ replicas: ids, leaders: ids, acceptors: ids }, 64);
    for (const id of ids) {
      c.addPeer(id, snap);
      c.start(id);
    }
    c.runFor(2000);
    let issued = 0;
    let maxDecisions = 0;
    let maxPvalues = 0;
    while (issued < 100_000) {
      for (const id of ids) {
        while (c.outstanding(id) < 64 && issued < 100_000) {
          c.invoke(id, { op: 'append', key: `k${issued % 10}`, value: '.' });
          issued++;
        }
      }
      c.runFor(2);
      for (const id of ids) {
        const s = c.peer(id).storage.sizes();
        maxDecisions = Math.max(maxDecisions, s.decisions);
        maxPvalues = Math.max(maxPvalues, s.accepted);
      }
    }
    c.runFor(2000);
    expect(c.totalOutstanding()).toBe(0);
    expect(c.violations).toEqual([]);
    const slots = c.peer('p1').node!.status().slotOut;
    expect(slots).toBeGreaterThan(6000);
    // A snapshot every 1,000 slots plus 1,000 retained: never more than about 2,000 + WINDOW.
    expect(maxDecisions).toBeLessThan(2200);
    expect(maxPvalues).toBeLessThan(2200);
  }, 120_000);
});
