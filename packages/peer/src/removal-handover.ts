/**
 * A peer removed from a log (by its own leave, or by another member) hands the slots before its
 * removal over to a member that stays before it may stop (core `status().handover`,
 * docs/protocol.md "A peer that leaves hands over first"): the configuration it left may need
 * its acceptor to learn them again. Stopping waits for a pending hand-over, bounded as the
 * leadership handover is (departure.ts: two election timeouts, within 2–5 s), and never fails
 * because of it: the outcome says what happened, with a sentence for a log line.
 */
import type { StateMachine, SynodNode } from '@synod/core';
import { defaultHandoverWaitMs } from './departure.js';

/** What a stop found of this peer's pending removal hand-over. */
export type RemovalHandoverOutcome =
  /** A member that stays confirmed it holds every slot before `start`, `ms` after the wait began. */
  | { readonly kind: 'done'; readonly start: number; readonly ms: number; readonly line: string }
  /** None confirmed it within the wait (or the node could not wait): stopped anyway. */
  | {
      readonly kind: 'pending';
      readonly start: number;
      readonly ms: number;
      readonly reason: string;
      readonly line: string;
    };

/**
 * If `node`'s removal hand-over is pending, wait for it, at most `timeoutMs` (default: as the
 * leadership handover). Undefined when none is pending (none begun in this run, or done).
 * Never rejects.
 */
export async function awaitRemovalHandover<SM extends StateMachine>(
  node: SynodNode<SM>,
  timeoutMs = defaultHandoverWaitMs(node),
): Promise<RemovalHandoverOutcome | undefined> {
  const h = node.status().handover;
  if (h === null || h.done) return undefined;
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    await node.awaitHandover({ timeoutMs });
    const took = ms();
    return {
      kind: 'done',
      start: h.start,
      ms: took,
      line: `handed the slots before ${h.start} over to a member that stays in ${took} ms (this peer was removed)`,
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const took = ms();
    return {
      kind: 'pending',
      start: h.start,
      ms: took,
      reason,
      line: `stopping before a member that stays confirmed it holds the slots before ${h.start} (waited ${took} ms): this peer was removed, and if no member that stays holds those slots durably (one that crashes before its next write loses them) the log cannot learn them again without this peer`,
    };
  }
}
