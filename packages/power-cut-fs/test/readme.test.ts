/** The README's example, run as it is written (with its own mount point). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

it("README's example: an unsynced file is gone after the cut", () => {
  const readme = readFileSync(join(PACKAGE, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'synod-powercut-readme-'));
  // Beside the package, so that '@synod/power-cut-fs' resolves as it does for a user.
  const script = join(PACKAGE, `.readme-example-${process.pid}.mjs`);
  try {
    writeFileSync(script, code.replace('/tmp/power-cut-example', join(dir, 'disk')));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/files: 1, dirs: 1, bytes: 4096, torn: false/);
    expect(r.stdout.trim().split('\n').pop()).toBe('false');
  } finally {
    rmSync(script, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
