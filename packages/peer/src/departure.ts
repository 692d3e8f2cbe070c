/**
 * A planned departure (stop, close, leave, the app quitting or the machine going to sleep) hands
 * leadership over first, so that writes at the other peers wait a round trip or two for the new
 * leader rather than an election timeout (core's `transferLeadership`, docs/protocol.md
 * "Leadership transfer"). Best effort and bounded: a departure never waits longer than the
 * election it would save, and never fails because of the handover.
 */
import type { StateMachine, SynodNode } from '@synod/core';

/** What a departure's handover did, with a sentence for a log line. */
export type HandoverOutcome =
  /** This peer does not lead, or leads alone: nobody waits for it. */
  | { readonly kind: 'not-leader'; readonly line: string }
  /** It led, but no other leader of the log answered lately and is connected. */
  | { readonly kind: 'no-target'; readonly line: string }
  /** `to` leads now (this peer heard it lead), `ms` after the handover began. */
  | {
      readonly kind: 'handed-over';
      readonly to: string;
      readonly ms: number;
      readonly line: string;
    }
  /** `to` was asked to take over, but did not within the deadline (or the node could not ask). */
  | {
      readonly kind: 'failed';
      readonly to: string;
      readonly ms: number;
      readonly reason: string;
      readonly line: string;
    };

/**
 * The longest a departure waits by default, whatever the election timeout: someone quitting the
 * app, or a system shutting down, does not wait longer for a courtesy to the other peers.
 */
export const MAX_HANDOVER_WAIT_MS = 5000;
/**
 * The shortest default wait. On a busy machine a handover with the default 300 ms election
 * timeout took 471 ms (load 18): past two election timeouts it is usually all but done (the
 * target runs phase 1, and this peer's acceptor may be the vote it needs), so a little longer
 * is worth it.
 */
export const MIN_HANDOVER_WAIT_MS = 2000;

export interface HandoverOptions {
  /**
   * How long to wait for the new leader, ms. Default: two election timeouts (what the election
   * it saves would cost at most: a follower's timeout is drawn from [T, 2T)), within
   * [MIN_HANDOVER_WAIT_MS, MAX_HANDOVER_WAIT_MS].
   */
  timeoutMs?: number | undefined;
}

/** HandoverOptions.timeoutMs' default for `node`. */
export function defaultHandoverWaitMs(node: SynodNode<StateMachine>): number {
  return Math.min(
    Math.max(2 * node.protocol.electionTimeoutMs, MIN_HANDOVER_WAIT_MS),
    MAX_HANDOVER_WAIT_MS,
  );
}

/**
 * If `node` is the active leader, hand leadership over to the best other leader it can reach:
 * among those that acknowledged it within an election timeout, the most caught up, then the
 * most recently heard (SynodNode.transferTargets: the transfer waits until its target has
 * applied as far as this leader, so that one takes over soonest), and of those the first the
 * transport is connected to now (the `transfer` message must leave before this peer goes).
 * Never rejects.
 */
export async function handOverLeadership<SM extends StateMachine>(
  node: SynodNode<SM>,
  options: HandoverOptions = {},
): Promise<HandoverOutcome> {
  const s = node.status();
  const others = s.config?.leaders.filter((p) => p !== node.id) ?? [];
  // A failed or removed node leads nobody any more, whatever its leader's state says.
  const leads = s.leader.active && s.activeLeader === node.id && s.failure === null && !s.removed;
  if (!leads || others.length === 0) {
    return { kind: 'not-leader', line: 'not the leader: nothing to hand over' };
  }
  const connected = new Set(s.links.filter((l) => l.connected).map((l) => l.peer));
  const to = node.transferTargets().find((p) => connected.has(p));
  if (to === undefined) {
    // Connected leaders but no target: none acknowledged this leader lately, or a handover
    // begun before (stop after leave, say) is still under way: the core names no target then.
    const why = others.some((p) => connected.has(p))
      ? 'no other leader is ready (none answered this leader lately, or a handover begun before is still under way)'
      : 'no other leader is connected';
    return {
      kind: 'no-target',
      line: `leaving without a handover: ${why} (the others elect one after an election timeout)`,
    };
  }
  const timeoutMs = options.timeoutMs ?? defaultHandoverWaitMs(node);
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  // A target that goes away meanwhile (it is stopping too: a whole cluster shut down at once)
  // will not take over: stop waiting for it then, rather than at the deadline.
  const gone = new AbortController();
  const unwatch = node.watchStatus(() => {
    if (!node.status().links.some((l) => l.peer === to && l.connected)) gone.abort();
  });
  try {
    await node.transferLeadership(to, { timeoutMs, signal: gone.signal });
    const took = ms();
    return {
      kind: 'handed-over',
      to,
      ms: took,
      line: `handed leadership over to ${to} in ${took} ms`,
    };
  } catch (err) {
    const reason = gone.signal.aborted
      ? `${to} disconnected`
      : err instanceof Error
        ? err.message
        : String(err);
    const took = ms();
    return {
      kind: 'failed',
      to,
      ms: took,
      reason,
      line: `handing leadership over to ${to} failed after ${took} ms (${reason}): leaving anyway, the others elect a leader after an election timeout`,
    };
  } finally {
    unwatch();
  }
}
