/**
 * A new user's project: the workspaces packed with `npm pack` and installed from their
 * tarballs into a directory outside the repository (no workspace links), with the other
 * dependencies from the npm cache where it has them (--prefer-offline).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of a package.json this test looks at. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  engines?: Record<string, string>;
  publishConfig?: { access?: string };
  sideEffects?: boolean | string[];
  exports?: Record<string, { types: string; default: string }>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[];
}

export interface Workspace {
  /** Its directory, relative to the repository. */
  readonly dir: string;
  readonly manifest: Manifest;
}

export interface PackedWorkspace extends Workspace {
  /** The tarball's path. */
  readonly tarball: string;
  /** The paths inside it (package/ stripped). */
  readonly files: readonly string[];
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The workspaces the root package.json lists that are not private: the ones npm publishes. */
export function publishableWorkspaces(root: string): Workspace[] {
  return (readManifest(root).workspaces ?? [])
    .map((dir) => ({ dir, manifest: readManifest(join(root, dir)) }))
    .filter((w) => w.manifest.private !== true);
}

/** npm's environment without what an enclosing `npm test` set (workspace, prefix…). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k)) env[k] = v;
  }
  return env;
}

/** Run npm; resolves with its stdout, rejects with its output. */
export function npm(args: string[], cwd: string, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      args,
      { cwd, env: npmEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`npm ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Pack every publishable workspace into `dest` (their prepack scripts build them first). */
export async function packAll(root: string, dest: string): Promise<PackedWorkspace[]> {
  const workspaces = publishableWorkspaces(root);
  const args = ['pack', '--json', '--pack-destination', dest];
  for (const w of workspaces) args.push('-w', w.dir);
  const packed = JSON.parse(await npm(args, root)) as {
    name: string;
    filename: string;
    files: { path: string }[];
  }[];
  return workspaces.map((w) => {
    const p = packed.find((x) => x.name === w.manifest.name);
    if (p === undefined) throw new Error(`npm pack made no tarball for ${w.manifest.name}`);
    return { ...w, tarball: join(dest, p.filename), files: p.files.map((f) => f.path) };
  });
}

/** The exact version of a package installed in the repository (to install the same). */
export function installedVersion(root: string, name: string): string {
  return readManifest(join(root, 'node_modules', name)).version;
}

/**
 * Install the tarballs (and `extra` registry packages) into `dir`, a new project. Install
 * scripts are skipped; the one native module, better-sqlite3, gets its build from the
 * repository's node_modules when the version and Node ABI match (a build cache: compiling
 * SQLite takes a minute and more on a busy machine), else it is built here. With
 * SYNOD_PACK_NATIVE_BUILD=1 it is always built here, as a first `npm install` does.
 */
export async function installFresh(
  root: string,
  dir: string,
  tarballs: readonly string[],
  extra: readonly string[],
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2),
  );
  await npm(
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      ...extra,
    ],
    dir,
  );
  const binary = join('build', 'Release', 'better_sqlite3.node');
  const ours = join(root, 'node_modules', 'better-sqlite3');
  const theirs = join(dir, 'node_modules', 'better-sqlite3');
  const same =
    existsSync(join(ours, binary)) &&
    installedVersion(root, 'better-sqlite3') === installedVersion(dir, 'better-sqlite3');
  if (same && process.env.SYNOD_PACK_NATIVE_BUILD !== '1') {
    mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
    copyFileSync(join(ours, binary), join(theirs, binary));
  } else {
    await npm(['rebuild', 'better-sqlite3', '--foreground-scripts'], dir, 600_000);
  }
}
