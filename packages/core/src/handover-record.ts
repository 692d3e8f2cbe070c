/**
 * The one thing about a removed peer's hand-over (handover.ts) that outlives a run: the `start`
 * of the last one confirmed, in the store's meta values. At load, RawNode begins the hand-over
 * again for a removal the log it loads holds, since the run that learned it may have stopped
 * first. Deriving is enough to know one may be pending, never that one was confirmed, and asking
 * again does not always get an answer: a remaining replica that compacted past the removal
 * answers a former member only while it remembers it (former-members.ts: the 64 most recent,
 * recorded best effort). So a peer removed long ago that had handed over could show a hand-over
 * pending for ever.
 *
 * Written after the confirmation, on its own: lost in a crash, the next run asks again, which
 * is safe. Never wrong once written: a confirmation stays true.
 */
import type { Storage } from './storage.js';
import type { Slot } from './types.js';

const KEY = 'synod.handedOver';

/** The `start` of the last hand-over a run of this store saw confirmed (undefined: none). */
export async function readHandedOver(storage: Storage): Promise<Slot | undefined> {
  let v: Uint8Array | undefined;
  try {
    v = await storage.getMeta(KEY);
  } catch {
    // Unknown: the hand-over is asked again (safe).
    return undefined;
  }
  if (v === undefined) return undefined;
  const n = Number(new TextDecoder().decode(v));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Record that the hand-over through `start` was confirmed (best effort; see above). */
export function recordHandedOver(storage: Storage, start: Slot): Promise<void> {
  return storage.setMeta(KEY, new TextEncoder().encode(String(start))).catch(() => {
    // Not recorded: the next run asks again, which is safe.
  });
}
