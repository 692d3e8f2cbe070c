/**
 * Typed errors. Every error Synod raises is a `SynodError` with a stable `code`, so that an app
 * can branch on `err.code` rather than on message text (as js-libp2p does).
 */
export class SynodError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A config object failed `validate()`. */
export class InvalidConfigError extends SynodError {
  constructor(message: string) {
    super('invalid-config', message);
  }
}

/**
 * An argument of the public API has the wrong type or is out of range (a command that is not a
 * Uint8Array, a timeout that is NaN or negative, a peer id the transport cannot reach, a size
 * of Infinity): refused before anything is proposed, read or written.
 */
export class InvalidArgumentError extends SynodError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/** A membership change would leave a configuration that cannot work (no acceptor, no leader...). */
export class InvalidMembershipError extends SynodError {
  constructor(message: string) {
    super('invalid-membership', message);
  }
}

/** Another membership change is still pending: one at a time. */
export class ReconfigPendingError extends SynodError {
  constructor(message = 'another membership change is still pending') {
    super('reconfig-pending', message);
  }
}

/**
 * A skip (command.ts) whose range is not `slot < through < slot + WINDOW`: refused when
 * proposed, and applied as a no-op when decided (every replica alike).
 */
export class InvalidSkipError extends SynodError {
  constructor(message: string) {
    super('invalid-skip', message);
  }
}

/** The operation needs a role this peer does not have (e.g. propose on an acceptor-only peer). */
export class NotReplicaError extends SynodError {
  constructor(message = 'this peer is not a replica of the current configuration') {
    super('not-replica', message);
  }
}

/** No active leader could confirm a linearizable read, or the request went to a non-leader. */
export class NotLeaderError extends SynodError {
  constructor(message = 'no active leader is known') {
    super('not-leader', message);
  }
}

/** The operation did not complete in time; it may still take effect later. */
export class TimeoutError extends SynodError {
  constructor(message: string) {
    super('timeout', message);
  }
}

/** The node was stopped (or failed) before the operation completed. */
export class StoppedError extends SynodError {
  constructor(message = 'the node is stopped', options?: { cause?: unknown }) {
    super('stopped', message, options);
  }
}

/** This peer was removed from the log and takes no further part. */
export class RemovedError extends SynodError {
  constructor(message = 'this peer has been removed from the log') {
    super('removed', message);
  }
}

/**
 * This peer removed itself (`removePeer(self)`, @synod/peer's `leave`) and the removal is decided:
 * from slot `start` on it is not a member. But the call's `timeoutMs` or `signal` ended it before
 * a replica that stays confirmed it holds, durably, every slot before `start` (the hand-over,
 * docs/protocol.md). Those slots may need this peer's acceptor to be learned again: stopped now,
 * a remaining replica that lacks them (not learned yet, or lost in a crash before it wrote them)
 * could never recover them. Keep the peer running: it goes on asking until one confirms, and
 * `status().handover` says when (`done`); `awaitHandover()` waits for it again.
 */
export class HandoverPendingError extends SynodError {
  constructor(
    /** The first slot of the configuration without this peer. */
    readonly start: number,
    /** Why the wait ended: the call's time was up, or its signal aborted. */
    readonly reason: 'timeout' | 'aborted',
  ) {
    super(
      'handover-pending',
      `the removal of this peer is decided (from slot ${start} it is no longer a member), but ` +
        `${reason === 'timeout' ? 'the time ran out' : 'the wait was aborted'} before a remaining ` +
        `replica confirmed that it holds every slot before ${start}; stopping this peer now may ` +
        `leave the log unable to recover those slots if no remaining peer then holds them (one ` +
        `has not learned them yet, or crashes or loses its disk before it writes them): keep this ` +
        `peer running (it goes on asking) until its status shows the hand-over done`,
    );
  }
}

/**
 * Peers found this peer's store rolled back (restored from an older copy, or replaced): it no
 * longer votes, leads or proposes under its id (docs/protocol.md, "An acceptor with amnesia").
 */
export class StoreRolledBackError extends SynodError {
  constructor(message: string) {
    super('store-rolled-back', message);
  }
}

/** The durable store failed; the node fails closed and acknowledges nothing more. */
export class StorageFailedError extends SynodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage-failed', message, options);
  }
}

/** A storage read was asked for something that cannot be (Storage.readDecisions' arguments). */
export class InvalidReadError extends SynodError {
  constructor(message: string) {
    super('invalid-read', message);
  }
}

/** A command was decided but the state machine refused it (its `apply` threw). */
export class CommandRejectedError extends SynodError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Bytes that should hold an encoded structure do not. */
export class DecodeError extends SynodError {
  constructor(message: string) {
    super('decode-error', message);
  }
}
