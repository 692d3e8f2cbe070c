/**
 * Writes a build's output files (esbuild's `outputFiles`, built with `write: false`) so that a
 * process reading them meanwhile never sees one half written. esbuild's own write truncates each
 * file and writes it again, unchanged or not; `npm test` builds while other test files start the
 * `synod` command (test/pack's `npm pack` runs this package's prepack), and a `synod` started
 * then read a chunk cut short (fresh clone, quiet run: "The requested module './chunk-….js'
 * does not provide an export named '__commonJS'").
 *
 * So a file whose bytes are unchanged is not touched; a changed one is written beside itself
 * and renamed over (atomic on one file system); and the files that did not exist yet (chunks,
 * whose names carry a hash of their content) are written before those that are replaced
 * (main.js, meta.json), so that a file never names a chunk that is not there yet.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** @param {readonly { path: string; contents: Uint8Array }[]} files absolute paths */
export function writeOutputs(files) {
  const changed = files.filter((f) => !sameBytes(f.path, f.contents));
  const fresh = changed.filter((f) => !existsSync(f.path));
  const replaced = changed.filter((f) => existsSync(f.path));
  for (const f of [...fresh, ...replaced]) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

/** @param {string} path @param {Uint8Array} bytes */
function sameBytes(path, bytes) {
  try {
    return Buffer.compare(readFileSync(path), bytes) === 0;
  } catch {
    return false;
  }
}
