/**
 * The simulator must be able to fail: each known bug, switched on, is caught within 200 seeds
 * of a named nemesis profile (issue: "the simulator must be shown to catch bugs"). The older
 * bugs are caught by the seeds' own profile draw; the issue-12 bugs each by the profile built
 * for their class of fault.
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS, type BugName } from '../src/bugs.js';
import type { ProfileName } from '../src/testing/profiles.js';
import { runSimulation } from '../src/testing/simulator.js';

/** The profile that catches each bug (undefined: the profile each seed draws). */
const PROFILE_FOR: Record<BugName, ProfileName | undefined> = {
  'forget-promise': undefined,
  'no-gap-fill': undefined,
  'send-before-persist': undefined,
  'accept-lower-ballot': undefined,
  'no-dedupe': undefined,
  'reconfig-immediate': undefined,
  'gc-unsafe': undefined,
  'wrong-config-quorum': undefined,
  'ballot-floor-only': 'ballot-reuse',
  'stale-catchup-source': 'catchup',
  'amnesia-votes': 'amnesia',
  // Rare: a read confirmed for a slot a skip voids, while the new configuration writes past it.
  // 3 of 1,000 mixed seeds catch it on this code (159, 332, 453); membership-churn first at 222.
  // A timing change can move it past 200, and then this test fails: find the next seed with
  // `npm run sim -- --seeds 1000 --profile mixed --inject-bug skip-read-index --until-failure`.
  'skip-read-index': 'mixed',
  'skip-when-learned': undefined,
  'skip-applies-held': 'membership-churn',
};

/** Runs seeds 1..200 with `bug` switched on until one fails; prints where it was caught. */
function expectCaught(bug: BugName, profile: ProfileName | undefined): void {
  let caught: { seed: number; violation: string } | undefined;
  for (let seed = 1; seed <= 200 && caught === undefined; seed++) {
    const r = runSimulation({ seed, bugs: [bug], ...(profile ? { profile } : {}) });
    if (!r.ok) caught = { seed, violation: r.violations[0]! };
  }
  expect(caught, `${bug} went unnoticed for 200 seeds`).toBeDefined();
  console.log(`${bug}: caught at seed ${caught!.seed}: ${caught!.violation.slice(0, 120)}`);
}

describe('the simulator catches known bugs', () => {
  for (const bug of KNOWN_BUGS) {
    const profile = PROFILE_FOR[bug];
    it(`${bug} within 200 seeds${profile === undefined ? '' : ` of profile ${profile}`}`, () => {
      expectCaught(bug, profile);
    }, 600_000);
  }

  // A whole-cluster power cut leaves no peer up that knows more than its disk: an answer sent
  // before its write is lost for good. The power-cut nemesis must see that (issue 18's case).
  it('send-before-persist within 200 seeds of profile power-cut', () => {
    expectCaught('send-before-persist', 'power-cut');
  }, 600_000);
});
