/**
 * Invites and the join protocol (/synod/join/1.0.0).
 *
 * Member side: `createInvite()` issues an invite and records it (invite-book.ts). A joining peer
 * dials the inviter and sends one JoinRequest with the invite; Noise has already authenticated
 * its peer id. The member's host (serveJoinStream) hands it to the log the invite names, which
 * checks it (expiry, secret, single use), reserves it, and calls the app's join handler, which
 * typically runs `node.addPeer(peer)`. It answers with the members and their addresses, or with
 * a typed refusal (JoinRefusedError codes).
 *
 * Joiner side: `join(invite)` does the above and then trusts the inviter and the members it
 * named (the provisional member set, members.ts) until the log itself tells it the members.
 */
import type { Connection, Logger, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId } from '@synod/core';
import {
  InviteCreationError,
  JoinFailedError,
  JoinRefusedError,
  type JoinRefusalCode,
} from './errors.js';
import * as wire from './codec/join-schema.js';
import {
  decodeInvite,
  encodeInvite,
  INVITE_SECRET_BYTES,
  inviteFromWire,
  inviteToWire,
  MAX_INVITE_ADDRS,
  type Invite,
  type IssuedInvite,
} from './invite.js';
import type { Libp2pHost } from './host.js';
import { joinFailureReason } from './join-failure.js';
import type { InviteBook } from './invite-book.js';
import type { MemberSet } from './members.js';
import type { TransportMetrics } from './metrics.js';
import { JOIN_PROTOCOL } from './protocols.js';
import { lengthPrefixed, readOne } from './single-message.js';

/** What the app's join handler is told. */
export interface JoinRequestInfo {
  /** The joining peer's id, authenticated by the Noise handshake. */
  readonly peer: PeerId;
  readonly logId: string;
  /** When the invite it presented expires (ms since the epoch). */
  readonly inviteExpiresAt: number;
}

/**
 * Decides a join request: resolve to admit the peer (after adding it to the configuration, so
 * the answer it gets names a log that counts it), throw to refuse (the message goes back to the
 * joiner as a `rejected` refusal and the invite can be used again).
 */
export type JoinHandler = (request: JoinRequestInfo) => Promise<void> | void;

/** What a successful join() returns. */
export interface JoinResult {
  readonly logId: string;
  readonly inviter: PeerId;
  /** The members the inviter named, with the addresses it knows for them. */
  readonly members: readonly { readonly peer: PeerId; readonly addrs: readonly string[] }[];
}

export interface JoinOptions {
  /** Give up after this many ms (default: the transport's joinTimeoutMs). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CreateInviteOptions {
  /** How long the invite stays valid, ms (default: the transport's inviteTtlMs, 24 h). */
  ttlMs?: number;
  /** Addresses to put in the invite (default: this peer's, LAN addresses first). */
  addrs?: readonly string[];
}

export interface JoinServiceDeps {
  readonly node: Pick<Libp2pHost, 'peerStore' | 'dialProtocol'>;
  readonly self: PeerId;
  readonly members: MemberSet;
  readonly book: InviteBook;
  readonly logId: string | undefined;
  readonly inviteTtlMs: number;
  readonly joinTimeoutMs: number;
  /** How long a peer admitted by a join may talk before the configuration includes it. */
  readonly admitForMs: number;
  /** The addresses this peer advertises (invites, join answers). */
  advertisedAddrs(): Multiaddr[];
  /** Addresses known for a peer (peer store). */
  addrsOf(peer: PeerId): Promise<Multiaddr[]>;
  /** The joiner learned peers and addresses: remember them and dial. */
  onJoined(result: JoinResult): Promise<void>;
}

/** The longest an invite may stay valid. */
export const MAX_INVITE_TTL_MS = 365 * 24 * 60 * 60 * 1000;

/** The largest JoinRequest / JoinResponse accepted. */
const MAX_JOIN_MESSAGE_BYTES = 256 * 1024;
/** A joiner must send its request this soon after opening the stream. */
const REQUEST_TIMEOUT_MS = 10_000;

export class JoinService {
  private handler: JoinHandler | undefined;

  constructor(private readonly deps: JoinServiceDeps) {}

  setHandler(handler: JoinHandler | undefined): void {
    this.handler = handler;
  }

  async createInvite(opts: CreateInviteOptions = {}): Promise<IssuedInvite> {
    const { logId } = this.deps;
    if (logId === undefined) {
      throw new InviteCreationError('this transport has no logId option: invites name the log');
    }
    const ttl = opts.ttlMs ?? this.deps.inviteTtlMs;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_INVITE_TTL_MS) {
      throw new InviteCreationError(
        `ttlMs must be a number of ms from 1 to ${MAX_INVITE_TTL_MS} (a year), got ${String(ttl)}`,
      );
    }
    const given: unknown = opts.addrs;
    if (given !== undefined && !Array.isArray(given)) {
      throw new InviteCreationError('addrs must be an array of multiaddrs');
    }
    const addrs =
      opts.addrs !== undefined
        ? opts.addrs.map((a) => multiaddr(a))
        : this.deps.advertisedAddrs().slice(0, MAX_INVITE_ADDRS);
    const secret = crypto.getRandomValues(new Uint8Array(INVITE_SECRET_BYTES));
    // Whole seconds on the wire: round down here so both sides agree on the instant.
    const expiresAt = Math.floor((Date.now() + ttl) / 1000) * 1000;
    const invite: Invite = { logId, inviter: this.deps.self, addrs, expiresAt, secret };
    // Encoded before it is recorded: an invite that cannot be written is not kept either.
    const { text, qr } = encodeInvite(invite);
    await this.deps.book.issue(secret, logId, expiresAt);
    return {
      text,
      qr,
      logId,
      inviter: this.deps.self,
      addrs: addrs.map((a) => a.toString()),
      expiresAt,
    };
  }

  // ------------------------------------------------------------------ member side

  /**
   * Answer a join request that names this log, from `peer` (authenticated by Noise). The checks
   * every log makes alike (decoding, inviter, expiry) were made by serveJoinStream.
   */
  async answer(peer: PeerId, invite: Invite): Promise<wire.JoinResponse> {
    const { logId, book } = this.deps;
    const found = book.lookup(invite.secret, peer);
    switch (found.status) {
      case 'unknown':
        return refusal(invite.logId, 'unknown-invite', NO_SUCH_INVITE);
      case 'expired':
        return refusal(invite.logId, 'expired', 'the invite has expired');
      case 'used-by-other':
        return refusal(invite.logId, 'already-used', 'the invite was already used');
      case 'used-by-same':
        // The joiner asks again (it lost our answer): answer again, do not re-run the hook. But
        // a peer that has been removed since may not come back in on its old invite.
        if (this.deps.members.wasRemoved(peer)) {
          return refusal(
            invite.logId,
            'already-used',
            'the invite was used, and its peer since removed',
          );
        }
        return this.success(peer);
      case 'fresh':
        break;
    }
    const handler = this.handler;
    if (handler === undefined || logId === undefined) {
      return refusal(invite.logId, 'not-accepting', 'this peer accepts no joins');
    }
    await book.reserve(found.entry, peer);
    try {
      await handler({ peer, logId, inviteExpiresAt: found.entry.expiresAt });
    } catch (err) {
      await book.release(found.entry);
      return refusal(invite.logId, 'rejected', err instanceof Error ? err.message : String(err));
    }
    return this.success(peer);
  }

  private async success(peer: PeerId): Promise<wire.JoinResponse> {
    this.deps.members.admit(peer, this.deps.admitForMs);
    const members: wire.PeerAddrs[] = [
      { peer: this.deps.self, addrs: this.deps.advertisedAddrs().map((a) => a.bytes) },
    ];
    for (const p of this.deps.members.allowedPeers()) {
      if (p === peer) continue;
      const addrs = await this.deps.addrsOf(p);
      members.push({ peer: p, addrs: addrs.map((a) => a.bytes) });
    }
    return { ok: true, code: '', message: '', logId: this.deps.logId ?? '', members };
  }

  // ------------------------------------------------------------------ joiner side

  async join(text: string, opts: JoinOptions = {}): Promise<JoinResult> {
    const invite = decodeInvite(text);
    if (invite.expiresAt <= Date.now()) {
      throw new JoinRefusedError('expired', 'the invite has expired');
    }
    if (invite.inviter === this.deps.self) {
      throw new JoinFailedError('this invite was issued by this very peer');
    }
    const inviter = peerIdFromString(invite.inviter);
    const { node, members } = this.deps;
    if (invite.addrs.length > 0)
      await node.peerStore.merge(inviter, { multiaddrs: [...invite.addrs] });
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? this.deps.joinTimeoutMs)];
    if (opts.signal !== undefined) signals.push(opts.signal);
    const signal = AbortSignal.any(signals);
    members.addJoinTarget(invite.inviter);
    let response: wire.JoinResponse;
    try {
      const stream = await node.dialProtocol(inviter, JOIN_PROTOCOL, { signal });
      try {
        stream.send(lengthPrefixed(wire.JoinRequest.encode({ invite: inviteToWire(invite) })));
        response = wire.JoinResponse.decode(await readOne(stream, MAX_JOIN_MESSAGE_BYTES, signal));
        await stream.close({ signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    } catch (err) {
      members.removeJoinTarget(invite.inviter);
      const timedOut = signal.aborted && opts.signal?.aborted !== true;
      const timeoutMs = opts.timeoutMs ?? this.deps.joinTimeoutMs;
      throw new JoinFailedError(
        `could not join through ${invite.inviter}: ${joinFailureReason(err, timedOut, timeoutMs)}`,
        { cause: err },
      );
    }
    members.removeJoinTarget(invite.inviter);
    if (!response.ok) {
      throw new JoinRefusedError(asRefusalCode(response.code), response.message);
    }
    const result: JoinResult = {
      logId: response.logId,
      inviter: invite.inviter,
      members: response.members.flatMap((m) => {
        try {
          const peer = peerIdFromString(m.peer).toString();
          const addrs: string[] = [];
          for (const a of m.addrs) {
            try {
              addrs.push(multiaddr(a).toString());
            } catch {
              // Skip an address this build cannot read.
            }
          }
          return [{ peer, addrs }];
        } catch {
          return [];
        }
      }),
    };
    await this.deps.onJoined(result);
    return result;
  }
}

/** The words of an `unknown-invite` refusal: the same whether or not the log is hosted here. */
const NO_SUCH_INVITE = 'no such invite was issued here';

function refusal(logId: string, code: JoinRefusalCode, message: string): wire.JoinResponse {
  return { ok: false, code, message, logId, members: [] };
}

/** What serveJoinStream needs of the host that runs it. */
export interface JoinStreamDeps {
  readonly self: PeerId;
  readonly metrics: TransportMetrics;
  readonly log: Logger;
  /** The join service of a log hosted here, or undefined. */
  serviceOf(logId: string): JoinService | undefined;
  /** A join exchange with a peer started or ended (strangers stay connected meanwhile). */
  joinInProgress(peer: PeerId, active: boolean): void;
}

/**
 * The stream handler of JOIN_PROTOCOL, for every log of a host: reads the request, makes the
 * checks every log makes alike, and hands the invite to the log it names. An invite to a log
 * not hosted here is refused exactly as an invite this peer never issued (`unknown-invite`,
 * same words): a stranger learns nothing of which logs a peer serves. Never throws.
 */
export async function serveJoinStream(
  stream: Stream,
  connection: Connection,
  deps: JoinStreamDeps,
): Promise<void> {
  const peer = connection.remotePeer.toString();
  // The exchange counts (and keeps a stranger connected) from its request on: a stream that
  // sends none is no exchange, or silent streams would hold a connection for ever (review6).
  let started = false;
  const start = () => {
    started = true;
    deps.joinInProgress(peer, true);
  };
  try {
    const response = await answerJoinStream(stream, peer, deps, start);
    if (response.ok) deps.metrics.joinsAccepted++;
    else {
      const refused = deps.metrics.joinsRefused;
      refused[response.code] = (refused[response.code] ?? 0) + 1;
      deps.log('refused a join from %s: %s (%s)', peer, response.code, response.message);
    }
    stream.send(lengthPrefixed(wire.JoinResponse.encode(response)));
    await stream.close({ signal: AbortSignal.timeout(5000) });
  } catch (err) {
    deps.log.error('join exchange with %s failed: %e', peer, err);
    stream.abort(err instanceof Error ? err : new Error(String(err)));
  } finally {
    if (started) deps.joinInProgress(peer, false);
  }
}

/** `start`: called once the request has been read (the exchange is under way). */
async function answerJoinStream(
  stream: Stream,
  peer: PeerId,
  deps: JoinStreamDeps,
  start: () => void,
): Promise<wire.JoinResponse> {
  let request: wire.JoinRequest;
  try {
    const bytes = await readOne(
      stream,
      MAX_JOIN_MESSAGE_BYTES,
      AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    );
    request = wire.JoinRequest.decode(bytes);
  } catch (err) {
    return refusal('', 'bad-request', `unreadable request: ${String(err)}`);
  }
  start();
  let invite: Invite;
  try {
    if (request.invite === undefined) throw new Error('no invite');
    invite = inviteFromWire(request.invite);
  } catch (err) {
    return refusal('', 'bad-request', `invalid invite: ${String(err)}`);
  }
  if (invite.inviter !== deps.self) {
    return refusal(invite.logId, 'unknown-invite', 'this invite was issued by another peer');
  }
  if (invite.expiresAt <= Date.now()) {
    return refusal(invite.logId, 'expired', 'the invite has expired');
  }
  const service = deps.serviceOf(invite.logId);
  if (service === undefined) return refusal(invite.logId, 'unknown-invite', NO_SUCH_INVITE);
  return service.answer(peer, invite);
}

const REFUSAL_CODES: ReadonlySet<string> = new Set<JoinRefusalCode>([
  'unknown-invite',
  'expired',
  'already-used',
  'wrong-log',
  'bad-request',
  'not-accepting',
  'rejected',
]);

function asRefusalCode(code: string): JoinRefusalCode {
  return REFUSAL_CODES.has(code) ? (code as JoinRefusalCode) : 'rejected';
}
