/**
 * The hand-over tests' log: p1 and p2, each a replica, leader and acceptor, on the simulator
 * (fsyncs of 1-3 ms, so decisions wait in writes in flight), run until one of them leads.
 */
import { expect } from 'vitest';
import { removePeer } from '../src/membership.js';
import type { ProtocolOptions } from '../src/options.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

export const ids = ['p1', 'p2'];

export function twoPeersLed(seed: number, protocol: Partial<ProtocolOptions> = {}) {
  const c = new SimCluster({
    seed,
    protocol,
    fsyncMs: [1, 3],
    network: { minDelayMs: 1, maxDelayMs: 3 },
  });
  const snap = SimCluster.initialSnapshot({ replicas: ids, leaders: ids, acceptors: ids }, 8);
  for (const id of ids) {
    c.addPeer(id, snap);
    c.start(id);
  }
  const node = (id: string) => c.peer(id).node!;
  c.runFor(5_000, () => ids.some((id) => node(id).status().leader.active));
  return { c, node };
}

/**
 * `by` commits 5 commands, then proposes removing `removed` (itself or the other) and is kicked;
 * the simulator's clock is observed at `by`. What follows the proposal is each test's own.
 */
export function proposeRemoval(
  { c, node }: ReturnType<typeof twoPeersLed>,
  by: string,
  removed: string,
): void {
  for (let i = 0; i < 5; i++) c.invoke(by, { op: 'append', key: 'x', value: `${i}.` });
  c.runFor(2_000, () => c.totalOutstanding() === 0);
  expect(c.totalOutstanding()).toBe(0);
  const proposer = node(by);
  c.observeTime(proposer);
  proposer.proposeReconfig(removePeer(proposer.status().config!, removed));
  c.kick(by);
}
