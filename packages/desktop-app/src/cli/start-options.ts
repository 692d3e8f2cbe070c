/**
 * The options of `synod start`, defined once: the CLI's `start` subcommand, the `npm start`
 * launcher (src/desktop/launch.ts) and Electron's main process all add them with
 * `addStartOptions`, so the three accept exactly the same `--data`, `--listen`, `--bootstrap`,
 * `--no-mdns`, `--api`, `--name`, `--ui`/`--no-ui`, `--durability` and `--wire-versions`.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

/** What commander hands the action of a command built with `addStartOptions`. */
export interface StartOptions {
  data?: string;
  listen?: string[];
  bootstrap?: string[];
  mdns: boolean;
  api: string;
  name?: string;
  ui?: string | false;
  durability?: string;
  wireVersions?: number[];
}

export const dataOption = (): Option =>
  new Option('--data <dir>', 'the data directory (default: $SYNOD_DATA or ~/.synod)');

/** Which log a client subcommand acts on (the operation table's `log` field). */
export const logOption = (): Option =>
  new Option('--log <log>', 'the log, by its name on this peer or its id (default: the only log)');

/** The name on this peer of a log created or joined beside others. */
export const logNameOption = (): Option =>
  new Option('--log-name <name>', "the new log's name on this peer (needed beside other logs)");

/** Every client subcommand prints JSON with --json. */
export const jsonOption = (): Option => new Option('--json', 'print JSON');

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `2,1` -> [2, 1]; which versions this build speaks is the transport's to check. */
function parseWireVersions(value: string): number[] {
  const versions = value.split(',').map((v) => Number(v.trim()));
  if (versions.some((v) => !Number.isSafeInteger(v) || v < 1)) {
    throw new InvalidArgumentError('a comma-separated list of protocol versions, e.g. 2 or 2,1');
  }
  return versions;
}

/** The peer-service options a `synod start` command line sets beyond the obvious ones. */
export function wireOptionsOf(o: Pick<StartOptions, 'wireVersions'>): {
  wireVersions?: number[];
} {
  return o.wireVersions !== undefined ? { wireVersions: o.wireVersions } : {};
}

/** Add the options of `synod start` to `command` (and return it). */
export function addStartOptions(command: Command): Command {
  return command
    .addOption(dataOption())
    .option(
      '--listen <multiaddr>',
      'listen on this address (repeatable; default /ip4/0.0.0.0/tcp/0)',
      collect,
    )
    .option(
      '--bootstrap <multiaddr>',
      'a peer to reach by address, ending in /p2p/<id> (repeatable)',
      collect,
    )
    .option('--no-mdns', 'do not discover peers on the LAN (mDNS)')
    .option('--api <host:port>', 'the local API address (127.0.0.1 only)', '127.0.0.1:0')
    .option('--name <name>', "this peer's display name (kept in the data directory)")
    .option('--ui <dir>', 'serve the browser UI from this directory')
    .option('--no-ui', 'do not serve the browser UI')
    .addOption(
      new Option('--durability <mode>', 'SQLite durability (normal-unsafe: no fsync per batch)')
        .choices(['full', 'normal-unsafe'])
        .default('full'),
    )
    .addOption(
      new Option(
        '--wire-versions <list>',
        'speak only these Synod wire protocol versions, newest first (a staged rollout; default: all this build speaks)',
      ).argParser(parseWireVersions),
    );
}
