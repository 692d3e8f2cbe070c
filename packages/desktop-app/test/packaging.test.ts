/**
 * The electron-builder configuration (packages/desktop-app/electron-builder.json), checked
 * offline: electron-builder's own loader and schema accept it; it packs the compiled main
 * process and preload (which exist after `tsc -b`), the UI and Electron's better-sqlite3 build,
 * unpacked from the asar; targets for Linux, macOS and Windows; no rebuild of node_modules in
 * place (that would replace the Node build the tests use).
 */
import { existsSync } from 'node:fs';
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
    expect(main).toBe('dist/electron/main.js');
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
