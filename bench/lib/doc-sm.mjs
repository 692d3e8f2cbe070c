// The desktop app's document log (@synod/desktop-app/document, issue 6) as the state machine of
// the `trace` suite: the editing trace is one entry of the shared document log, and every edit
// is an `edit` command of that entry (one patch, against the version its predecessor makes).
// `count` (the benchmarks' progress counter) is the number of operations the log has applied.
import { DocumentLog } from '@synod/desktop-app/document';

export class DocumentBenchLog extends DocumentLog {
  /** Operations applied (the append that creates the entry, then one per edit). */
  get count() {
    return this.stats().operations;
  }

  /** The text of entry `id` (the trace's document is entry 1), or null. */
  text(id = 1) {
    return this.get(id)?.body ?? null;
  }
}
