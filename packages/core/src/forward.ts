/**
 * Where client commands go (DESIGN.md §3 item 2, "one proposer"), decided as a typed outcome:
 * the replica beside the active leader assigns them to slots; every other replica forwards them
 * to the leader it knows. A request forwarded too often, or arriving while no other leader is
 * known, is queued here (perhaps this peer is about to lead; if not, its origin resends it
 * elsewhere); past MAX_QUEUED it is dropped, and the origin resends it.
 */
import type { PeerId } from './types.js';

export type Route =
  /** Queue them for slots: the leader beside this replica assigns them. */
  | { readonly kind: 'assign' }
  /** Send them on to the leader `to` (`hops`: forwards so far, this one included). */
  | { readonly kind: 'forward'; readonly to: PeerId; readonly hops: number }
  /** Keep them here: no other leader is known (own commands stay pending in the session). */
  | { readonly kind: 'hold' }
  /** Refuse them: the queue is full; their origin resends them. */
  | { readonly kind: 'drop' };

/** How many times a request may be forwarded between would-be leaders. */
export const MAX_HOPS = 3;
/** The most commands a non-leader queues for slots; the origin resends what is dropped. */
export const MAX_QUEUED = 200_000;

export interface RouteSituation {
  readonly self: PeerId;
  /** The leader beside this replica can assign the next slot. */
  readonly canAssign: boolean;
  /** The active leader this peer knows of, if any (this peer itself perhaps). */
  readonly leader: PeerId | undefined;
  /** Commands queued here already. */
  readonly queued: number;
}

/** This peer's own client's commands. */
export function routeOwn(s: RouteSituation): Route {
  if (s.canAssign) return { kind: 'assign' };
  if (s.leader !== undefined && s.leader !== s.self)
    return { kind: 'forward', to: s.leader, hops: 0 };
  return { kind: 'hold' };
}

/** `count` commands another peer sent (`from`), forwarded `hops` times so far. */
export function routeRequest(s: RouteSituation, from: PeerId, hops: number, count: number): Route {
  if (s.canAssign) return { kind: 'assign' };
  // Never back to the peer it came from, and never round and round.
  if (s.leader !== undefined && s.leader !== s.self && s.leader !== from && hops < MAX_HOPS)
    return { kind: 'forward', to: s.leader, hops: hops + 1 };
  return s.queued + count <= MAX_QUEUED ? { kind: 'hold' } : { kind: 'drop' };
}
