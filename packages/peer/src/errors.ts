/**
 * Typed errors of @synod/peer. Each is a core `SynodError` with a stable `code`, so an app
 * branches on `err.code` the same way for every Synod package.
 */
import { SynodError } from '@synod/core';

/** The data directory holds no log, and creating one was not allowed (`init: false`). */
export class NotInitializedError extends SynodError {
  constructor(readonly dataDir: string) {
    super(
      'not-initialized',
      `${dataDir} holds no log yet: create one (init) or join one with an invite (join)`,
    );
  }
}

/**
 * A join was asked for, but the data directory is already a member of another log. (An invite
 * to the log it is in is no error: the peer just opens its log.)
 */
export class AlreadyMemberError extends SynodError {
  constructor(
    readonly dataDir: string,
    readonly logId: string,
    /** The log of the invite. */
    readonly invitedTo?: string,
  ) {
    super(
      'already-member',
      `${dataDir} is already a member of log ${logId}${invitedTo !== undefined ? `, not of the invite's log ${invitedTo}` : ''}: use another data directory to join another log`,
    );
  }
}

/** The data directory belongs to another log than the one asked for (an invite, a logId). */
export class OtherLogError extends SynodError {
  constructor(
    readonly dataDir: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      'storage-log-mismatch',
      `${dataDir} belongs to log ${found}, not ${expected}: use another data directory`,
    );
  }
}

/** createPeer was given options it cannot use. */
export class InvalidPeerOptionsError extends SynodError {
  constructor(message: string) {
    super('invalid-peer-options', message);
  }
}

/** A join request was declined by the app's `admit` hook. */
export class JoinDeclinedError extends SynodError {
  constructor(readonly peer: string) {
    super('join-declined', `this peer declined the join of ${peer}`);
  }
}

/** A log reference (`--log NAME|ID`) that names no log of this peer, or more than one. */
export class UnknownLogError extends SynodError {
  constructor(
    readonly ref: string,
    /** The logs there are, by name (or id). */
    readonly known: readonly string[],
  ) {
    super(
      'unknown-log',
      known.length === 0
        ? `no log ${ref} here: this peer has no log yet`
        : `no log ${ref} here (logs: ${known.join(', ')})`,
    );
  }
}

/**
 * A log this peer left under its peer id: joining it again would start a new copy of the log
 * under the same id, which its members take for a store that went back in time (the core's
 * store-rolled-back: it would never vote). Joining again needs another peer id.
 */
export class LeftLogError extends SynodError {
  constructor(readonly logId: string) {
    super(
      'left-before',
      `this peer left log ${logId} before: under the same peer id its members would take a new copy for a store that went back in time (store-rolled-back); join it from another data directory (a new peer id)`,
    );
  }
}
