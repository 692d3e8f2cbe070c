/**
 * Membership gating at the connection level (libp2p's ConnectionGater), reading the host's live
 * member sets: a peer that no log of this host admits cannot dial us, and we do not dial it. The
 * checks run right after the Noise handshake, so they judge an authenticated peer id, and before
 * any muxer or protocol. Which log a peer may reach is decided per stream (transport-host.ts).
 *
 * A former member of a log here (members.ts) may connect too, to ask that log for its progress.
 *
 * The one exception: while a log here has unused, unexpired invites, or the app takes invite
 * requests (invite-request.ts), a few strangers may connect, because a joining peer has to reach
 * us to present its invite, or to ask for one. Such a connection is good only for those two
 * protocols (the paxos handler refuses non-members) and is closed after a grace period unless
 * its peer became a member (see TransportHost's stranger tracking).
 */
import type { ConnectionGater, PeerId as Libp2pPeerId } from '@libp2p/interface';
import type { PeerId } from '@synod/core';
import type { TransportMetrics } from './metrics.js';

export interface GateDeps {
  /** May we dial `peer` (a member of some log, or an inviter we present an invite to)? */
  mayDial(peer: PeerId): boolean;
  /** May `peer` speak the protocol with some log here? */
  isAllowed(peer: PeerId): boolean;
  /** Is `peer` a former member of some log here (it may ask that log for its progress only)? */
  isFormer(peer: PeerId): boolean;
  /** May one more stranger connect now (invites are out or requests taken, room is left)? */
  acceptsStrangers(): boolean;
  /** Where refusals are counted (undefined until the host exists). */
  metrics(): TransportMetrics | undefined;
}

export function createGate(deps: GateDeps): ConnectionGater {
  const deny = (denied: boolean): boolean => {
    if (denied) {
      const m = deps.metrics();
      if (m !== undefined) m.connectionsDenied++;
    }
    return denied;
  };
  const outbound = (peer: Libp2pPeerId): boolean => deny(!deps.mayDial(peer.toString()));
  return {
    denyDialPeer: outbound,
    denyOutboundEncryptedConnection: outbound,
    denyInboundEncryptedConnection: (peer) => {
      const id = peer.toString();
      if (deps.isAllowed(id) || deps.isFormer(id)) return false;
      return deny(!deps.acceptsStrangers());
    },
  };
}
