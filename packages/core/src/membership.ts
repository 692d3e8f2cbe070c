/**
 * Membership changes as pure functions from one membership to the next. The node turns each
 * into one reconfiguration command (PMMC §2.1).
 */
import { checkRoles } from './check-args.js';
import { validateMembership, type Membership } from './configuration.js';
import { InvalidMembershipError } from './errors.js';
import { ALL_ROLES, type PeerId, type Roles } from './types.js';

function withRoles(m: Membership, id: PeerId, roles: Roles): Membership {
  const set = (list: readonly PeerId[], on: boolean) =>
    on ? [...new Set([...list, id])] : list.filter((p) => p !== id);
  return validateMembership({
    replicas: set(m.replicas, roles.replica),
    leaders: set(m.leaders, roles.leader),
    acceptors: set(m.acceptors, roles.acceptor),
  });
}

function isMember(m: Membership, id: PeerId): boolean {
  return m.replicas.includes(id) || m.leaders.includes(id) || m.acceptors.includes(id);
}

export function addPeer(m: Membership, id: PeerId, roles: Roles = ALL_ROLES): Membership {
  checkRoles(roles);
  if (isMember(m, id)) throw new InvalidMembershipError(`${id} is already a member`);
  if (!roles.replica && !roles.leader && !roles.acceptor) {
    throw new InvalidMembershipError('a peer needs at least one role');
  }
  return withRoles(m, id, roles);
}

export function removePeer(m: Membership, id: PeerId): Membership {
  if (!isMember(m, id)) throw new InvalidMembershipError(`${id} is not a member`);
  return withRoles(m, id, { replica: false, leader: false, acceptor: false });
}

export function setRoles(m: Membership, id: PeerId, roles: Roles): Membership {
  checkRoles(roles);
  if (!isMember(m, id)) throw new InvalidMembershipError(`${id} is not a member`);
  if (!roles.replica && !roles.leader && !roles.acceptor) {
    throw new InvalidMembershipError('a peer needs at least one role; use removePeer to remove it');
  }
  return withRoles(m, id, roles);
}

/** Put `next` in the place of `old`, with the same roles (e.g. a dead machine replaced). */
export function replacePeer(m: Membership, old: PeerId, next: PeerId): Membership {
  if (!isMember(m, old)) throw new InvalidMembershipError(`${old} is not a member`);
  if (isMember(m, next)) throw new InvalidMembershipError(`${next} is already a member`);
  const swap = (list: readonly PeerId[]) => list.map((p) => (p === old ? next : p));
  return validateMembership({
    replicas: swap(m.replicas),
    leaders: swap(m.leaders),
    acceptors: swap(m.acceptors),
  });
}
