/** Where client commands go (forward.ts), table-tested. */
import { describe, expect, it } from 'vitest';
import { MAX_HOPS, MAX_QUEUED, routeOwn, routeRequest, type Route } from '../src/forward.js';

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
