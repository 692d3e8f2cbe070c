/**
 * A leadership transfer (Leader.transfer) hands over only once its target has applied as far as
 * the leader, or an election timeout has passed: a target that is behind would take over and
 * then serve nothing until it caught up, which is the wait the transfer is meant to save.
 *
 * p1 of a log of three is stepped by hand; the test answers for p2 and p3, which promise and
 * accept everything p1 asks. p3's acknowledgements report how far its replica has applied.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../src/messages.js';
import type { RawNode } from '../src/raw-node.js';
import { encodeKv } from '../src/testing/kv-state-machine.js';
import { drivenNode } from './driven-node.js';

describe('a leadership transfer', () => {
  it('waits until its target has applied as far as the leader', () => {
    let p3SlotOut = 1;
    const answer = (sent: readonly Envelope[], n: RawNode): boolean => {
      let answered = false;
      for (const { to, msg: m } of sent) {
        if (to !== 'p2' && to !== 'p3') continue;
        const slotOut = to === 'p3' ? p3SlotOut : n.status().slotOut;
        if (m.type === 'p1a') {
          n.step(to, {
            type: 'p1b',
            config: 0,
            ballot: m.ballot,
            accepted: [],
            watermark: 0,
            probe: m.probe,
          });
        } else if (m.type === 'p2a') {
          n.step(to, {
            type: 'p2b',
            config: 0,
            ballot: m.ballot,
            slot: m.slot,
            proposal: m.ballot,
          });
        } else if (m.type === 'heartbeat') {
          n.step(to, { type: 'heartbeatAck', config: 0, ballot: m.ballot, seq: m.seq, slotOut });
        } else continue;
        answered = true;
      }
      return answered;
    };
    const p = drivenNode('p1', ['p1', 'p2', 'p3'], { answer });
    for (let i = 0; i < 100 && !p.n.status().leader.active; i++) p.tick(25);
    expect(p.n.status().leader.active).toBe(true);
    p.n.propose(encodeKv({ op: 'put', key: 'x', value: '1' }));
    for (let i = 0; i < 20 && p.n.status().slotOut < 2; i++) p.tick(10);
    expect(p.n.status().slotOut).toBe(2);
    p.tick(100); // a heartbeat: p3 says it is at slot 1

    const transfers = () => p.sent.filter((e) => e.msg.type === 'transfer');
    p.n.transferLeadership('p3');
    p.tick(10);
    expect(transfers(), 'no hand-over to a target behind').toEqual([]);
    p3SlotOut = 2;
    p.tick(100); // the next heartbeat's acknowledgement says p3 caught up
    expect(transfers().map((e) => e.to)).toContain('p3');
  });
});
