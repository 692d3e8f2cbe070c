/**
 * Who may speak the protocol with this peer (membership gating, DESIGN.md §6).
 *
 * - Once the runtime has called setMembers, exactly those peers (the members of every
 *   configuration it keeps) are allowed.
 * - Before that, on a fresh peer that holds no configuration yet, the *provisional* set is: the
 *   peers named by its bootstrap list and `initialMembers` option, and the inviter and members
 *   named by a successful join. A joining peer thus talks only to the log it asked to join, and
 *   learns the real member set from the log itself (the first decisions or snapshot it gets).
 * - A peer admitted by a join request (the app's join hook accepted it) is allowed for a while
 *   even before the configuration that adds it is decided, so that its streams are not refused
 *   in between.
 * - Peers this peer is dialling to present an invite (join targets) may be dialled, nothing more.
 * - Former members (peers configurations removed, as the runtime names them beside the members)
 *   may connect and ask for this log's progress, nothing more (core former-members.ts): a
 *   removed peer restarted after every member compacted past its removal confirms its hand-over
 *   so. They are never dialled, and no link is kept to them.
 */
import type { PeerId } from '@synod/core';

export class MemberSet {
  private members: Set<PeerId> | undefined;
  private readonly provisional = new Set<PeerId>();
  /** Peer -> until when (ms, Date.now clock) it stays admitted. */
  private readonly admitted = new Map<PeerId, number>();
  private readonly joinTargets = new Set<PeerId>();
  /** Every peer the runtime has ever named a member (to tell "removed" from "not yet added"). */
  private readonly everMembers = new Set<PeerId>();
  /** Former members, as the runtime last named them (none of them a member). */
  private formers = new Set<PeerId>();
  /** Peer -> until when (ms, Date.now clock) it is shut out, member or not (bad frames). */
  private readonly banned = new Map<PeerId, number>();

  constructor(
    readonly self: PeerId,
    provisional: Iterable<PeerId> = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const p of provisional) this.provisional.add(p);
  }

  /** Whether the runtime has named the members yet. */
  get configured(): boolean {
    return this.members !== undefined;
  }

  /**
   * Replace the member set and the former members (the runtime's setMembers). Returns the peers
   * that lost access (a member that became a former one among them: its links are cut, and it
   * may come back to ask).
   */
  set(peers: readonly PeerId[], formers: readonly PeerId[] = []): PeerId[] {
    const before = this.allowedPeers();
    const members = new Set(peers);
    this.members = members;
    this.formers = new Set(formers.filter((p) => !members.has(p) && p !== this.self));
    for (const p of peers) {
      this.admitted.delete(p);
      this.everMembers.add(p);
    }
    return [...before].filter((p) => !this.isAllowed(p));
  }

  addProvisional(peers: Iterable<PeerId>): void {
    for (const p of peers) if (p !== this.self) this.provisional.add(p);
  }

  /**
   * Let `peer` talk for `forMs` before a configuration names it. Not for a peer that is a member
   * already (the join hook usually waits for the configuration that adds it): an admission given
   * then would outlive the membership, and a peer removed soon after would stay allowed.
   */
  admit(peer: PeerId, forMs: number): void {
    if (this.members?.has(peer) === true) return;
    this.admitted.set(peer, this.now() + forMs);
  }

  /**
   * Was `peer` a member once, and is no longer (removed from the log)? Known from this run, or
   * from the runtime's former members (which earlier runs recorded).
   */
  wasRemoved(peer: PeerId): boolean {
    return (
      (this.everMembers.has(peer) || this.formers.has(peer)) && this.members?.has(peer) !== true
    );
  }

  /** May `peer` ask for this log's progress, and nothing more (a former member)? */
  isFormer(peer: PeerId): boolean {
    return this.formers.has(peer) && !this.isAllowed(peer) && !this.isBanned(peer);
  }

  addJoinTarget(peer: PeerId): void {
    this.joinTargets.add(peer);
  }

  removeJoinTarget(peer: PeerId): void {
    this.joinTargets.delete(peer);
  }

  /** May `peer` exchange protocol messages with us? */
  isAllowed(peer: PeerId): boolean {
    if (peer === this.self || this.isBanned(peer)) return false;
    if (this.members !== undefined ? this.members.has(peer) : this.provisional.has(peer)) {
      return true;
    }
    const until = this.admitted.get(peer);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.admitted.delete(peer);
    return false;
  }

  /** May we dial `peer` (a member, or a peer we are presenting an invite to)? */
  mayDial(peer: PeerId): boolean {
    return this.isAllowed(peer) || this.joinTargets.has(peer);
  }

  /** The peers we keep links to: every allowed peer except ourselves. */
  allowedPeers(): Set<PeerId> {
    const out = new Set<PeerId>(this.members ?? this.provisional);
    for (const p of this.admitted.keys()) if (this.isAllowed(p)) out.add(p);
    for (const p of this.banned.keys()) if (this.isBanned(p)) out.delete(p);
    out.delete(this.self);
    return out;
  }

  /** Shut `peer` out for `forMs`, member or not (it sent too many bad frames). */
  ban(peer: PeerId, forMs: number): void {
    this.banned.set(peer, this.now() + forMs);
  }

  isBanned(peer: PeerId): boolean {
    const until = this.banned.get(peer);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.banned.delete(peer);
    return false;
  }

  /** The member set as the runtime gave it (with ourselves), or undefined before setMembers. */
  configuredMembers(): PeerId[] | undefined {
    return this.members === undefined ? undefined : [...this.members];
  }
}
