#!/usr/bin/env node
/**
 * Bundles the UI with esbuild: renderer/main.ts and everything it imports (our shared modules,
 * jsdiff) into one ES module, ui/js/main.js, that the page loads under its strict CSP (one
 * script of its own origin; no import maps, no inline script). The renderer is typechecked by
 * the root `tsc -b` (renderer/tsconfig.json); esbuild only strips types and joins the files.
 * Also bundles the Electron preload (src/electron/preload.ts) into dist/electron/preload.cjs:
 * a sandboxed preload cannot require anything but `electron`, so the operation table it
 * derives its method list from must be inside it. And the `synod` command (build-cli.js).
 *
 *   node bin/build-ui.js            (run by the root `npm run build` after tsc -b)
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCli } from './build-cli.js';
import { writeOutputs } from './write-outputs.js';

const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));

/**
 * Each output is written only if it changed, and never in place (write-outputs.js): `npm test`
 * runs this build (test/pack's `npm pack`) while other test files use the outputs.
 */
export async function buildUi() {
  await Promise.all([
    build({
      absWorkingDir: PACKAGE_DIR,
      entryPoints: ['renderer/main.ts'],
      outfile: 'ui/js/main.js',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      legalComments: 'linked',
      logLevel: 'warning',
      write: false,
    }).then((r) => writeOutputs(r.outputFiles)),
    build({
      absWorkingDir: PACKAGE_DIR,
      entryPoints: ['src/electron/preload.ts'],
      outfile: 'dist/electron/preload.cjs',
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node22',
      external: ['electron'],
      logLevel: 'warning',
      write: false,
    }).then((r) => writeOutputs(r.outputFiles)),
    buildCli(PACKAGE_DIR),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildUi();
