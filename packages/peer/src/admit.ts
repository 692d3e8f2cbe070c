/**
 * The member side of a join: a peer that presented a valid invite is added to the log.
 *
 * The log takes one membership change at a time, so requests are queued here, and a change
 * started elsewhere (another member admitting someone, say) is waited out (pending-change.ts)
 * until a deadline that leaves the joiner time to hear the answer.
 */
import { ALL_ROLES, membersOf, type Roles, type StateMachine, type SynodNode } from '@synod/core';
import type { JoinRequestInfo } from '@synod/transport-libp2p';
import { JoinDeclinedError } from './errors.js';
import { changeMembershipWhenFree } from './pending-change.js';

/** Decides whether a peer that presented a valid invite may join. */
export type AdmitHook = (request: JoinRequestInfo) => boolean | Promise<boolean>;

export interface AdmitterOptions {
  /** The roles a new peer gets (default: replica, leader and acceptor). */
  roles?: Roles;
  /** An extra check beyond the invite itself. */
  admit?: AdmitHook;
  /**
   * How long one admission may take, ms (default 45 000: below the joiner's default
   * `joinTimeoutMs` of 60 s, so that a refusal still reaches it).
   */
  timeoutMs?: number;
}

/** Between looks while this member has no configuration yet. */
const RETRY_MS = 100;

export class Admitter {
  /** Admissions run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly roles: Roles;
  private readonly timeoutMs: number;

  constructor(
    private readonly node: SynodNode<StateMachine>,
    private readonly options: AdmitterOptions = {},
  ) {
    this.roles = options.roles ?? ALL_ROLES;
    this.timeoutMs = options.timeoutMs ?? 45_000;
  }

  /** The transport's join handler: resolves once the peer is in the configuration. */
  admit(request: JoinRequestInfo): Promise<void> {
    const run = () => this.run(request);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async run(request: JoinRequestInfo): Promise<void> {
    if (this.options.admit !== undefined && !(await this.options.admit(request))) {
      throw new JoinDeclinedError(request.peer);
    }
    const deadline = Date.now() + this.timeoutMs;
    // This member joined moments ago and has not received the log yet.
    while (this.node.status().config === null) {
      if (Date.now() >= deadline) throw new Error('this peer has not caught up with the log yet');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    await changeMembershipWhenFree(async (timeoutMs) => {
      // Asked again after our answer was lost: it is in already.
      if (membersOf(this.node.status().config!).includes(request.peer)) return;
      await this.node.addPeer(request.peer, this.roles, { timeoutMs });
    }, deadline);
  }
}
