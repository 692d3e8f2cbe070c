/**
 * Builds the service status from the node's status, the transport's links and the document's
 * names: who is a member, who is online, who leads, and whether a majority is reachable.
 */
import { formatBallot, majority, type Ballot, type SynodStatus } from '@synod/core';
import type { MajorityInfo } from './errors.js';
import type { BallotView, PeerView, ProtocolView } from './types.js';

function ballot(b: Ballot): BallotView {
  return { round: b.round, leader: b.leader, text: formatBallot(b) };
}

/** The status fields of a peer with no node running (in setup, or a log not open). */
export const NO_NODE = {
  id: null,
  addresses: [],
  log: null,
  protocol: null,
  peers: [],
  majority: null,
  failure: null,
  inviteRequests: [],
  handover: null,
} as const;

export function protocolView(s: SynodStatus): ProtocolView {
  const c = s.config;
  return {
    initialized: s.initialized,
    removed: s.removed,
    roles: { ...s.roles },
    activeLeader: s.activeLeader,
    leader: {
      active: s.leader.active,
      ballot: ballot(s.leader.ballot),
      proposals: s.leader.proposals,
    },
    acceptor: {
      ballot: ballot(s.acceptor.ballot),
      accepted: s.acceptor.accepted,
      watermark: s.acceptor.watermark,
    },
    slotIn: s.slotIn,
    slotOut: s.slotOut,
    pending: s.pending,
    queued: s.queued,
    snapshotSlot: s.snapshotSlot,
    catchup:
      s.catchup === null
        ? null
        : {
            target: s.catchup.target,
            snapshotBytes: s.catchup.snapshotBytes ? { ...s.catchup.snapshotBytes } : null,
          },
    reconfigPending: s.reconfigPending,
    amnesia: s.amnesia,
    config:
      c === null
        ? null
        : {
            id: c.id,
            start: c.start,
            replicas: [...c.replicas],
            leaders: [...c.leaders],
            acceptors: [...c.acceptors],
          },
  };
}

/** The members of the newest configuration, in a stable order (self first, then by name). */
export function peerViews(
  s: SynodStatus,
  selfName: string,
  nameOf: (id: string) => string | undefined,
): PeerView[] {
  const c = s.config;
  if (c === null) return [];
  const links = new Map(s.links.map((l) => [l.peer, l]));
  const ids = [...new Set([...c.replicas, ...c.leaders, ...c.acceptors])];
  const views = ids.map((id): PeerView => {
    const self = id === s.id;
    const link = links.get(id);
    const name = self ? selfName : (nameOf(id) ?? '');
    return {
      id,
      name,
      self,
      roles: {
        replica: c.replicas.includes(id),
        leader: c.leaders.includes(id),
        acceptor: c.acceptors.includes(id),
      },
      online: self || link?.connected === true,
      leader: s.activeLeader === id,
      lastSeen: self ? Date.now() : (link?.lastSeen ?? null),
      rttMs: self ? 0 : (link?.rttMs ?? null),
      protocol: self ? null : (link?.protocol ?? null),
      // The transport names peers by id; a person knows them by name.
      incompatible:
        self || link?.incompatible == null
          ? null
          : link.incompatible.replaceAll(id, name === '' ? id : name),
    };
  });
  return views.sort(
    (a, b) =>
      Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** How many acceptors of the newest configuration this peer reaches (itself included). */
export function majorityInfo(s: SynodStatus): MajorityInfo | null {
  const c = s.config;
  if (c === null) return null;
  const connected = new Set(s.links.filter((l) => l.connected).map((l) => l.peer));
  const reachable = c.acceptors.filter((a) => a === s.id || connected.has(a)).length;
  const needed = majority(c.acceptors.length);
  return { reachable, total: c.acceptors.length, needed, ok: reachable >= needed };
}
