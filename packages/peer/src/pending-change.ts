/**
 * The log takes one membership change at a time: core refuses a second while the first is
 * undecided or decided but not yet governing (ReconfigPendingError; a change governs WINDOW
 * slots after its decision, which an idle log passes at once with one skip). A change this peer
 * makes for itself or for a joiner waits such a change out instead of failing: the user did
 * nothing wrong, another member was just a moment earlier.
 */
import { ReconfigPendingError } from '@synod/core';

/** Between tries while another membership change takes effect. */
const RETRY_MS = 100;

/**
 * Run `change` until it is taken, trying again while another membership change is pending,
 * until `deadline` (Date.now() ms); `change` gets the time left. Any other error, and a pending
 * change still there at the deadline, are thrown as they are.
 */
export async function changeMembershipWhenFree(
  change: (timeLeftMs: number) => Promise<void>,
  deadline: number,
): Promise<void> {
  for (;;) {
    try {
      await change(Math.max(1000, deadline - Date.now()));
      return;
    } catch (err) {
      if (!(err instanceof ReconfigPendingError) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
