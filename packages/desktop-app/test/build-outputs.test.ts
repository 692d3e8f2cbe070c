/**
 * The build (bin/build-ui.js: the page's bundle, the Electron preload, the `synod` command) runs
 * while other processes use its outputs: `npm test` builds first, then test/pack's `npm pack`
 * runs this package's prepack (the same build) while other test files start `synod` and load
 * the page. esbuild's own write truncated every output and wrote it again, and a `synod` started
 * then read a chunk cut short (a fresh-clone run: "The requested module './chunk-….js' does not
 * provide an export named '__commonJS'"). So a rebuild of unchanged sources touches no file, and
 * a changed output is replaced whole (renamed over: a new inode), never rewritten in place.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const OUTPUTS = [
  ...readdirSync(join(PKG, 'dist/synod')).map((f) => join('dist/synod', f)),
  ...readdirSync(join(PKG, 'ui/js')).map((f) => join('ui/js', f)),
  'dist/electron/preload.cjs',
].filter((f) => !f.endsWith('.tmp'));

/** As `npm run build:ui` and the prepack run it. */
function build(): void {
  execFileSync(process.execPath, [join(PKG, 'bin/build-ui.js')], { stdio: 'pipe' });
}

function stats(): Map<string, string> {
  return new Map(
    OUTPUTS.map((f) => {
      const s = statSync(join(PKG, f), { bigint: true });
      return [f, `inode ${s.ino}, mtime ${s.mtimeNs}`];
    }),
  );
}

describe('the build, rerun while its outputs are in use', () => {
  it('writes nothing when nothing changed, and replaces a changed output whole', () => {
    build(); // up to date, whatever the tree was
    const before = stats();
    build();
    expect(stats()).toEqual(before);

    // An output that differs from what the build makes (put in place whole, as the build would:
    // a `synod` may be loading it). The build puts its own back, as a new file.
    const main = join(PKG, 'dist/synod/main.js');
    const bytes = readFileSync(main);
    writeFileSync(`${main}.test.tmp`, Buffer.concat([bytes, Buffer.from('\n')]));
    renameSync(`${main}.test.tmp`, main);
    const changed = statSync(main).ino;
    build();
    expect(readFileSync(main)).toEqual(bytes);
    expect(statSync(main).ino).not.toBe(changed);
  });
});
