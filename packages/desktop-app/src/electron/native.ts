/**
 * Where Electron's build of better-sqlite3 lives. Electron runs its own Node with its own ABI,
 * so the better-sqlite3 binary that the tests and the headless peer load (built for Node, in
 * node_modules/better-sqlite3/build) does not load in Electron's main process, and the one
 * built for Electron does not load in Node. Both are kept: `npm run electron:rebuild` (bin/
 * electron-rebuild.js) writes Electron's to native/electron/<platform>-<arch>/, and the main
 * process hands that path to better-sqlite3's `nativeBinding` option (through PeerService →
 * @synod/peer → openSqliteStorage). In a packaged app the file is unpacked from the asar
 * archive (electron-builder's asarUnpack), since a shared library cannot be loaded from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** native/electron/<platform>-<arch>/better_sqlite3.node under the package directory. */
export function electronBindingPath(
  packageDir: string,
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const path = join(packageDir, 'native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node');
  // Inside a packaged app the package directory is …/resources/app.asar; unpacked files are in
  // …/resources/app.asar.unpacked (electron-builder's asarUnpack).
  const asar = `${sep}app.asar${sep}`;
  return path.includes(asar) ? path.replace(asar, `${sep}app.asar.unpacked${sep}`) : path;
}

export type BindingLookup =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly path: string; readonly message: string };

const REBUILD = 'run `npm run electron:rebuild -w @synod/desktop-app`';

/**
 * Find Electron's better-sqlite3 build, or say how to make it. When `electronVersion` is given
 * and the build's stamp (build.json, written by electron:rebuild) names another Electron, the
 * build is refused: its ABI may differ, and loading it would fail with a less clear error.
 */
export function findElectronBinding(
  packageDir: string,
  exists: (path: string) => boolean = existsSync,
  platform: string = process.platform,
  arch: string = process.arch,
  electronVersion?: string,
  readStamp: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): BindingLookup {
  const path = electronBindingPath(packageDir, platform, arch);
  if (!exists(path)) {
    return {
      found: false,
      path,
      message:
        `better-sqlite3 has no build for Electron's ABI at ${path}: ${REBUILD}` +
        ' (or `npm start -- --headless` for the browser UI)',
    };
  }
  if (electronVersion !== undefined) {
    const stamp = join(dirname(path), 'build.json');
    if (exists(stamp)) {
      let built: unknown;
      try {
        built = (JSON.parse(readStamp(stamp)) as { electron?: unknown }).electron;
      } catch {
        built = undefined;
      }
      if (typeof built === 'string' && built !== electronVersion) {
        return {
          found: false,
          path,
          message: `better-sqlite3 at ${path} was built for Electron ${built}, this is Electron ${electronVersion}: ${REBUILD}`,
        };
      }
    }
  }
  return { found: true, path };
}
