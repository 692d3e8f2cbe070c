/**
 * Where client commands go (DESIGN.md §3 item 2, "one proposer"), decided as a typed outcome:
 * the replica beside the active leader assigns them to slots; every other replica forwards them
 * to the leader it knows. A request forwarded too often, or arriving while no other leader is
 * known, is queued here (perhaps this peer is about to lead; if not, its origin resends it
 * elsewhere); past MAX_QUEUED it is dropped, and the origin resends it.
 *
 * `routeOwn` and `routeRequest` decide (pure, table-tested); `Router` finds the situation they
 * decide on and returns what to do (`Routed`), which RawNode carries out: the router changes no
 * other part. (PMMC's clients send every request to every replica; here one replica, the one
 * beside the active leader, puts it in a slot.)
 */
import { decodeBatch, encodeBatch, type Command } from './command.js';
import type { NodeContext } from './context.js';
import type { Leader } from './leader.js';
import type { Request } from './messages.js';
import type { Replica } from './replica.js';
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

/** What to do with commands the router routed (RawNode does it). */
export type Routed =
  /** Queue `cmds` for slots here (Replica.submit): to assign, or held for a leader to come. */
  | { readonly kind: 'submit'; readonly cmds: readonly Command[] }
  /** Send `requests` to the leader `to`. */
  | { readonly kind: 'forward'; readonly to: PeerId; readonly requests: readonly Request[] }
  /** Nothing: own commands stay pending in the session until a leader is known. */
  | { readonly kind: 'hold' }
  /** Nothing: the queue is full; their origin resends them. */
  | { readonly kind: 'drop' };

/** How many times a request may be forwarded between would-be leaders. */
export const MAX_HOPS = 3;
/** The most commands a non-leader queues for slots; the origin resends what is dropped. */
export const MAX_QUEUED = 200_000;

const HOLD: Routed = { kind: 'hold' };
const DROP: Routed = { kind: 'drop' };

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

/**
 * Client commands on their way to a slot: this peer's own client's, at the end of every turn, and
 * requests other peers forwarded here. It reads the replica's queue and configurations and the
 * leader's view of who leads (read-only), and says where the commands go (`Routed`); the slots
 * themselves are the replica's.
 */
export class Router {
  /** The leader this peer's commands went to last (leaderChanged). */
  private lastTarget: PeerId | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly replica: Pick<Replica, 'configs' | 'slotIn' | 'requests'>,
    private readonly leader: Pick<Leader, 'canPropose' | 'activeLeaderOf'>,
  ) {}

  /**
   * The peer to send client commands to: the active leader of the configuration of the next
   * slot to assign, as far as this peer knows; else the newest configuration's.
   */
  leaderTarget(): PeerId | undefined {
    const configs = this.replica.configs;
    const at = configs.at(this.replica.slotIn);
    if (at !== undefined) {
      const p = this.leader.activeLeaderOf(at.id);
      if (p !== undefined) return p;
    }
    const all = configs.all();
    for (let i = all.length - 1; i >= 0; i--) {
      const p = this.leader.activeLeaderOf(all[i]!.id);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  /**
   * Whether `target` (leaderTarget, this turn) is not the leader this peer's commands went to
   * last turn: what was sent may have gone to the old one. Remembers it.
   */
  leaderChanged(target: PeerId | undefined): boolean {
    if (target === this.lastTarget) return false;
    this.lastTarget = target;
    return true;
  }

  /** This peer's own client's commands of this turn, towards `target` (leaderTarget). */
  ownCommands(cmds: readonly Command[], target: PeerId | undefined): Routed {
    if (cmds.length === 0) return HOLD;
    const route = routeOwn(this.situation(target));
    if (route.kind === 'assign') return { kind: 'submit', cmds };
    if (route.kind === 'forward')
      return { kind: 'forward', to: route.to, requests: this.split(cmds) };
    // No leader known: they stay pending and go out once one is.
    return HOLD;
  }

  /** Commands another peer sent (its client's, or forwarded). */
  onRequest(from: PeerId, m: Request): Routed {
    let cmds: Command[];
    try {
      cmds = decodeBatch(m.commands);
    } catch (err) {
      this.ctx.trace(`${this.ctx.id} drops a malformed request from ${from}: ${String(err)}`);
      return DROP;
    }
    const route = routeRequest(this.situation(), from, m.hops, cmds.length);
    switch (route.kind) {
      case 'assign':
      case 'hold':
        return { kind: 'submit', cmds };
      case 'forward': {
        const request: Request = { type: 'request', commands: m.commands, hops: route.hops };
        return { kind: 'forward', to: route.to, requests: [request] };
      }
      case 'drop':
        this.ctx.trace(`${this.ctx.id} drops a request from ${from}: its queue is full`);
        return DROP;
    }
  }

  /**
   * Whether what is queued here waiting for this peer to lead is to be dropped: another peer
   * leads (`target`). It is never forwarded again, which could make two peers bounce it between
   * them; every origin resends its own pending commands to the leader it knows.
   */
  dropsQueued(target: PeerId | undefined): boolean {
    return (
      this.replica.requests.length > 0 &&
      target !== undefined &&
      target !== this.ctx.id &&
      !this.canAssign()
    );
  }

  /** Whether the leader beside this replica can assign the next slot. */
  private canAssign(): boolean {
    const cfg = this.replica.configs.at(this.replica.slotIn);
    return cfg !== undefined && this.leader.canPropose(cfg.id);
  }

  private situation(target = this.leaderTarget()): RouteSituation {
    return {
      self: this.ctx.id,
      canAssign: this.canAssign(),
      leader: target,
      queued: this.replica.requests.length,
    };
  }

  /** Requests for `cmds`: large queues go in several, so no message exceeds a batch. */
  private split(cmds: readonly Command[]): Request[] {
    const max = this.ctx.opts.maxBatchCommands;
    const out: Request[] = [];
    for (let i = 0; i < cmds.length; i += max) {
      const part = cmds.slice(i, i + max);
      out.push({ type: 'request', commands: encodeBatch(part), hops: 0 });
    }
    return out;
  }
}
