/**
 * What `npm start` decides, as plain functions (tested under Node; launch.ts only wires them to
 * the process): its options — exactly those of `synod start` (cli/start-options.ts) plus
 * `--headless` —, whether Electron can run here, and the one line it prints when it cannot.
 *
 * Electron cannot run when its binary is not installed (the `electron` npm package downloads it
 * from GitHub on first use, which a machine that reaches only the npm registry cannot do) or,
 * on Linux, when there is no display. Then the same UI is served to a browser by the headless
 * peer instead (browser mode). We never `require('electron')` to find the binary: that call
 * starts the download when the binary is missing, and would hang or fail slowly here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { addStartOptions, type StartOptions } from '../cli/start-options.js';

export interface LaunchOptions extends StartOptions {
  /** Do not try Electron: serve the UI to a browser (what `synod start` does). */
  headless?: boolean;
}

/** The launcher's command line: `synod start`'s options, and `--headless`. */
export function launchCommand(): Command {
  return addStartOptions(
    new Command('npm start')
      .description(
        'run the Synod desktop demo (Electron; without Electron or a display: the same UI in a browser)',
      )
      .option('--headless', 'do not try Electron: serve the UI to a browser on 127.0.0.1'),
  )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}

export type ParsedLaunch =
  | { readonly ok: true; readonly options: LaunchOptions }
  | { readonly ok: false; readonly help: boolean; readonly message: string };

/** Parse the launcher's arguments (without node and the script: `process.argv.slice(2)`). */
export function parseLaunchArgs(args: readonly string[]): ParsedLaunch {
  const command = launchCommand();
  try {
    command.parse([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const help = err.exitCode === 0;
      return { ok: false, help, message: help ? command.helpInformation() : err.message };
    }
    throw err;
  }
  return { ok: true, options: command.opts<LaunchOptions>() };
}

/**
 * The arguments to hand Electron's main process: the same options again, spelled out, so that
 * it parses them with the same definitions (electron/main.ts).
 */
export function forwardedArgs(o: StartOptions): string[] {
  const args: string[] = [];
  if (o.data !== undefined) args.push('--data', o.data);
  for (const a of o.listen ?? []) args.push('--listen', a);
  for (const a of o.bootstrap ?? []) args.push('--bootstrap', a);
  if (!o.mdns) args.push('--no-mdns');
  args.push('--api', o.api);
  if (o.name !== undefined) args.push('--name', o.name);
  if (o.ui === false) args.push('--no-ui');
  else if (o.ui !== undefined) args.push('--ui', o.ui);
  if (o.durability !== undefined) args.push('--durability', o.durability);
  if (o.wireVersions !== undefined) args.push('--wire-versions', o.wireVersions.join(','));
  return args;
}

export type ElectronBinary =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly reason: string };

/**
 * Where the Electron binary is, without downloading it: ELECTRON_OVERRIDE_DIST_PATH (as the
 * electron package honours it), else node_modules/electron/path.txt + dist/.
 */
export function findElectron(
  env: NodeJS.ProcessEnv = process.env,
  resolvePackage: () => string = defaultElectronPackageJson,
): ElectronBinary {
  let dir: string;
  try {
    dir = dirname(resolvePackage());
  } catch {
    return { found: false, reason: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override !== undefined && override !== '') {
    const path = join(override, name ?? 'electron');
    return existsSync(path)
      ? { found: true, path }
      : { found: false, reason: `no Electron binary at ${path} (ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (name === undefined || name === '') {
    return {
      found: false,
      reason:
        "Electron's binary is not installed (the electron package downloads it from GitHub; run `npx install-electron` where that is reachable)",
    };
  }
  const path = join(dir, 'dist', name);
  return existsSync(path)
    ? { found: true, path }
    : { found: false, reason: `Electron's binary is missing (${path})` };
}

function defaultElectronPackageJson(): string {
  return createRequire(import.meta.url).resolve('electron/package.json');
}

/** Why there is no display to open a window on, or undefined when there is one. */
export function noDisplayReason(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  // macOS and Windows always have a window server for a logged-in user.
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return undefined;
  if ((env.DISPLAY ?? '') !== '' || (env.WAYLAND_DISPLAY ?? '') !== '') return undefined;
  return 'there is no display ($DISPLAY and $WAYLAND_DISPLAY are unset)';
}

export type LaunchMode =
  | { readonly mode: 'electron'; readonly binary: string }
  | { readonly mode: 'browser'; readonly reason: string | undefined };

/** Electron when it can run here, else browser mode and why (undefined: asked for it). */
export function decideMode(
  o: { headless?: boolean },
  electron: () => ElectronBinary,
  display: () => string | undefined,
): LaunchMode {
  if (o.headless === true) return { mode: 'browser', reason: undefined };
  const noDisplay = display();
  if (noDisplay !== undefined) return { mode: 'browser', reason: noDisplay };
  const binary = electron();
  if (!binary.found) return { mode: 'browser', reason: binary.reason };
  return { mode: 'electron', binary: binary.path };
}

/** The one line `npm start` prints when it falls back to browser mode. */
export function fallbackLine(reason: string): string {
  return `synod: cannot open the Electron window: ${reason}; serving the same UI to your browser instead (URL below)`;
}
