/**
 * Former members: peers a configuration removed from the log, which this peer must still answer
 * in one way (docs/protocol.md, "A former member gets the members' progress, nothing else").
 *
 * A removed peer hands over before it stops (handover.ts): it asks the remaining replicas where
 * they are, and one answer that says "every slot below your removal is durable here" is enough.
 * While a remaining member keeps a configuration that names the removed peer, the removed peer
 * is a member as the transport sees it (the members of every configuration kept), and it is
 * answered like any member. Once that member's snapshot passes the removal, the configuration is
 * dropped and the transport refuses the removed peer; a removed peer restarted only then could
 * never confirm, and its user's only way out was `leave --force`. So a member remembers whom
 * configurations removed, its transport lets their catch-up requests in (and nothing else of
 * theirs), and RawNode answers them with its durable progress only: no decisions, no snapshot.
 *
 * Where the list comes from: the configurations this replica learns (a removal is seen when a
 * configuration is added that leaves out a peer the one before it named), and, across restarts,
 * the store's meta values (former-members-record.ts): a snapshot keeps only the configurations
 * that still govern slots at or after its own (replica.ts takeSnapshot), so the configuration
 * that named a removed peer is not in it once compaction passes the removal. A member that
 * learned the removal only from a snapshot past it (it was far behind) does not know that peer:
 * the other remaining replicas it asks may.
 *
 * Bounded: the MAX_FORMER_MEMBERS most recently removed are kept. A peer removed longer ago than
 * that many removals, restarted with its hand-over unconfirmed, is refused as before (its user
 * leaves with `force`).
 */
import { membersOf, type ConfigHistory, type Configuration } from './configuration.js';
import type { Message } from './messages.js';
import type { PeerId } from './types.js';

/** How many former members a peer remembers (the most recently removed). */
export const MAX_FORMER_MEMBERS = 64;

export class FormerMembers {
  /** Oldest removal first (a Set keeps insertion order); each peer once. */
  private readonly ids = new Set<PeerId>();

  constructor(private readonly self: PeerId) {}

  /** Remember `peers` as removed, most recent last (ids already known move to the end). */
  add(peers: Iterable<PeerId>): boolean {
    let changed = false;
    for (const p of peers) {
      if (p === this.self) continue;
      this.ids.delete(p);
      this.ids.add(p);
      changed = true;
    }
    for (const p of this.ids) {
      if (this.ids.size <= MAX_FORMER_MEMBERS) break;
      this.ids.delete(p);
    }
    return changed;
  }

  /**
   * Configuration `c` was learned, after `prev` (the one before it, if kept): whom it removes
   * becomes a former member, and whom it names is a member again.
   */
  configAdded(c: Configuration, prev: Configuration | undefined): boolean {
    const named = membersOf(c);
    let changed = false;
    for (const p of named) if (this.ids.delete(p)) changed = true;
    if (prev === undefined) return changed;
    return this.add(membersOf(prev).filter((p) => !named.includes(p))) || changed;
  }

  /** The former members, oldest removal first (what the driver records and gives the transport). */
  all(): PeerId[] {
    return [...this.ids];
  }

  /**
   * Whether `peer` is a former member that no configuration kept here names: then it gets the
   * progress answer only. One that a kept configuration still names is a member as any other.
   */
  isOutside(peer: PeerId, configs: ConfigHistory): boolean {
    if (!this.ids.has(peer)) return false;
    return !configs.all().some((c) => membersOf(c).includes(peer));
  }
}

/**
 * What a transport delivers from a former member (Transport.setMembers): its catch-up requests,
 * which a member answers with its progress only (RawNode).
 */
export function fromFormerMember(m: Message): boolean {
  return m.type === 'catchupReq';
}

/** What a transport sends a former member: that answer, a catch-up answer without decisions. */
export function toFormerMember(m: Message): boolean {
  return m.type === 'catchupDecisions' && m.decisions.length === 0;
}
