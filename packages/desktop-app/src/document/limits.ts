/**
 * The document log's limits and format number. They are part of the replicated state
 * machine's definition: every replica must refuse exactly the same commands, so these are
 * constants, never options.
 */

/** The command and snapshot format this code writes and reads. */
export const DOCUMENT_FORMAT = 1;
/** The longest entry body, in UTF-16 code units (about a 300-page book). */
export const MAX_BODY = 1_000_000;
/**
 * The most entries a log holds, deleted ones included (they can be restored): with MAX_BODY
 * this bounds the state, and so every snapshot and every peer's memory.
 */
export const MAX_ENTRIES = 10_000;
/** The longest entry title or log title, in UTF-16 code units. */
export const MAX_TITLE = 200;
/** The longest peer (author) name, in UTF-16 code units. */
export const MAX_NAME = 64;
/** The most patches in one edit. */
export const MAX_PATCHES = 1_000;
/** How many decided operations the replicated history keeps (the newest ones). */
export const HISTORY_LIMIT = 1_000;
/** How many recent changes each entry keeps, so that a stale edit can be rebased over them. */
export const REBASE_WINDOW = 64;
