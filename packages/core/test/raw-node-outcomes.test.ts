/**
 * RawNode carries out what its parts return (raw-node.ts): each test here fails when RawNode
 * drops one of those outcomes. RawNodes driven by hand, messages delivered until none is left,
 * and no clock but the one a test moves.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/memory-storage.js';
import { encodeBatch } from '../src/command.js';
import type { Envelope } from '../src/messages.js';
import { RawNode } from '../src/raw-node.js';
import { KvStateMachine, encodeKv } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

// p1 may lead but does not vote: a transfer to it need not wait for its acceptor to catch up.
const membership = { replicas: ['p1', 'p2', 'p3'], leaders: ['p1', 'p2'], acceptors: ['p2', 'p3'] };

function cluster() {
  const nodes = new Map<string, RawNode>();
  for (const id of membership.replicas) {
    const storage = new MemoryStorage();
    storage.applySync({ snapshot: SimCluster.initialSnapshot(membership, 4) });
    const n = new RawNode({ id, stateMachine: new KvStateMachine(), random: () => 0.5 });
    n.load(storage.loadSync());
    nodes.set(id, n);
  }
  const sent: Envelope[] = [];
  /** Turns and deliveries until no message is left; returns what `from` sent meanwhile. */
  const pump = (from: string): Envelope[] => {
    const mine: Envelope[] = [];
    for (let busy = true; busy;) {
      busy = false;
      for (const [id, n] of nodes) {
        const rd = n.ready();
        n.advance();
        for (const e of [...rd.messages, ...rd.afterPersist]) {
          busy = true;
          if (id === from) mine.push(e);
          sent.push(e);
          nodes.get(e.to)!.step(id, e.msg);
        }
      }
    }
    return mine;
  };
  return { nodes, pump };
}

describe('RawNode carries out', () => {
  // The leader's outcome (onChosen): the pvalue a commander got chosen is learned by the replica
  // beside it, and then the leader hands over at once if a transfer waited only for that slot.
  it('a chosen pvalue: learned, and a transfer waiting for the slots in flight goes', () => {
    const { nodes, pump } = cluster();
    const p2 = nodes.get('p2')!;
    pump('p2'); // every incarnation durable
    // Only p2's clock runs: it is elected.
    p2.tick(10_000);
    pump('p2');
    expect(p2.status().activeLeader).toBe('p2');
    p2.propose(encodeKv({ op: 'put', key: 'k', value: 'a' }));
    // The slot's P2a leave with this turn; the transfer waits for its decision.
    const p2a = p2.ready();
    p2.advance();
    p2.transferLeadership('p1');
    expect(p2.ready().messages.filter((e) => e.msg.type === 'transfer')).toEqual([]);
    for (const e of p2a.messages) nodes.get(e.to)!.step('p2', e.msg);
    const out = pump('p2');
    expect(out.filter((e) => e.msg.type === 'decision').length).toBeGreaterThan(0);
    expect(out.filter((e) => e.msg.type === 'transfer').map((e) => e.to)).toContain('p1');
    // The replica beside p2 learned the slot from its leader; p1 from the decision.
    expect(p2.status().slotOut).toBe(2);
    expect(nodes.get('p1')!.status().slotOut).toBe(2);
  });

  // The router's outcome (dropsQueued): once another peer leads, what was queued here for this
  // peer to assign is dropped, never forwarded (its origin resends it to the leader it knows).
  it('the queue dropped once another peer leads', () => {
    const { nodes, pump } = cluster();
    const p3 = nodes.get('p3')!;
    pump('p3');
    const cmd = {
      kind: 'app' as const,
      client: 'p9',
      inc: 1,
      seq: 1,
      ack: 0,
      op: encodeKv({ op: 'put', key: 'k', value: 'a' }),
    };
    // No leader known yet: p3 keeps the request for slots.
    p3.step('p1', { type: 'request', commands: encodeBatch([cmd]), hops: 0 });
    expect(pump('p3').filter((e) => e.msg.type === 'request')).toEqual([]);
    expect(p3.replica.requests).toHaveLength(1);
    const p2 = nodes.get('p2')!;
    p2.tick(10_000);
    const sent = pump('p3');
    expect(p3.status().activeLeader).toBe('p2');
    expect(p3.replica.requests).toEqual([]);
    expect(sent.filter((e) => e.msg.type === 'request')).toEqual([]);
  });
});
