#!/usr/bin/env node
// `npm run electron:rebuild -w @synod/desktop-app`: build better-sqlite3 for Electron's ABI
// into native/electron/<platform>-<arch>/better_sqlite3.node, BESIDE the Node build in
// node_modules/better-sqlite3/build that the tests and the headless peer use. Electron's main
// process passes that file to better-sqlite3 as its `nativeBinding` (src/electron/native.ts).
//
// Rebuilding in place (what `@electron/rebuild` and electron-builder's npmRebuild do by
// default) would replace the Node build, and every test would then fail to load SQLite; so the
// package is copied to a temporary directory and built there:
//   1. prebuild-install --runtime electron (better-sqlite3's own prebuilt binaries, from its
//      GitHub releases), else
//   2. node-gyp rebuild against Electron's headers (https://electronjs.org/headers; needs a
//      C++ toolchain and python3).
// Both download from outside the npm registry, so this runs on a developer's or packager's
// machine, not in CI. Options: --target <electron version> (default: the installed electron
// package's), --arch <arch>, --platform <platform> (prebuilt binaries only: cross-packaging).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    arch: { type: 'string', default: process.arch },
    platform: { type: 'string', default: process.platform },
  },
});
/** @param {string} name */
function packageJson(name) {
  const text = readFileSync(require.resolve(`${name}/package.json`), 'utf8');
  const version = /^\s*"version"\s*:\s*"([^"]+)"/m.exec(text)?.[1];
  if (version === undefined) throw new Error(`no version in ${name}/package.json`);
  return { version };
}
const target = values.target ?? packageJson('electron').version;
const arch = values.arch;
const platform = values.platform;
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = packageJson('better-sqlite3').version;
const outDir = join(pkgDir, 'native', 'electron', `${platform}-${arch}`);

// npm passes its config to scripts as npm_config_* variables, and node-gyp and prebuild-install
// read them: a `nodedir` (set on machines that build against the local Node's headers) or a
// `target`/`runtime` would silently make a build for Node's ABI instead of Electron's. Drop them;
// Electron's headers go to their own directory, as @electron/rebuild keeps them.
const env = { ...process.env };
for (const k of Object.keys(env)) {
  if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|target_arch|devdir)$/i.test(k)) {
    delete env[k];
  }
}
const devdir = join(homedir(), '.electron-gyp');

/** @param {string} command @param {string[]} args @param {string} cwd */
function run(command, args, cwd) {
  console.log(`electron:rebuild: ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, {
    cwd,
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return r.status === 0;
}

/**
 * A build that loads in this Node was made for Node's ABI, not Electron's (they differ:
 * Electron's is node_modules/electron/abi_version).
 * @param {string} file
 */
function loadsInNode(file) {
  const code = `process.dlopen({ exports: {} }, ${JSON.stringify(file)})`;
  return spawnSync(process.execPath, ['-e', code], { stdio: 'ignore' }).status === 0;
}

function nodeGyp() {
  // npm ships node-gyp; npm_config_node_gyp names it when run by npm.
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

const work = mkdtempSync(join(tmpdir(), 'synod-electron-sqlite-'));
try {
  for (const part of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) {
    cpSync(join(sqliteDir, part), join(work, part), { recursive: true });
  }
  console.log(
    `electron:rebuild: better-sqlite3 ${sqliteVersion} for Electron ${target} (${platform}-${arch}) in ${work}`,
  );
  const prebuild = dirname(
    require.resolve('prebuild-install/package.json', { paths: [sqliteDir] }),
  );
  let ok = run(
    process.execPath,
    [
      join(prebuild, 'bin.js'),
      '--runtime',
      'electron',
      '--target',
      target,
      '--arch',
      arch,
      '--platform',
      platform,
      '--verbose',
    ],
    work,
  );
  if (!ok) {
    const gyp = nodeGyp();
    if (platform !== process.platform) {
      console.error('electron:rebuild: no prebuilt binary, and node-gyp cannot cross-compile');
    } else if (gyp === undefined) {
      console.error('electron:rebuild: no prebuilt binary, and node-gyp was not found');
    } else {
      ok = run(
        process.execPath,
        [
          gyp,
          'rebuild',
          '--release',
          `--target=${target}`,
          `--arch=${arch}`,
          '--runtime=electron',
          '--dist-url=https://electronjs.org/headers',
          `--devdir=${devdir}`,
        ],
        work,
      );
    }
  }
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  if (!ok || !existsSync(built)) {
    console.error('electron:rebuild: failed; the Node build in node_modules is untouched');
    process.exitCode = 1;
  } else if (platform === process.platform && arch === process.arch && loadsInNode(built)) {
    console.error(
      `electron:rebuild: the build loads in Node ${process.version}, so it is for Node's ABI, not Electron's: not installed`,
    );
    process.exitCode = 1;
  } else {
    mkdirSync(outDir, { recursive: true });
    cpSync(built, join(outDir, 'better_sqlite3.node'));
    writeFileSync(
      join(outDir, 'build.json'),
      JSON.stringify({ electron: target, betterSqlite3: sqliteVersion, platform, arch }, null, 2) +
        '\n',
    );
    console.log(`electron:rebuild: wrote ${join(outDir, 'better_sqlite3.node')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
// The stamp of the last build is read back by nobody but a person: keep the output honest.
if (existsSync(join(outDir, 'build.json'))) {
  console.log(readFileSync(join(outDir, 'build.json'), 'utf8').trim());
}
