/**
 * Membership gating at the connection level (libp2p's ConnectionGater), reading the live member
 * set: a peer outside it cannot dial us, and we do not dial it. The checks run right after the
 * Noise handshake, so they judge an authenticated peer id, and before any muxer or protocol.
 *
 * The one exception: while this peer has unused, unexpired invites, or its app takes invite
 * requests (invite-request.ts), a few strangers may connect, because a joining peer has to reach
 * us to present its invite, or to ask for one. Such a connection is good only for those two
 * protocols (the paxos handler refuses non-members) and is closed after a grace period unless
 * its peer became a member (see Libp2pTransport's stranger tracking).
 */
import type { ConnectionGater, PeerId as Libp2pPeerId } from '@libp2p/interface';
import type { InviteBook } from './invite-book.js';
import type { MemberSet } from './members.js';
import type { TransportMetrics } from './metrics.js';

export interface GateDeps {
  readonly members: MemberSet;
  readonly book: InviteBook;
  readonly metrics: TransportMetrics;
  readonly maxStrangers: number;
  /** How many strangers are connected now. */
  strangerCount(): number;
  /** Whether the app takes invite requests now (strangers may connect to ask). */
  takesInviteRequests(): boolean;
}

export function createGate(deps: GateDeps): ConnectionGater {
  const deny = (denied: boolean): boolean => {
    if (denied) deps.metrics.connectionsDenied++;
    return denied;
  };
  const outbound = (peer: Libp2pPeerId): boolean => deny(!deps.members.mayDial(peer.toString()));
  return {
    denyDialPeer: outbound,
    denyOutboundEncryptedConnection: outbound,
    denyInboundEncryptedConnection: (peer) => {
      const id = peer.toString();
      if (deps.members.isAllowed(id)) return false;
      const expected = deps.book.hasOutstanding() || deps.takesInviteRequests();
      return deny(!(expected && deps.strangerCount() < deps.maxStrangers));
    },
  };
}
