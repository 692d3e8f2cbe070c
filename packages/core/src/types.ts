/** A peer's identity: a libp2p peer id string in production, any short string in tests. */
export type PeerId = string;

/** A position in the replicated log. Slots start at 1 (PMMC: `slot_in = slot_out = 1`). */
export type Slot = number;

/**
 * Configurations are numbered 0, 1, 2, ... in the order they are decided. The id travels in
 * P1a/P2a so that each (peer, configuration) is its own logical acceptor and leader
 * (DESIGN.md §3 item 6; PMMC §2.2 assumes disjoint configurations).
 */
export type ConfigId = number;

/** The roles a peer plays in a configuration. */
export interface Roles {
  readonly replica: boolean;
  readonly leader: boolean;
  readonly acceptor: boolean;
}

export const ALL_ROLES: Roles = Object.freeze({ replica: true, leader: true, acceptor: true });
