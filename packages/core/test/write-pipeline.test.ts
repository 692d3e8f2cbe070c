/**
 * Pipelined writes (DESIGN.md §2, as etcd-raft's asynchronous storage writes): a turn runs while
 * earlier writes are in flight; what depends on a write is released when that write completes,
 * in write order.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryStorage } from '../src/memory-storage.js';
import type { Envelope } from '../src/messages.js';
import { PersistBuilder } from '../src/persist-builder.js';
import { RawNode, type Ready } from '../src/raw-node.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { WritePipeline } from '../src/write-pipeline.js';
import { newLogStore } from './helpers.js';

const hb = (to: string): Envelope => ({
  to,
  msg: { type: 'readIndexReq', id: 1 },
});

function ready(writeId: number, persist: boolean, after: Envelope[]): Ready {
  return {
    persist: persist ? {} : null,
    writeId,
    messages: [],
    afterPersist: after,
    results: [],
    reads: [],
    applied: [],
    fetches: [],
  };
}

describe('WritePipeline', () => {
  it('releases the messages of each write once it and every earlier write completed', () => {
    const p = new WritePipeline(3);
    expect(p.accept(ready(1, true, [hb('a')]))).toBe(1);
    expect(p.accept(ready(2, true, [hb('b')]))).toBe(2);
    // A Ready with no write of its own waits for the newest write in flight.
    expect(p.accept(ready(2, false, [hb('c')]))).toBe(0);
    expect(p.canWrite).toBe(true);
    expect(p.accept(ready(3, true, []))).toBe(3);
    expect(p.canWrite).toBe(false);
    // The store reports write 2 first: nothing is durable until write 1 is.
    expect(p.completed(2)).toEqual({ durable: 0, envelopes: [] });
    const r = p.completed(1);
    expect(r.durable).toBe(2);
    expect(r.envelopes.map((e) => e.to)).toEqual(['a', 'b', 'c']);
    expect(p.completed(3)).toEqual({ durable: 3, envelopes: [] });
    expect(p.size).toBe(0);
  });

  it('refuses a write id that goes back, and a completion of a write never issued', () => {
    const p = new WritePipeline(2);
    p.accept(ready(5, true, []));
    expect(() => p.accept(ready(5, true, []))).toThrow();
    expect(() => p.completed(9)).toThrow();
  });
});

function singleMemberLeader(): { n: RawNode; storage: MemoryStorage; sm: KvStateMachine } {
  const storage = newLogStore(['p1'], 8);
  const sm = new KvStateMachine();
  const n = new RawNode({ id: 'p1', stateMachine: sm, random: () => 0.5 });
  n.load(storage.loadSync());
  for (let i = 0; i < 4 && !n.status().leader.active; i++) {
    n.tick(1000);
    const rd = n.ready();
    if (rd.persist !== null) storage.applySync(rd.persist);
    n.advance();
  }
  expect(n.status().leader.active).toBe(true);
  return { n, storage, sm };
}

describe('RawNode with writes in flight', () => {
  it('numbers its writes and releases its own vote for a slot only when that write completes', () => {
    const { n, sm } = singleMemberLeader();
    n.propose(encodeKv({ op: 'put', key: 'a', value: '1' }));
    const r1 = n.ready();
    expect(r1.persist?.accepted?.map((pv) => pv.slot)).toEqual([1]);
    // The next turn runs while write 1 is in flight.
    n.propose(encodeKv({ op: 'put', key: 'b', value: '2' }));
    const r2 = n.ready();
    expect(r2.persist?.accepted?.map((pv) => pv.slot)).toEqual([2]);
    expect(r2.writeId).toBe(r1.writeId + 1);
    expect(n.status().slotOut).toBe(1);
    // Write 1 is durable: its vote decides slot 1 (a majority of one), not slot 2.
    n.persisted(r1.writeId);
    expect(n.status().slotOut).toBe(2);
    expect(sm.get('a')).toBe('1');
    const r3 = n.ready();
    expect(r3.results.map((r) => r.seq)).toEqual([1]);
    n.persisted(r2.writeId);
    expect(n.status().slotOut).toBe(3);
  });

  it('holds back everything that depends on state whose write is still in flight', () => {
    const { n } = singleMemberLeader();
    n.propose(encodeKv({ op: 'put', key: 'a', value: '1' }));
    const r1 = n.ready();
    expect(r1.persist).not.toBeNull();
    // A turn with nothing new to write still answers after the write in flight: a heartbeat
    // acknowledgement reports the acceptor's ballot, which that write may carry.
    n.step('p9', {
      type: 'heartbeat',
      config: 0,
      ballot: { round: 1, leader: 'p9' },
      seq: 1,
      slotOut: 1,
      snapshotSlot: 0,
    });
    const r2 = n.ready();
    expect(r2.persist).toBeNull();
    expect(r2.writeId).toBe(r1.writeId);
    expect(r2.afterPersist.map((e) => e.msg.type)).toEqual(['heartbeatAck']);
    expect(r2.messages.some((e) => e.msg.type === 'heartbeatAck')).toBe(false);
  });

  it('keeps the write and what depends on it for a later Ready when the driver cannot write', () => {
    const { n } = singleMemberLeader();
    n.propose(encodeKv({ op: 'put', key: 'a', value: '1' }));
    const held = n.ready(false);
    expect(held.persist).toBeNull();
    expect(held.afterPersist).toEqual([]);
    const next = n.ready();
    expect(next.persist?.accepted?.map((pv) => pv.slot)).toEqual([1]);
    n.persisted(next.writeId);
    expect(n.status().slotOut).toBe(2);
  });
});

describe('decisions alone', () => {
  function follower(): RawNode {
    const storage = newLogStore(['p1', 'p2', 'p3'], 8);
    const n = new RawNode({
      id: 'p3',
      stateMachine: new KvStateMachine(),
      random: () => 0.5,
      options: { heartbeatIntervalMs: 50 },
    });
    n.load(storage.loadSync());
    n.ready();
    n.advance();
    return n;
  }

  it('wait for the next write, so a decision and the next pvalue share one fsync', () => {
    const n = follower();
    const value = encodeKv({ op: 'put', key: 'a', value: '1' });
    n.step('p1', { type: 'decision', slot: 1, value });
    const r1 = n.ready();
    expect(r1.persist).toBeNull();
    n.step('p1', {
      type: 'p2a',
      config: 0,
      ballot: { round: 1 << 12, leader: 'p1' },
      slot: 2,
      value,
    });
    const r2 = n.ready();
    expect(r2.persist?.decisions?.map((d) => d.slot)).toEqual([1]);
    expect(r2.persist?.accepted?.map((pv) => pv.slot)).toEqual([2]);
  });

  it('never hold back other durable state: a rolled-back verdict is written at once', () => {
    const pb = new PersistBuilder();
    pb.decide({ slot: 1, value: Uint8Array.of(1) });
    expect(pb.holdsOnlyDecisions()).toBe(true);
    pb.setAmnesia('its store went back');
    expect(pb.holdsOnlyDecisions()).toBe(false);
  });

  it('are written alone after a heartbeat interval at most', () => {
    const n = follower();
    n.observeTime(100);
    n.step('p1', {
      type: 'decision',
      slot: 1,
      value: encodeKv({ op: 'put', key: 'a', value: '1' }),
    });
    expect(n.ready().persist).toBeNull();
    expect(n.nextDeadline()).toBeLessThanOrEqual(150);
    n.tick(150);
    expect(n.ready().persist?.decisions?.map((d) => d.slot)).toEqual([1]);
  });
});

describe('store stamps with writes in flight (amnesia detection)', () => {
  it('name the write a message waits for, or the write durable when it leaves at once', () => {
    const storage = newLogStore(['p1', 'p2', 'p3'], 8);
    const state = storage.loadSync();
    const start = state.seq ?? 0;
    const n = new RawNode({ id: 'p3', stateMachine: new KvStateMachine(), random: () => 0.5 });
    n.load(state);
    const r1 = n.ready();
    expect(r1.persist?.seq).toBe(start + 1);
    // Write 1 (the incarnation) is in flight: p1's heartbeat and P2a are answered after write 2.
    const ballot = { round: 1 << 12, leader: 'p1' };
    n.step('p1', { type: 'heartbeat', config: 0, ballot, seq: 1, slotOut: 1, snapshotSlot: 0 });
    n.step('p1', { type: 'p2a', config: 0, ballot, slot: 1, value: Uint8Array.of(1, 2, 3) });
    const r2 = n.ready();
    expect(r2.writeId).toBe(r1.writeId + 1);
    expect(r2.persist?.seq).toBe(start + 2);
    const after = r2.afterPersist.map((e) => [e.msg.type, 'store' in e.msg ? e.msg.store : 0]);
    expect(after).toContainEqual(['p2b', expect.objectContaining({ start, seq: start + 2 })]);
    // Write 1 is durable, write 2 still in flight: a request that leaves at once names write 1.
    n.persisted(r1.writeId);
    n.propose(encodeKv({ op: 'put', key: 'a', value: '1' }));
    const r3 = n.ready();
    const req = r3.messages.find((e) => e.msg.type === 'request');
    expect(req?.msg).toMatchObject({ store: { start, seq: start + 1 } });
  });
});
