/**
 * Known protocol bugs that the simulator must catch (issue: "the simulator must be shown to
 * catch bugs"). Each name switches on one deliberate mistake. They exist only to prove that the
 * tests can fail; nothing outside `@synod/core/testing` should ever set them. The older ones are
 * checks inside the handlers; the newer ones replace a rule (rules.ts) from the test kit
 * (testing/injected-bugs.ts), leaving the handlers free of them.
 */
export const KNOWN_BUGS = [
  /** An acceptor loses its promised ballots on restart. */
  'forget-promise',
  /** A newly adopted leader does not fill gaps with no-ops. */
  'no-gap-fill',
  /** P1b/P2b/decisions leave before the state they depend on is durable. */
  'send-before-persist',
  /** An acceptor accepts a P2a whose ballot is below its promise. */
  'accept-lower-ballot',
  /** A retried command is applied again. */
  'no-dedupe',
  /** A configuration takes effect in the next slot instead of WINDOW slots later. */
  'reconfig-immediate',
  /** An acceptor drops pvalues for slots its replica has not decided. */
  'gc-unsafe',
  /** Votes are counted from the newest configuration's acceptors, not the slot's own. */
  'wrong-config-quorum',
  /**
   * A new ballot's round is only floored by the incarnation (`max(seen + 1, inc · 2^24 + 1)`):
   * a restarted peer that heard the same round again reuses a ballot of its previous run.
   */
  'ballot-floor-only',
  /**
   * Catch-up asks the source of a snapshot transfer even once the replica got past it, else the
   * peer that claimed to be furthest ahead, even after it answered that it lacks the slots.
   */
  'stale-catchup-source',
  /** A store restored from an older copy, or wiped, votes again as if nothing happened. */
  'amnesia-votes',
  /**
   * A linearizable read's index does not cover the slots a skip voids: confirmed for a voided
   * slot (in the configuration that decided the skip), it misses the writes after the skip.
   */
  'skip-read-index',
  /** A replica moves past a skip when it learns it, before it has applied the slots below. */
  'skip-when-learned',
  /** A replica applies the decisions it already holds in the slots a skip voids. */
  'skip-applies-held',
] as const;

export type BugName = (typeof KNOWN_BUGS)[number];

export function isBugName(s: string): s is BugName {
  return (KNOWN_BUGS as readonly string[]).includes(s);
}
