/**
 * Typed errors of the libp2p transport. Each has a stable `code` (as every SynodError does), so
 * an app branches on `err.code`, never on message text.
 */
import { SynodError } from '@synod/core';

/** Base class of every error this package raises. */
export class TransportError extends SynodError {}

/** Options given to createLibp2pTransport are invalid. */
export class TransportConfigError extends TransportError {
  constructor(message: string) {
    super('transport-config', message);
  }
}

/** The transport was stopped, or used before it was created completely. */
export class TransportStoppedError extends TransportError {
  constructor(message = 'the transport is stopped') {
    super('transport-stopped', message);
  }
}

/** The stored identity key cannot be read (wrong type, corrupted). Never silently replaced. */
export class IdentityError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('identity-invalid', message, options);
  }
}

/** An invite string that cannot be decoded (typo, truncation, another format). */
export class InvalidInviteError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-invite', message, options);
  }
}

/** Why a member refused a join request; stable codes that travel in JoinResponse.code. */
export type JoinRefusalCode =
  /** No invite with this secret was issued by this member (forged, or issued by someone else). */
  | 'unknown-invite'
  /** The invite expired. */
  | 'expired'
  /** The invite was already used by another peer (or by this one, since removed from the log). */
  | 'already-used'
  /** The invite names another log. */
  | 'wrong-log'
  /** The request could not be decoded. */
  | 'bad-request'
  /** The member has no join handler: it is not accepting joins right now. */
  | 'not-accepting'
  /** The app's join handler declined (or failed to add) the peer. */
  | 'rejected';

/** A member refused our join request. */
export class JoinRefusedError extends TransportError {
  declare readonly code: JoinRefusalCode;
  constructor(code: JoinRefusalCode, message: string) {
    super(code, message);
  }
}

/** The join exchange failed for a reason other than a refusal (unreachable, timeout, garbage). */
export class JoinFailedError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('join-failed', message, options);
  }
}

/** An invite could not be created (no log id configured). */
export class InviteCreationError extends TransportError {
  constructor(message: string) {
    super('invite-unavailable', message);
  }
}

/** Why a member refused to give an invite to a peer that asked (invite-request protocol). */
export type InviteRequestRefusalCode =
  /** The member's user declined. */
  | 'declined'
  /** The member is not taking requests now (no app deciding them, or it failed to make one). */
  | 'not-accepting'
  /** The member has too many requests undecided, or one from this peer already. */
  | 'busy'
  /** Nobody decided in time. */
  | 'timeout'
  /** The request could not be decoded. */
  | 'bad-request';

/** A member refused to give us an invite. */
export class InviteRequestRefusedError extends TransportError {
  declare readonly code: InviteRequestRefusalCode;
  constructor(code: InviteRequestRefusalCode, message: string) {
    super(code, message);
  }
}

/** Asking for an invite failed for a reason other than a refusal (unreachable, no answer, garbage). */
export class InviteRequestFailedError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invite-request-failed', message, options);
  }
}
