/** Paths of the repository, for tests that run its compiled programs. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const COUNTER_EXAMPLE = join(ROOT, 'examples/shared-counter/dist/counter.js');
/** The `synod` command as installed (its bin, which runs the bundle in dist/synod/). */
export const SYNOD_CLI = join(ROOT, 'packages/desktop-app/bin/synod.cjs');
/** The editing trace (outside the repository, beside it), overridable for other checkouts. */
export const TRACE_FILE =
  process.env.SYNOD_TRACE_FILE ?? join(ROOT, '..', 'shared', 'data', 'automerge-paper.json.gz');
