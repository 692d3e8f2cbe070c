/** Small helpers shared by the storage tests. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * A fingerprint of the file and its journals, to show that a refused open changed nothing.
 * An empty WAL counts as absent: SQLite removes an empty one on close, which changes no data.
 */
export function fingerprint(path: string): string {
  const h = createHash('sha256');
  for (const p of [path, `${path}-wal`, `${path}-journal`]) {
    h.update(p.slice(path.length));
    const data = existsSync(p) ? readFileSync(p) : undefined;
    h.update(data === undefined || data.length === 0 ? 'absent' : data);
  }
  return h.digest('hex');
}

/** The rejection of `p` (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

export function bytes(n: number, fill = 7): Uint8Array {
  return new Uint8Array(n).fill(fill);
}
