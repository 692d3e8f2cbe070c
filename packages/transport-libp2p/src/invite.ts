/**
 * Invites: what a member hands to a person so that their new peer can join the log
 * (docs/wire-format.md, "Invites").
 *
 * An invite names the log, the inviter (peer id and addresses to dial), an expiry, and a
 * 16-byte random secret, as a protobuf `Invite`. It travels as text in two spellings:
 *
 *   synod:<base58btc>   short, for pasting into a chat or a text field
 *   SYNOD:<BASE32>      upper case only, so a QR code can use its compact alphanumeric mode
 *
 * The inviter keeps only the secret's SHA-256 (invite-book.ts), so its storage leaking does not
 * leak usable invites.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId } from '@synod/core';
import { fromString, toString } from 'uint8arrays';
import { InvalidInviteError } from './errors.js';
import * as wire from './codec/join-schema.js';

export const INVITE_VERSION = 1;
export const INVITE_SECRET_BYTES = 16;
const TEXT_PREFIX = 'synod:';
const QR_PREFIX = 'SYNOD:';
/** The most addresses an invite carries (it is meant to stay short). */
export const MAX_INVITE_ADDRS = 4;
/** Generous bounds for what decoding accepts. */
const MAX_INVITE_BYTES = 4096;
const MAX_LOG_ID_LENGTH = 256;

/** An invite as its holder sees it. */
export interface Invite {
  readonly logId: string;
  readonly inviter: PeerId;
  readonly addrs: readonly Multiaddr[];
  /** Unix time in ms after which the invite is refused. */
  readonly expiresAt: number;
  readonly secret: Uint8Array;
}

/** What createInvite returns: the invite and its two spellings. */
export interface IssuedInvite {
  /** `synod:...`: paste it. */
  readonly text: string;
  /** `SYNOD:...`: upper-case base32, for a QR code (alphanumeric mode). */
  readonly qr: string;
  readonly logId: string;
  readonly inviter: PeerId;
  readonly addrs: readonly string[];
  readonly expiresAt: number;
}

export function inviteToWire(inv: Invite): wire.Invite {
  const peer = peerIdFromString(inv.inviter);
  return {
    version: INVITE_VERSION,
    logId: inv.logId,
    inviter: peer.toMultihash().bytes,
    addrs: inv.addrs.slice(0, MAX_INVITE_ADDRS).map((a) => a.bytes),
    expires: Math.ceil(inv.expiresAt / 1000),
    secret: inv.secret,
  };
}

export function encodeInvite(inv: Invite): { text: string; qr: string } {
  const bytes = wire.Invite.encode(inviteToWire(inv));
  return {
    text: TEXT_PREFIX + toString(bytes, 'base58btc'),
    qr: QR_PREFIX + toString(bytes, 'base32upper'),
  };
}

/** Check and convert a protobuf Invite; throws InvalidInviteError. */
export function inviteFromWire(w: wire.Invite): Invite {
  if (w.version !== INVITE_VERSION) {
    throw new InvalidInviteError(`unsupported invite version ${w.version}`);
  }
  if (w.logId.length === 0 || w.logId.length > MAX_LOG_ID_LENGTH) {
    throw new InvalidInviteError('the invite names no valid log id');
  }
  if (w.secret.length !== INVITE_SECRET_BYTES) {
    throw new InvalidInviteError('the invite secret has the wrong length');
  }
  if (!Number.isSafeInteger(w.expires) || w.expires <= 0) {
    throw new InvalidInviteError('the invite has no valid expiry');
  }
  if (w.addrs.length > MAX_INVITE_ADDRS * 4) throw new InvalidInviteError('too many addresses');
  let inviter: string;
  try {
    // A peer id's text form is the base58btc of its multihash (no multibase prefix).
    inviter = peerIdFromString(toString(w.inviter, 'base58btc')).toString();
  } catch (err) {
    throw new InvalidInviteError('the invite names no valid inviter', { cause: err });
  }
  const addrs: Multiaddr[] = [];
  for (const a of w.addrs) {
    try {
      addrs.push(multiaddr(a));
    } catch {
      // An address this build cannot read (a newer transport): skip it, others may do.
    }
  }
  return {
    logId: w.logId,
    inviter,
    addrs,
    expiresAt: w.expires * 1000,
    secret: w.secret.slice(),
  };
}

/** Parse an invite in either spelling (whitespace, e.g. from line wrapping, is ignored). */
export function decodeInvite(input: string): Invite {
  const s = input.replace(/\s+/g, '');
  let bytes: Uint8Array;
  try {
    if (s.startsWith(TEXT_PREFIX)) bytes = fromString(s.slice(TEXT_PREFIX.length), 'base58btc');
    else if (s.startsWith(QR_PREFIX)) bytes = fromString(s.slice(QR_PREFIX.length), 'base32upper');
    else
      throw new InvalidInviteError('not a Synod invite (it starts with neither synod: nor SYNOD:)');
  } catch (err) {
    if (err instanceof InvalidInviteError) throw err;
    throw new InvalidInviteError('the invite text is damaged (bad characters)', { cause: err });
  }
  if (bytes.length > MAX_INVITE_BYTES) throw new InvalidInviteError('the invite is too long');
  let w: wire.Invite;
  try {
    w = wire.Invite.decode(bytes);
  } catch (err) {
    throw new InvalidInviteError('the invite text is damaged (cannot decode)', { cause: err });
  }
  return inviteFromWire(w);
}
