/**
 * Compaction keeps storage bounded however long the log runs (DESIGN.md §3 item 8): over more
 * than six snapshot intervals of a busy log (a snapshot every 250 slots, 250 retained, 32,000
 * commands), no peer ever holds more than two intervals plus the window of decisions or pvalues.
 * (It ran 100,000 commands at an interval of 1,000: the same six intervals, four times the work.)
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/testing/sim-cluster.js';

const INTERVAL = 250;
const WINDOW = 64;
const COMMANDS = 32_000;

describe('compaction', () => {
  it(`keeps decisions and pvalues bounded over ${COMMANDS} commands`, () => {
    const ids = ['p1', 'p2', 'p3'];
    const c = new SimCluster({
      seed: 7,
      protocol: { snapshotInterval: INTERVAL, logRetention: INTERVAL, maxBatchCommands: 16 },
      fsyncMs: [0.2, 0.5],
      network: { minDelayMs: 0.1, maxDelayMs: 0.5 },
    });
    const snap = SimCluster.initialSnapshot(
      { replicas: ids, leaders: ids, acceptors: ids },
      WINDOW,
    );
    for (const id of ids) {
      c.addPeer(id, snap);
      c.start(id);
    }
    c.runFor(2000);
    let issued = 0;
    let maxDecisions = 0;
    let maxPvalues = 0;
    while (issued < COMMANDS) {
      for (const id of ids) {
        while (c.outstanding(id) < WINDOW && issued < COMMANDS) {
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
    expect(slots).toBeGreaterThan(6 * INTERVAL);
    // A snapshot every INTERVAL slots plus INTERVAL retained: never more than about
    // 2 * INTERVAL + WINDOW (slack for the batch in flight).
    const bound = 2 * INTERVAL + WINDOW + 100;
    expect(maxDecisions).toBeLessThan(bound);
    expect(maxPvalues).toBeLessThan(bound);
  }, 120_000);
});
