#!/usr/bin/env node
/**
 * `npm start`: run the desktop demo. Takes the options of `synod start` (`--data <dir>`,
 * `--no-mdns`, `--listen`, `--bootstrap`, `--api`, `--name`, `--ui`, `--durability`) and
 * `--headless`.
 *
 * It starts Electron (dist/electron/main.js, which hosts the peer in its main process) when
 * Electron's binary is installed and there is a display. Otherwise it prints one line saying
 * why and runs browser mode: the headless peer with its local API on 127.0.0.1 serving the same
 * UI, and prints the UI's URL (the token in its fragment). The decisions are launch-options.ts.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { errorLine } from '../cli/cli-error.js';
import {
  decideMode,
  fallbackLine,
  findElectron,
  forwardedArgs,
  noDisplayReason,
  parseLaunchArgs,
  type LaunchOptions,
} from './launch-options.js';

const ELECTRON_MAIN = fileURLToPath(new URL('../electron/boot.cjs', import.meta.url));

async function browserMode(o: LaunchOptions): Promise<number> {
  const { start } = await import('../cli/start.js');
  const { CliError } = await import('../cli/cli-error.js');
  try {
    await start(o);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    process.stderr.write(`synod: ${errorLine(err, o.data)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

/** Run Electron; resolves with its exit code, or undefined if it could not be started. */
function electronMode(binary: string, o: LaunchOptions): Promise<number | undefined> {
  return new Promise((resolve) => {
    // Electron itself, never Electron as plain Node (that variable would make it one).
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(binary, [ELECTRON_MAIN, ...forwardedArgs(o)], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = (code: number | undefined) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stdout.write(fallbackLine(`Electron did not start (${errorLine(err)})`) + '\n');
      done(undefined);
    });
    child.once('exit', (code, signal) =>
      done(code ?? (signal !== null ? 128 + (constants.signals[signal] ?? 0) : 1)),
    );
  });
}

async function main(): Promise<number> {
  const parsed = parseLaunchArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(parsed.message);
      return 0;
    }
    process.stderr.write(`synod: ${parsed.message.replace(/^error: /, '')} (add --help)\n`);
    return 2;
  }
  const o = parsed.options;
  const mode = decideMode(
    o,
    () => findElectron(),
    () => noDisplayReason(),
  );
  if (mode.mode === 'electron') {
    const code = await electronMode(mode.binary, o);
    if (code !== undefined) return code;
  } else if (mode.reason !== undefined) {
    process.stdout.write(fallbackLine(mode.reason) + '\n');
  }
  return browserMode(o);
}

const code = await main();
// A stopped peer exits, whatever a library left running (as `synod start` does).
process.exit(code);
