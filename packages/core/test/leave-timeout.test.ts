/**
 * A membership change's `timeoutMs` and `signal` bound the whole call, the waits after the
 * decision included (review.md, "removePeer(self) waits for the hand-over without a bound"): a
 * leaver whose hand-over no remaining replica can confirm used to wait until stop().
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  HandoverPendingError,
  initLog,
  MemoryNetwork,
  MemoryStorage,
  startNode,
  type DropRule,
  type SynodNode,
} from '../src/index.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { until, errorWithin } from '../src/testing/index.js';

type KvNode = SynodNode<KvStateMachine>;
const running: KvNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

/** One leader throughout, even on a loaded machine: the election timeout is long. */
const protocol = { heartbeatIntervalMs: 20, electionTimeoutMs: 2000, retransmitIntervalMs: 50 };

/** A two-member log {a, b} whose links drop what `drop` picks; `leader` leads it. */
async function twoMembers(drop: DropRule) {
  const net = new MemoryNetwork();
  net.dropWhere(drop);
  const storages = { a: new MemoryStorage(), b: new MemoryStorage() };
  await initLog(storages.a, 'a', new KvStateMachine());
  const nodes: KvNode[] = [];
  for (const id of ['a', 'b'] as const) {
    const n = await startNode({
      id,
      storage: storages[id],
      transport: net.connect(id),
      stateMachine: new KvStateMachine(),
      protocol,
    });
    running.push(n);
    nodes.push(n);
  }
  await nodes[0]!.addPeer('b');
  await until('b initialized and a leads', () => nodes[1]!.status().initialized);
  await nodes[0]!.propose(encodeKv({ op: 'append', key: 'x', value: '0' }));
  return { leader: nodes[0]!, other: nodes[1]! };
}

describe('a membership change is bounded by its timeoutMs and signal, the waits after its decision too', () => {
  it('a leaver no remaining replica answers rejects with handover-pending at its timeout, keeps asking, and status shows the hand-over once one confirms', async () => {
    // The one that stays votes and learns, but its catch-up answers (the leaver's only evidence
    // of what it holds durably) do not reach the leaver.
    let starve = true;
    let asks = 0;
    const { leader: leaving, other: staying } = await twoMembers((from, to, m) => {
      if (from === 'a' && m.type === 'catchupReq' && running[0]!.status().removed) asks++;
      return starve && from === 'b' && m.type === 'catchupDecisions';
    });
    const t0 = Date.now();
    const err = await errorWithin(leaving.removePeer(leaving.id, { timeoutMs: 1500 }), 8000);
    expect(err).toMatchObject({ code: 'handover-pending', reason: 'timeout' });
    expect(err).toBeInstanceOf(HandoverPendingError);
    const e = err as HandoverPendingError;
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(e.message).toMatch(/removal of this peer is decided/);
    expect(e.message).toMatch(/keep this peer running/);
    // Decided and governing here: it is no longer a member, and it has not handed over.
    const start = leaving.status().config!.start;
    expect(e.start).toBe(start);
    expect(leaving.status()).toMatchObject({ removed: true, handover: { start, done: false } });
    // It goes on asking the one that stays after the caller gave up.
    const asked = asks;
    await until('it asks again after the rejection', () => asks >= asked + 3);
    starve = false;
    await until('the hand-over done, in status', () => leaving.status().handover?.done === true);
    expect(staying.status().slotOut).toBeGreaterThanOrEqual(start);
    await leaving.awaitHandover({ timeoutMs: 1 });
  });

  it('a signal ends the wait with handover-pending too, and stop() rejects a wait at once', async () => {
    const { leader: leaving } = await twoMembers((from, _to, m) => {
      return from === 'b' && m.type === 'catchupDecisions';
    });
    const ac = new AbortController();
    const leave = leaving.removePeer(leaving.id, { signal: ac.signal });
    await until('removed', () => leaving.status().removed);
    ac.abort();
    const err = await errorWithin(leave, 2000);
    expect(err).toMatchObject({ code: 'handover-pending', reason: 'aborted' });
    // Waiting again, with no bound: stop() ends it at once, saying what it stopped before.
    const again = leaving.awaitHandover();
    running.splice(running.indexOf(leaving), 1);
    await leaving.stop();
    const stopped = await errorWithin(again, 100);
    expect(stopped).toMatchObject({ code: 'stopped' });
    expect((stopped as Error).message).toMatch(/before a remaining replica confirmed/);
  });

  it('the timeout covers the wait for the new configuration to govern here: a leaver', async () => {
    // Once the change is proposed (at slot `after`), b's votes on later slots are lost: the
    // slots up to the new configuration's start cannot be decided.
    let after = Infinity;
    const { leader: a, other: b } = await twoMembers(
      (from, _to, m) => from === 'b' && m.type === 'p2b' && m.slot > after,
    );
    after = a.status().slotIn;
    const err = await errorWithin(a.removePeer(a.id, { timeoutMs: 1000 }), 8000);
    expect(err).toMatchObject({ code: 'handover-pending', reason: 'timeout' });
    expect(a.status().removed).toBe(false);
    expect(a.status().handover).toMatchObject({ done: false });
    // The votes come back: the configuration without a governs, and a hands over, unasked.
    after = Infinity;
    await until('the hand-over done, in status', () => a.status().handover?.done === true);
    expect(a.status().removed).toBe(true);
    expect(b.status().config?.acceptors).toEqual(['b']);
  });

  it('a member removing another: TimeoutError once decided but not yet governing here', async () => {
    let after = Infinity;
    const { leader: a } = await twoMembers(
      (from, _to, m) => from === 'b' && m.type === 'p2b' && m.slot > after,
    );
    after = a.status().slotIn;
    const err = await errorWithin(a.removePeer('b', { timeoutMs: 1000 }), 8000);
    expect(err).toMatchObject({ code: 'timeout' });
    expect((err as Error).message).toMatch(/decided but does not govern here yet/);
    after = Infinity;
    await until(
      'the new configuration governs',
      () => a.status().slotOut >= a.status().config!.start,
    );
    expect(a.status().config?.acceptors).toEqual(['a']);
  });

  it('a leaver whose removal is decided only after its call timed out still hands over, and says so in status', async () => {
    let cut = false;
    const { leader: a, other: b } = await twoMembers(
      (from, _to, m) => cut && m.type !== 'heartbeat',
    );
    cut = true;
    const err = await errorWithin(a.removePeer(a.id, { timeoutMs: 500 }), 8000);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(a.status().handover).toBeNull();
    cut = false;
    await until('the hand-over done, in status', () => a.status().handover?.done === true);
    expect(a.status().removed).toBe(true);
    expect(b.status().slotOut).toBeGreaterThanOrEqual(a.status().handover!.start);
  });
  it('a peer removed by another member hands over too: status().handover and awaitHandover() show it', async () => {
    // a removes b; once b is removed, a's catch-up answers (b's only evidence of what a holds
    // durably) are lost.
    let starve = true;
    const { leader: a, other: b } = await twoMembers(
      (from, _to, m) =>
        starve && from === 'a' && m.type === 'catchupDecisions' && running[1]!.status().removed,
    );
    await a.removePeer('b');
    await until('b removed', () => b.status().removed);
    const start = b.status().config!.start;
    expect(b.status().handover).toEqual({ start, done: false });
    const err = await errorWithin(b.awaitHandover({ timeoutMs: 300 }), 5000);
    expect(err).toMatchObject({ code: 'handover-pending', reason: 'timeout', start });
    const waiting = b.awaitHandover();
    starve = false;
    expect(await errorWithin(waiting, 5000)).toBe('resolved');
    expect(b.status().handover).toEqual({ start, done: true });
    expect(a.status().slotOut).toBeGreaterThanOrEqual(start);
  });
});
