/**
 * What the roles of one peer share: its id, the time of the last tick, the options, where to
 * send (RawNode's WriteTracker holds the turn's outbox), the batch of state to persist this
 * turn, and the test-only bug switches. The roles never do I/O themselves; they append to these
 * and RawNode hands them out in `ready()`.
 */
import type { BugName } from './bugs.js';
import type { Message } from './messages.js';
import type { ProtocolOptions } from './options.js';
import type { PersistBuilder } from './persist-builder.js';
import type { Rules } from './rules.js';
import type { StorageReadRequest } from './storage-reads.js';
import type { PeerId } from './types.js';

export interface NodeContext {
  readonly id: PeerId;
  readonly opts: ProtocolOptions;
  readonly persist: PersistBuilder;
  /** The decisions a test kit may replace (rules.ts); RULES in production. */
  readonly rules: Rules;
  /** The time passed to the last `tick(now)`. */
  now(): number;
  /** A number in [0, 1) from the driver's seeded generator. */
  random(): number;
  /** This run's incarnation (grows at every start; durable before any ballot is used). */
  incarnation(): number;
  /** Send a message that depends on no unpersisted state (P1a, P2a, heartbeats, requests...). */
  send(to: PeerId, msg: Message): void;
  /**
   * Send a message that reports acceptor state (P1b, P2b, heartbeat acks): it leaves only once
   * this turn's write, or the newest one in flight, is durable (persist before send, per write:
   * write-tracker.ts). Decisions go with `send`: they are chosen, whatever this peer wrote.
   */
  sendAfterPersist(to: PeerId, msg: Message): void;
  /** Ask the driver to read storage (storage-reads.ts); returns the id its answer comes with. */
  read(r: StorageReadRequest): number;
  bug(name: BugName): boolean;
  trace(line: string): void;
}
