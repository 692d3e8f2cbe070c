/**
 * The electron-builder configuration (packages/desktop-app/electron-builder.json), checked
 * offline: electron-builder's own loader and schema accept it; it packs the compiled main
 * process and preload (which exist after `tsc -b`), the UI and Electron's better-sqlite3 build,
 * unpacked from the asar; targets for Linux, macOS and Windows; no rebuild of node_modules in
 * place (that would replace the Node build the tests use). And it packs: electron-builder
 * builds the Linux app directory (`--linux dir`) from a stand-in Electron distribution (the
 * real one cannot be downloaded here; fuses, which patch the real binary, are left out), and
 * the asar archive holds what the app needs and nothing of the Node build of better-sqlite3.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

interface Configuration {
  extraMetadata?: { main?: string };
  /** Strings as written; getConfig wraps them in `{ filter }` sets. */
  files?: (string | { filter?: string[] })[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  nodeGypRebuild?: boolean;
  electronFuses?: Record<string, boolean>;
  directories?: { output?: string };
  linux?: { target?: string[] };
  mac?: { target?: string[] };
  win?: { target?: string[] };
}

interface ConfigModule {
  getConfig(dir: string, path: string | null, options: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
}

const config = require('app-builder-lib/out/util/config/config.js') as ConfigModule;
const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };

function filesOf(c: Configuration): string[] {
  return (c.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
}

describe('electron-builder configuration', () => {
  it("is valid by electron-builder's schema (and an invalid key is not)", async () => {
    const c = await config.getConfig(PKG, null, null);
    await config.validateConfiguration(c, new DebugLogger(false));
    await expect(
      config.validateConfiguration({ ...c, bogus: true } as Configuration, new DebugLogger(false)),
    ).rejects.toThrow(/Invalid configuration/);
  });

  it('starts the compiled main process, with its preload beside it', async () => {
    const c = await config.getConfig(PKG, null, null);
    const main = c.extraMetadata?.main;
    expect(main).toBe('dist/electron/boot.cjs');
    expect(existsSync(join(PKG, main!))).toBe(true);
    expect(existsSync(join(PKG, 'dist/electron/preload.cjs'))).toBe(true);
    expect(filesOf(c)).toEqual(
      expect.arrayContaining(['dist/**/*.js', 'dist/**/*.cjs', 'ui/**/*']),
    );
  });

  it("ships Electron's better-sqlite3 build unpacked, and rebuilds nothing in place", async () => {
    const c = await config.getConfig(PKG, null, null);
    expect(c.asar).toBe(true);
    expect(c.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'native/**/*']));
    expect(filesOf(c)).toContain('native/electron/${platform}-${arch}/**/*');
    expect(c.npmRebuild).toBe(false);
    expect(c.nodeGypRebuild).toBe(false);
    expect(c.directories?.output).toBe('release');
  });

  it('targets Linux (AppImage, deb), macOS (dmg) and Windows (nsis)', async () => {
    const c = await config.getConfig(PKG, null, null);
    expect(c.linux?.target).toEqual(['AppImage', 'deb']);
    expect(c.mac?.target).toEqual(['dmg']);
    expect(c.win?.target).toEqual(['nsis']);
  });

  it('turns off the fuses that would let the app run as plain Node or be inspected', async () => {
    const c = await config.getConfig(PKG, null, null);
    expect(c.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });
});

describe('electron-builder packs the app', () => {
  it('into an asar with the compiled app, the UI and the workspace packages', async () => {
    const root = mkdtempSync(join(tmpdir(), 'synod-pack-'));
    try {
      const dist = join(root, 'electron-dist');
      mkdirSync(join(dist, 'resources'), { recursive: true });
      writeFileSync(join(dist, 'electron'), '#!/bin/sh\n');
      chmodSync(join(dist, 'electron'), 0o755);
      const c = JSON.parse(readFileSync(join(PKG, 'electron-builder.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      delete c.$schema;
      delete c.electronFuses;
      const out = join(root, 'release');
      const cfg = join(root, 'electron-builder.json');
      writeFileSync(
        cfg,
        JSON.stringify({
          ...c,
          electronDist: dist,
          electronVersion: (require('electron/package.json') as { version: string }).version,
          directories: { output: out },
        }),
      );
      const cli = require.resolve('electron-builder/cli.js');
      const child = spawn(
        process.execPath,
        [cli, '--linux', 'dir', '--x64', '--config', cfg, '--projectDir', PKG],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } },
      );
      let log = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, log).toBe(0);
      const app = join(out, 'linux-unpacked');
      expect(existsSync(join(app, 'synod-desktop'))).toBe(true);
      const asar = require('@electron/asar') as {
        listPackage(path: string): string[];
        extractFile(path: string, file: string): Buffer;
      };
      const archive = join(app, 'resources', 'app.asar');
      const files = new Set(asar.listPackage(archive).map((f) => f.replaceAll('\\', '/')));
      for (const f of [
        '/package.json',
        '/dist/electron/boot.cjs',
        '/dist/electron/main.js',
        '/dist/thread-pool.cjs',
        '/dist/electron/preload.cjs',
        // The operation table and its validation: what the main process checks each IPC call with.
        '/dist/operations/table.js',
        '/dist/operations/validate.js',
        '/dist/host/host.js',
        '/node_modules/@synod/core/dist/index.js',
        '/node_modules/@synod/storage-sqlite/package.json',
        '/node_modules/better-sqlite3/lib/index.js',
        '/node_modules/commander/package.json',
      ]) {
        expect(files.has(f), f).toBe(true);
      }
      if (existsSync(join(PKG, 'ui', 'index.html'))) expect(files.has('/ui/index.html')).toBe(true);
      for (const f of files) {
        expect(f, 'Node build of better-sqlite3').not.toMatch(/better-sqlite3\/(build|deps|src)\//);
        expect(f, 'dev dependency').not.toMatch(
          /^\/node_modules\/(electron|electron-builder|vitest)\//,
        );
        expect(f, 'source map').not.toMatch(/\.map$/);
      }
      const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as {
        main: string;
      };
      expect(pkg.main).toBe('dist/electron/boot.cjs');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});
