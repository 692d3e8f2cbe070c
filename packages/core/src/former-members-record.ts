/**
 * The former members (former-members.ts) a store keeps across runs, in its meta values. The
 * configurations that removed them are not in the log once a snapshot passes the removal, so a
 * member restarted after compaction would otherwise have forgotten whom to answer.
 *
 * Written by the driver whenever the list changes, on its own (best effort, as the hand-over
 * record): a removal is learned a whole snapshot interval before compaction drops its
 * configuration, so the write has long landed by then. Lost in a crash, a former member is
 * refused as before this list existed (its user leaves with `force`); never wrong: a peer that
 * is a member again is answered as a member whatever the list says.
 */
import { MAX_FORMER_MEMBERS } from './former-members.js';
import type { Storage } from './storage.js';
import type { PeerId } from './types.js';

const KEY = 'synod.formerMembers';

/** The former members a run of this store recorded, oldest removal first ([] when none). */
export async function readFormerMembers(storage: Storage): Promise<PeerId[]> {
  try {
    const v = await storage.getMeta(KEY);
    if (v === undefined) return [];
    const ids: unknown = JSON.parse(new TextDecoder().decode(v));
    if (!Array.isArray(ids)) return [];
    // A peer id is a string of 1 to 256 characters (configuration.ts); others are not ours.
    const ok = ids.filter(
      (p): p is string => typeof p === 'string' && p.length > 0 && p.length <= 256,
    );
    return ok.slice(-MAX_FORMER_MEMBERS);
  } catch {
    // Unreadable: none known (each is refused, as before the list existed).
    return [];
  }
}

/** Record the former members (best effort; see above). */
export function recordFormerMembers(storage: Storage, ids: readonly PeerId[]): Promise<void> {
  return storage.setMeta(KEY, new TextEncoder().encode(JSON.stringify(ids))).catch(() => {
    // Not recorded: see above.
  });
}
