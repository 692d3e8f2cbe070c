/**
 * A snapshot that a peer sends and this replica refuses changes nothing here (DESIGN.md §3 item 7;
 * bad input changes nothing). The replica used to restore the app's state and the client table
 * first, and only then find the snapshot's configuration history unusable: the install failed,
 * slotOut stayed where it was, and the replica went on applying the decisions after slotOut on
 * top of the snapshot's later state (commands applied twice, a state no other replica has).
 */
import { describe, expect, it } from 'vitest';
import { encodeBatch, type Command } from '../src/command.js';
import type { Configuration } from '../src/configuration.js';
import { encodeSnapshot } from '../src/snapshot.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { drivenNode } from './driven-node.js';

const three = ['p1', 'p2', 'p3'];
const WINDOW = 8;

/** p3 of a new log of three, stepped by hand (driven-node.ts). */
const driven = () => drivenNode('p3', three, { window: WINDOW });

const put = (seq: number, value: string): Command => ({
  kind: 'app',
  client: 'p1',
  inc: 1,
  seq,
  ack: seq - 1,
  op: encodeKv({ op: 'append', key: 'x', value, id: `p1-${seq}` }),
});

const members = { replicas: three, leaders: three, acceptors: three };

/** p3 applied slot 1 (x = "a"), heard that p1 is at slot 20, and asked p1 to catch it up. */
function behind() {
  const p = driven();
  p.n.step('p1', { type: 'decision', slot: 1, value: encodeBatch([put(1, 'a')]) });
  p.turn();
  expect(p.sm.get('x')).toBe('a');
  p.n.step('p1', {
    type: 'heartbeat',
    config: 0,
    ballot: { round: 1, leader: 'p1' },
    seq: 1,
    slotOut: 20,
    snapshotSlot: 19,
  });
  p.turn();
  for (let i = 0; i < 20 && !p.sent.some((e) => e.msg.type === 'catchupReq'); i++) p.tick(50);
  expect(p.sent.some((e) => e.to === 'p1' && e.msg.type === 'catchupReq')).toBe(true);
  return p;
}

/** p1's answer: the whole snapshot through slot 19, in one chunk. */
function sendSnapshot(p: ReturnType<typeof driven>, configs: Configuration[], window = WINDOW) {
  // The app's state after slots 1..19 (x = "abc"), and the client table that goes with it.
  const app = new KvStateMachine();
  for (const v of ['a', 'b', 'c'])
    app.apply(encodeKv({ op: 'append', key: 'x', value: v }), {
      slot: 1,
      client: 'p1',
    });
  const data = encodeSnapshot({
    slot: 19,
    window,
    skips: true,
    configs,
    clients: [],
    app: app.snapshot(),
  });
  p.n.step('p1', { type: 'snapshotChunk', slot: 19, offset: 0, total: data.length, data });
  p.turn();
}

describe('a snapshot the replica refuses changes nothing', () => {
  it('a configuration history with a gap in its ids', () => {
    const p = behind();
    sendSnapshot(p, [
      { id: 0, start: 1, ...members },
      { id: 2, start: 9, ...members },
    ]);
    expect(p.n.status().slotOut).toBe(2);
    // Unchanged: slot 1 is all this replica applied.
    expect(p.sm.get('x')).toBe('a');
    // The next decision lands on the state of slot 1, as at every other replica.
    p.n.step('p1', { type: 'decision', slot: 2, value: encodeBatch([put(2, 'b')]) });
    p.turn();
    expect(p.sm.get('x')).toBe('ab');
  });

  it('no configuration for the slots after it', () => {
    const p = behind();
    sendSnapshot(p, []);
    expect(p.n.status().slotOut).toBe(2);
    expect(p.sm.get('x')).toBe('a');
    // Still a member that knows its configuration.
    expect(p.n.status().config?.id).toBe(0);
  });

  it('a configuration that starts after the slot it must govern', () => {
    const p = behind();
    sendSnapshot(p, [{ id: 3, start: 25, ...members }]);
    expect(p.n.status().slotOut).toBe(2);
    expect(p.sm.get('x')).toBe('a');
  });

  it('another WINDOW than the log has (it fixes where each configuration starts)', () => {
    const p = behind();
    sendSnapshot(p, [{ id: 0, start: 1, ...members }], 2 * WINDOW);
    expect(p.n.status().slotOut).toBe(2);
    expect(p.sm.get('x')).toBe('a');
  });

  it('a snapshot it can use is installed (the same path)', () => {
    const p = behind();
    sendSnapshot(p, [{ id: 0, start: 1, ...members }]);
    expect(p.n.status().slotOut).toBe(20);
    expect(p.sm.get('x')).toBe('abc');
  });
});
