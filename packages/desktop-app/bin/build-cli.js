/**
 * Bundles the `synod` command with esbuild: dist/cli/main.js (tsc's output) and everything it
 * imports, libp2p and the peer included, into ES modules in dist/synod/, split where main.ts
 * imports lazily (client subcommands load commander and an HTTP client, never the peer's chunk).
 * Node's loader resolves and reads each module file on its own: unbundled, `synod start` loaded
 * ~700 modules, 0.58 s of CPU before its first output; bundled 0.22 s (client subcommands 0.12 ->
 * 0.09 s). bin/synod.cjs runs the bundle: what users run is what the tests run.
 *
 * Kept outside: better-sqlite3 (a native addon found through its package). The bundle sits two
 * levels below the package, as dist/cli/ does, so that the paths the CLI reads relative to its
 * own file (../../package.json, ../../ui/) are the same. The SQLite worker thread of
 * @synod/storage-sqlite (io: 'worker') is not reachable from the CLI, which has no --io.
 * dist/synod/meta.json (esbuild's metafile: which inputs each chunk holds) is for the test
 * that checks what client subcommands load; it is not packed.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { writeOutputs } from './write-outputs.js';

/** @param {string} packageDir the package directory (absolute) */
export async function buildCli(packageDir) {
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: ['dist/cli/main.js'],
    outdir: 'dist/synod',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3'],
    // CommonJS dependencies (commander) require Node's modules: give the bundle a require.
    banner: {
      js: "import { createRequire as synodCreateRequire } from 'node:module';\nconst require = synodCreateRequire(import.meta.url);",
    },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Written by writeOutputs: never truncated in place while a `synod` process loads it.
    write: false,
  });
  const meta = {
    path: join(packageDir, 'dist/synod/meta.json'),
    contents: Buffer.from(JSON.stringify(result.metafile)),
  };
  writeOutputs([...result.outputFiles, meta]);
}
