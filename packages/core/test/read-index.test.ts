/** Linearizable reads (read-index.ts): confirmation, serving, the one retry policy. */
import { describe, expect, it } from 'vitest';
import type { ProtocolOptions } from '../src/options.js';
import { ReadIndex, type ConfirmationRound } from '../src/read-index.js';
import { b, testContext } from './helpers.js';

function setup(opts: Partial<ProtocolOptions> = {}) {
  const ctx = testContext('p1', { heartbeatIntervalMs: 50, retransmitIntervalMs: 200, ...opts });
  const state = {
    leads: false,
    confirmed: undefined as boolean | undefined,
    target: 'p2' as string | undefined,
    removed: false,
  };
  // The replica beside the reads, and its leader: the read index is 7 (slot 7 decided).
  const replica = {
    initialized: true,
    slotOut: 5,
    maxDecided: 7,
    window: 64,
    coverSkips: (index: number) => index,
  };
  const leader = {
    adoptedThrough: () => 0,
    proposal: () => undefined,
    confirmationRound: (): ConfirmationRound | undefined =>
      state.leads ? { config: 0, ballot: b(1, 'p1'), seq: 3 } : undefined,
    roundConfirmed: () => state.confirmed,
  };
  return { ctx, state, replica, reads: new ReadIndex(ctx, replica, leader) };
}

describe('ReadIndex', () => {
  it('at the leader: waits for its round, then for the index to be applied', () => {
    const { state, replica, reads } = setup();
    state.leads = true;
    reads.read(1, state.removed, state.target);
    reads.read(2, state.removed, state.target);
    reads.cancel(2);
    // The read took its leader's round: one round for the turn's reads, asked for once.
    expect([...reads.takeRounds()]).toEqual([0]);
    expect([...reads.takeRounds()]).toEqual([]);
    reads.settle();
    expect(reads.take()).toEqual([]);
    state.confirmed = true;
    reads.settle();
    expect(reads.take()).toEqual([]); // index 7 not applied (slotOut 5)
    replica.slotOut = 8;
    reads.serve();
    expect(reads.take()).toEqual([{ token: 1, ok: true }]);
  });

  it('at a follower: asks the leader, and is served at the index it answers', () => {
    const { ctx, state, replica, reads } = setup();
    replica.slotOut = 10;
    reads.read(4, state.removed, state.target);
    expect(ctx.take().map((s) => [s.to, s.msg.type])).toEqual([['p2', 'readIndexReq']]);
    reads.onResponse('p3', { type: 'readIndexResp', id: 4, index: 2 }); // not whom we asked
    expect(reads.take()).toEqual([]);
    reads.onResponse('p2', { type: 'readIndexResp', id: 4, index: 9 });
    expect(reads.take()).toEqual([{ token: 4, ok: true }]);
  });

  it('retries: a refusal after a heartbeat interval, a lost answer after retransmitIntervalMs', () => {
    const { ctx, state, reads } = setup();
    reads.read(4, state.removed, state.target);
    ctx.take();
    reads.onResponse('p2', { type: 'readIndexResp', id: 4, index: -1 });
    expect(reads.nextDeadline()).toBe(50);
    ctx.time = 50;
    reads.tick(state.target);
    expect(ctx.take().map((s) => s.msg.type)).toEqual(['readIndexReq']);
    expect(reads.nextDeadline()).toBe(250);
    ctx.time = 250;
    reads.tick(state.target);
    expect(ctx.take().map((s) => s.msg.type)).toEqual(['readIndexReq']);
    expect(reads.take()).toEqual([]);
  });

  it('with no leader known, tries again as soon as one is', () => {
    const { ctx, state, reads } = setup();
    state.target = undefined;
    reads.read(4, state.removed, state.target);
    expect(ctx.take()).toEqual([]);
    state.target = 'p3';
    reads.leaderChanged(state.target);
    expect(ctx.take().map((s) => s.to)).toEqual(['p3']);
  });

  it('a round the leader can no longer confirm (it stepped down) is tried again, not failed', () => {
    const { ctx, state, reads } = setup();
    state.leads = true;
    reads.read(1, state.removed, state.target);
    state.leads = false;
    state.confirmed = false;
    reads.settle();
    expect(reads.take()).toEqual([]);
    reads.tick(state.target);
    expect(ctx.take().map((s) => [s.to, s.msg.type])).toEqual([['p2', 'readIndexReq']]);
  });

  it('a confirmed read whose replica makes no progress for an election timeout is confirmed again', () => {
    // Seed 120004571 of profile leader-churn: the index lay on slots only a leader that stepped
    // down was deciding; nobody decided them again and the read waited for ever.
    const { ctx, state, replica, reads } = setup({
      heartbeatIntervalMs: 50,
      electionTimeoutMs: 300,
    });
    reads.read(4, state.removed, state.target);
    ctx.take();
    reads.onResponse('p2', { type: 'readIndexResp', id: 4, index: 9 }); // slotOut 5: it waits
    expect(reads.nextDeadline()).toBe(300);
    ctx.time = 200;
    replica.slotOut = 6; // progress: the clock starts again
    reads.serve();
    expect(reads.nextDeadline()).toBe(500);
    ctx.time = 499;
    reads.tick(state.target);
    expect(ctx.take()).toEqual([]);
    // No leader to ask at the deadline: it keeps its confirmation and waits another timeout.
    state.target = undefined;
    ctx.time = 500;
    reads.tick(state.target);
    expect(ctx.take()).toEqual([]);
    expect(reads.nextDeadline()).toBe(800);
    state.target = 'p3';
    ctx.time = 800;
    reads.tick(state.target);
    expect(ctx.take().map((s) => [s.to, s.msg.type])).toEqual([['p3', 'readIndexReq']]);
    reads.onResponse('p3', { type: 'readIndexResp', id: 4, index: 5 });
    expect(reads.take()).toEqual([{ token: 4, ok: true }]);
  });

  it('a confirmed read without a leader to ask is still served if its index is applied', () => {
    const { ctx, state, replica, reads } = setup({ electionTimeoutMs: 300 });
    reads.read(4, state.removed, state.target);
    ctx.take();
    reads.onResponse('p2', { type: 'readIndexResp', id: 4, index: 9 });
    state.target = undefined;
    ctx.time = 300;
    reads.tick(state.target);
    replica.slotOut = 10;
    reads.serve();
    expect(reads.take()).toEqual([{ token: 4, ok: true }]);
  });

  it('answers other peers once its round settles: the index, or -1', () => {
    const { ctx, state, reads } = setup();
    state.leads = true;
    reads.onRequest('p3', { type: 'readIndexReq', id: 11 });
    reads.onRequest('p2', { type: 'readIndexReq', id: 12 });
    expect([...reads.takeRounds()]).toEqual([0]);
    reads.settle();
    expect(ctx.take()).toEqual([]);
    state.confirmed = true;
    reads.settle();
    expect(ctx.take().map((s) => [s.to, s.msg])).toEqual([
      ['p3', { type: 'readIndexResp', id: 11, index: 7 }],
      ['p2', { type: 'readIndexResp', id: 12, index: 7 }],
    ]);
    state.leads = false;
    reads.onRequest('p3', { type: 'readIndexReq', id: 13 });
    expect(ctx.take().map((s) => s.msg)).toEqual([{ type: 'readIndexResp', id: 13, index: -1 }]);
    expect([...reads.takeRounds()]).toEqual([]);
  });

  it('fails for good only when this peer is removed; a cancelled read is forgotten', () => {
    const { state, reads } = setup();
    reads.read(1, state.removed, state.target);
    reads.read(2, state.removed, state.target);
    reads.cancel(2);
    reads.failAll();
    expect(reads.take()).toEqual([{ token: 1, ok: false }]);
    state.removed = true;
    reads.read(3, state.removed, state.target);
    expect(reads.take()).toEqual([{ token: 3, ok: false }]);
  });
});
