/**
 * Compaction keeps storage bounded however long the log runs (DESIGN.md §3 item 8): over more
 * than six snapshot intervals of a busy log (a snapshot every 250 slots, 250 retained, 32,000
 * commands), no peer ever holds more than two intervals plus the window of decisions or pvalues.
 * (It ran 100,000 commands at an interval of 1,000: the same six intervals, four times the work.)
 * With large batches the bytes bind first (snapshotIntervalBytes, logRetentionBytes): decided
 * values stay in memory until a snapshot lets them go, so a slot count alone let 100 KB batches
 * hold hundreds of MB per peer.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/testing/sim-cluster.js';

/** A 3-peer simulated cluster, started and settled. */
function cluster(protocol: ConstructorParameters<typeof SimCluster>[0]['protocol']): SimCluster {
  const ids = ['p1', 'p2', 'p3'];
  const c = new SimCluster({
    seed: 7,
    protocol,
    fsyncMs: [0.2, 0.5],
    network: { minDelayMs: 0.1, maxDelayMs: 0.5 },
  });
  const snap = SimCluster.initialSnapshot({ replicas: ids, leaders: ids, acceptors: ids }, WINDOW);
  for (const id of ids) {
    c.addPeer(id, snap);
    c.start(id);
  }
  c.runFor(2000);
  return c;
}

const INTERVAL = 250;
const WINDOW = 64;
const COMMANDS = 32_000;

describe('compaction', () => {
  it(`keeps decisions and pvalues bounded over ${COMMANDS} commands`, () => {
    const ids = ['p1', 'p2', 'p3'];
    const c = cluster({ snapshotInterval: INTERVAL, logRetention: INTERVAL, maxBatchCommands: 16 });
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

  it('keeps the bytes of decided values bounded when batches are large', () => {
    const ids = ['p1', 'p2', 'p3'];
    const BYTES = 64 * 1024;
    const c = cluster({
      snapshotInterval: 100_000,
      logRetention: 100_000,
      snapshotIntervalBytes: BYTES,
      logRetentionBytes: BYTES,
      maxBatchCommands: 16,
      maxSlotsAhead: 500_000,
    });
    const value = 'v'.repeat(1000);
    let issued = 0;
    let maxHeld = 0;
    let maxSlot = 0;
    while (issued < 3000) {
      for (const id of ids) {
        while (c.outstanding(id) < WINDOW && issued < 3000) {
          // Puts on ten keys: the state (and so each snapshot) stays small.
          c.invoke(id, { op: 'put', key: `k${issued % 10}`, value: `${issued}${value}` });
          issued++;
        }
      }
      c.runFor(2);
      for (const id of ids) {
        let held = 0;
        for (const v of c.peer(id).node!.replica.decisions.values()) {
          held += v.length;
          maxSlot = Math.max(maxSlot, v.length);
        }
        maxHeld = Math.max(maxHeld, held);
      }
    }
    c.runFor(2000);
    expect(c.totalOutstanding()).toBe(0);
    expect(c.violations).toEqual([]);
    // About 3 MB were decided; a peer held the retained bytes, those applied since its last
    // snapshot, and the decided slots of one WINDOW not yet applied.
    expect(maxSlot).toBeGreaterThan(8 * 1024);
    expect(maxHeld).toBeGreaterThan(BYTES);
    expect(maxHeld).toBeLessThan(2 * BYTES + (WINDOW + 2) * maxSlot);
    expect(maxHeld).toBeLessThan(1024 * 1024);
  }, 120_000);
});
