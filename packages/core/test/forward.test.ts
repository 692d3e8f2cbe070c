/** Where client commands go (forward.ts), table-tested; and the Router that carries it out. */
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, type Command } from '../src/command.js';
import type { Request } from '../src/messages.js';
import { ConfigHistory, type Configuration } from '../src/configuration.js';
import type { ConfigId } from '../src/types.js';
import {
  MAX_HOPS,
  MAX_QUEUED,
  Router,
  routeOwn,
  routeRequest,
  type Route,
} from '../src/forward.js';
import { testContext } from './helpers.js';

const at = (over: Partial<Parameters<typeof routeOwn>[0]> = {}) => ({
  self: 'p1',
  canAssign: false,
  leader: 'p2' as string | undefined,
  queued: 0,
  ...over,
});

describe('routeOwn: this peer’s own commands', () => {
  it.each<[string, ReturnType<typeof at>, Route]>([
    [
      'assigned here when this peer leads',
      at({ canAssign: true, leader: 'p1' }),
      { kind: 'assign' },
    ],
    ['forwarded to the leader', at(), { kind: 'forward', to: 'p2', hops: 0 }],
    ['held when no leader is known', at({ leader: undefined }), { kind: 'hold' }],
    ['held while this peer is about to lead', at({ leader: 'p1' }), { kind: 'hold' }],
  ])('%s', (_, s, want) => {
    expect(routeOwn(s)).toEqual(want);
  });
});

describe('routeRequest: commands another peer sent', () => {
  it.each<[string, ReturnType<typeof at>, string, number, number, Route]>([
    ['assigned here when this peer leads', at({ canAssign: true }), 'p3', 0, 5, { kind: 'assign' }],
    ['forwarded on, one hop more', at(), 'p3', 1, 5, { kind: 'forward', to: 'p2', hops: 2 }],
    ['never back to its sender', at(), 'p2', 0, 5, { kind: 'hold' }],
    ['not past MAX_HOPS', at(), 'p3', MAX_HOPS, 5, { kind: 'hold' }],
    ['held when no leader is known', at({ leader: undefined }), 'p3', 0, 5, { kind: 'hold' }],
    [
      'dropped when the queue would overflow',
      at({ leader: undefined, queued: MAX_QUEUED }),
      'p3',
      0,
      1,
      { kind: 'drop' },
    ],
  ])('%s', (_, s, from, hops, count, want) => {
    expect(routeRequest(s, from, hops, count)).toEqual(want);
  });
});

describe('Router', () => {
  const cfg = (id: number, start: number, leaders: string[]): Configuration => ({
    id,
    start,
    replicas: ['p1', 'p2', 'p3'],
    leaders,
    acceptors: ['p1', 'p2', 'p3'],
  });
  const cmd = (seq: number): Command => ({
    kind: 'app',
    client: 'p1',
    inc: 1,
    seq,
    ack: 0,
    op: new Uint8Array([seq]),
  });

  function router(active: Map<ConfigId, string>) {
    const ctx = testContext('p1', { maxBatchCommands: 2 });
    const replica = {
      configs: new ConfigHistory([cfg(0, 1, ['p1', 'p2']), cfg(1, 10, ['p2', 'p3'])]),
      slotIn: 4,
      requests: [] as Command[],
    };
    const leader = {
      activeLeaderOf: (c: ConfigId) => active.get(c),
      canPropose: (c: ConfigId) => active.get(c) === 'p1',
    };
    return { ctx, replica, r: new Router(ctx, replica, leader) };
  }

  const request = (cmds: Command[], hops = 0): Request => ({
    type: 'request',
    commands: encodeBatch(cmds),
    hops,
  });

  it('sends to the leader of the next slot’s configuration, else of the newest one', () => {
    const active = new Map([[1, 'p3']]);
    const { r } = router(active);
    expect(r.leaderTarget()).toBe('p3');
    active.set(0, 'p2');
    expect(r.leaderTarget()).toBe('p2');
    expect(r.leaderChanged('p2')).toBe(true);
    expect(r.leaderChanged('p2')).toBe(false);
  });

  it('forwards own commands in requests of at most a batch, or has them queued when it leads', () => {
    const active = new Map([[0, 'p2']]);
    const { ctx, replica, r } = router(active);
    const out = r.ownCommands([cmd(1), cmd(2), cmd(3)], r.leaderTarget());
    if (out.kind !== 'forward') throw new Error(`forwarded, not ${out.kind}`);
    expect(out.to).toBe('p2');
    const seqs = out.requests.map((m) => decodeBatch(m.commands).map((c) => c.seq));
    expect(seqs).toEqual([[1, 2], [3]]);
    active.set(0, 'p1');
    expect(r.ownCommands([cmd(4)], r.leaderTarget())).toEqual({ kind: 'submit', cmds: [cmd(4)] });
    active.clear();
    expect(r.ownCommands([cmd(5)], r.leaderTarget())).toEqual({ kind: 'hold' });
    // The router only says so: it sends nothing and queues nothing itself.
    expect(ctx.take()).toEqual([]);
    expect(replica.requests).toEqual([]);
  });

  it('queues another peer’s request, forwards it one hop on, or drops it when the queue is full', () => {
    const active = new Map<ConfigId, string>();
    const { ctx, replica, r } = router(active);
    expect(r.onRequest('p3', request([cmd(1)]))).toEqual({ kind: 'submit', cmds: [cmd(1)] });
    active.set(0, 'p2');
    expect(r.onRequest('p3', request([cmd(2)], 1))).toEqual({
      kind: 'forward',
      to: 'p2',
      requests: [request([cmd(2)], 2)],
    });
    active.clear();
    replica.requests = new Array<Command>(MAX_QUEUED).fill(cmd(0));
    expect(r.onRequest('p3', request([cmd(3)]))).toEqual({ kind: 'drop' });
    expect(
      r.onRequest('p3', { type: 'request', commands: new Uint8Array([255]), hops: 0 }),
    ).toEqual({
      kind: 'drop',
    });
    expect(ctx.take()).toEqual([]);
  });

  it('drops what was queued here once another peer leads, never forwarding it again', () => {
    const active = new Map<ConfigId, string>();
    const { replica, r } = router(active);
    expect(r.dropsQueued(undefined)).toBe(false); // nothing queued
    replica.requests.push(cmd(2)); // queued here while this peer was about to lead
    expect(r.dropsQueued(undefined)).toBe(false);
    active.set(0, 'p1');
    expect(r.dropsQueued('p1')).toBe(false); // it leads: it assigns them
    active.set(0, 'p2');
    expect(r.dropsQueued(r.leaderTarget())).toBe(true);
  });
});
