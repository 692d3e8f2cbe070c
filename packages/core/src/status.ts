/**
 * What `RawNode.status()` reports (as etcd-io/raft's status.go): a snapshot of the roles' state
 * for the app, the desktop demo's protocol view and the tests. Read-only: building it changes
 * nothing.
 */
import type { Acceptor } from './acceptor.js';
import { BOTTOM, type Ballot } from './ballot.js';
import type { CatchupProgress } from './catchup.js';
import { rolesOf, type Configuration } from './configuration.js';
import type { Leader } from './leader.js';
import type { Replica } from './replica.js';
import type { PeerId, Roles, Slot } from './types.js';

export interface NodeStatus {
  readonly id: PeerId;
  /** False while a joining peer waits for its first snapshot. */
  readonly initialized: boolean;
  /** This peer is not in the newest configuration, which governs already. */
  readonly removed: boolean;
  /** The newest configuration (it may not govern yet: see `config.start` and `slotOut`). */
  readonly config: Configuration | null;
  /** This peer's roles in the newest configuration. */
  readonly roles: Roles;
  /** The active leader this peer knows of (itself included), or null. */
  readonly activeLeader: PeerId | null;
  readonly leader: {
    readonly active: boolean;
    readonly ballot: Ballot;
    readonly proposals: number;
  };
  readonly acceptor: {
    /** The ballot promised in the configuration governing slotOut. */
    readonly ballot: Ballot;
    readonly accepted: number;
    readonly watermark: Slot;
  };
  readonly slotIn: Slot;
  readonly slotOut: Slot;
  /** This peer's commands proposed and not yet decided. */
  readonly pending: number;
  /** Commands waiting here for a slot. */
  readonly queued: number;
  readonly snapshotSlot: Slot;
  /** Set while this peer is behind and catching up. */
  readonly catchup: CatchupProgress | null;
  /** True when a membership change is decided but does not govern yet. */
  readonly reconfigPending: boolean;
  /**
   * Set when peers found this peer's storage rolled back (restored from an older copy, or
   * replaced): one sentence for its user, saying why and what to do. It no longer votes or leads.
   */
  readonly amnesia: string | null;
}

/** What the status is read from: the roles, and what the node itself knows. */
export interface StatusSources {
  readonly id: PeerId;
  readonly replica: Replica;
  readonly leader: Leader;
  readonly acceptor: Acceptor;
  readonly removed: boolean;
  readonly activeLeader: PeerId | undefined;
  readonly pending: number;
  readonly catchup: CatchupProgress | undefined;
  readonly reconfigPending: boolean;
  readonly amnesia: string | null;
}

export function nodeStatus(s: StatusSources): NodeStatus {
  const { replica, leader, acceptor } = s;
  const latest = replica.configs.latest() ?? null;
  const governing = replica.configs.at(replica.slotOut);
  const leaders = leader.summary();
  const mine = leaders.find((l) => l.active) ?? leaders[leaders.length - 1];
  return {
    id: s.id,
    initialized: replica.initialized,
    removed: s.removed,
    config: latest,
    roles:
      latest === null ? { replica: false, leader: false, acceptor: false } : rolesOf(latest, s.id),
    activeLeader: s.activeLeader ?? null,
    leader: {
      active: mine?.active ?? false,
      ballot: mine?.ballot ?? BOTTOM,
      proposals: leaders.reduce((n, l) => n + l.proposals, 0),
    },
    acceptor: {
      ballot: governing === undefined ? BOTTOM : acceptor.ballotFor(governing.id),
      accepted: acceptor.accepted.size,
      watermark: acceptor.watermark,
    },
    slotIn: replica.slotIn,
    slotOut: replica.slotOut,
    pending: s.pending,
    queued: replica.requests.length,
    snapshotSlot: replica.snapshot?.slot ?? 0,
    catchup: s.catchup ?? null,
    reconfigPending: s.reconfigPending,
    amnesia: s.amnesia,
  };
}

/**
 * The one sentence for this peer's user when peers found its storage rolled back (restored
 * from an older copy, or replaced): why, and what to do. Null when it was not.
 */
export function amnesiaNotice(why: string | undefined): string | null {
  if (why === undefined) return null;
  return `This peer's storage went back in time (${why}), so it no longer votes or leads under its id: remove it from the log on another member, then join again here with a new invite (nothing the log holds is lost).`;
}
