/**
 * The peer service's typed errors. Each has a stable `code` (core's SynodError), which the local
 * API turns into an HTTP status and a JSON error, and the CLI into one line.
 */
import { SynodError } from '@synod/core';
import type { DocumentErrorCode } from '../document/types.js';

/** The document log refused a command (decided, and refused identically on every replica). */
export class DocumentError extends SynodError {
  declare readonly code: DocumentErrorCode;
  constructor(
    code: DocumentErrorCode,
    message: string,
    /** The entry's current version, when there is one (0 otherwise): what to rebase onto. */
    readonly version: number,
  ) {
    super(code, message);
  }
}

/** A request that cannot become a command (wrong type, over a limit, invalid text). */
export class InvalidArgumentError extends SynodError {
  constructor(
    message: string,
    code: 'invalid-argument' | 'bad-text' | 'too-large' = 'invalid-argument',
  ) {
    super(code, message);
  }
}

/** The data directory holds no log yet: create one or join one first. */
export class NotInitializedError extends SynodError {
  constructor(
    message = 'this peer is not part of a log yet: create one or join one with an invite',
  ) {
    super('not-initialized', message);
  }
}

/** Create or join on a peer that already belongs to a log. */
export class AlreadyInitializedError extends SynodError {
  constructor(readonly logId: string) {
    super('already-initialized', `this peer already belongs to log ${logId}`);
  }
}

/** No member has this id or name. */
export class UnknownPeerError extends SynodError {
  constructor(ref: string) {
    super('unknown-peer', `no member is called ${ref}`);
  }
}

/** A name that several members share: use the peer id. */
export class AmbiguousPeerError extends SynodError {
  constructor(ref: string, ids: readonly string[]) {
    super(
      'ambiguous-peer',
      `${ref} names ${ids.length} members (${ids.join(', ')}): use a peer id`,
    );
  }
}

/** The service is stopped (or stopping). */
export class ServiceStoppedError extends SynodError {
  constructor() {
    super('stopped', 'the peer is stopped');
  }
}

/** A majority of acceptors to reach, and how many are reachable. */
export interface MajorityInfo {
  readonly reachable: number;
  readonly total: number;
  readonly needed: number;
  readonly ok: boolean;
}

/**
 * An operation did not complete in time. `no-majority` when this peer does not reach a
 * majority of acceptors (the operation stays pending and commits once it does); `timeout`
 * otherwise. Either way it may still take effect.
 */
export class OperationTimeoutError extends SynodError {
  constructor(
    readonly majority: MajorityInfo | null,
    timeoutMs: number,
  ) {
    const noMajority = majority !== null && !majority.ok;
    super(
      noMajority ? 'no-majority' : 'timeout',
      noMajority
        ? `no majority reachable: ${majority.reachable} of ${majority.total} acceptors reachable, need ${majority.needed} (the operation is pending and may still commit)`
        : `not decided within ${timeoutMs} ms (it may still take effect)`,
    );
  }
}

/** An answer to an invite request that is no longer waiting (answered, withdrawn, expired). */
export class UnknownInviteRequestError extends SynodError {
  constructor(id: number) {
    super(
      'unknown-invite-request',
      `no invite request ${id} is waiting (answered, or the asking peer went away)`,
    );
  }
}

/** Asking on the LAN needs the peer in setup with LAN discovery on. */
export class LanUnavailableError extends SynodError {
  constructor(why: string) {
    super('lan-unavailable', why);
  }
}

/** A log of this peer whose core does not run now: closed (log-closed), or the peer suspended or stopped (stopped). */
export class LogClosedError extends SynodError {
  constructor(log: string, state: string) {
    super(
      state === 'suspended' || state === 'stopped' ? 'stopped' : 'log-closed',
      state === 'suspended' || state === 'stopped'
        ? `the peer is ${state}`
        : `log ${log} is closed here (open it: synod open --log ${log})`,
    );
  }
}

/** Several logs and none named: which one? (the request changes nothing) */
export class LogRequiredError extends SynodError {
  constructor(readonly logs: readonly string[]) {
    super(
      'log-required',
      `this peer has ${logs.length} logs: name one with --log NAME|ID (or /api/logs/<log>/…): ${logs.join(', ')}`,
    );
  }
}

/** A second log needs a name on this peer, to tell the logs apart (`--log NAME`). */
export class LogNameRequiredError extends SynodError {
  constructor(logId: string) {
    super(
      'already-initialized',
      `this peer already belongs to log ${logId}: give the new log a name (--log-name) to keep it beside`,
    );
  }
}
