/**
 * The injected bugs that replace a rule (rules.ts) rather than test a switch inside a handler:
 * the wrong decision lives here, in the test kit, and the protocol's code knows nothing of it.
 */
import type { BugName } from '../bugs.js';
import type { Rules } from '../rules.js';

/** The rules that the bugs in `bugs` replace. */
export function injectedRules(bugs: ReadonlySet<BugName>): Partial<Rules> {
  const rules: Partial<Rules> = {};
  if (bugs.has('ballot-floor-only')) {
    // The round computation before issue 12: the incarnation gives only a floor, so a restarted
    // peer that hears the round it used before (a late heartbeat) picks the same ballot again.
    rules.nextRound = (seen, incarnation) => Math.max(seen + 1, incarnation * 2 ** 24 + 1);
  }
  if (bugs.has('stale-catchup-source')) {
    // The catch-up choice before issue 12 (simulator seed 4020591): a partial transfer's source
    // is asked again and again, though it is behind; so is a peer that answered with nothing.
    rules.catchupSource = (s) => {
      if (s.incoming !== undefined) return s.incoming.from;
      let best: string | undefined;
      let slot = -1;
      for (const [p, at] of s.ahead) {
        if (at > slot) {
          best = p;
          slot = at;
        }
      }
      return best;
    };
  }
  if (bugs.has('amnesia-votes')) {
    // No store is ever judged rolled back: a copy restored under the same id votes as before.
    rules.judgeStore = () => ({ kind: 'ok' });
  }
  return rules;
}
