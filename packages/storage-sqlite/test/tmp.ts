/** Temporary directories for real database files (no mocks). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'synod-sqlite-'): {
  dir: string;
  file(name?: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    file: (name?: string) => join(dir, name ?? `peer-${++n}.db`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
