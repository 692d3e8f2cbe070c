#!/usr/bin/env node
/**
 * The `synod` command: run a peer of a shared document log headless, and talk to it.
 *
 *   synod init --data ~/notes --name alice        create a log (this peer its only member)
 *   synod start --data ~/notes                    run the peer (foreground; Ctrl-C stops it)
 *   synod invite --data ~/notes                   print an invite for a new peer
 *   synod join 'synod:…' --data ~/other           (with `synod start --data ~/other` running)
 *   synod append "Title" "Body" / show 1 / edit 1 --body … / delete 1 / log / list / status …
 *
 * One subcommand per operation of the peer (operation-commands.ts: the simple ones derived from
 * the operation table, the others written out below). Parsing is commander's; every subcommand
 * has --help. Heavy modules (libp2p, SQLite) load only for the subcommands that run a peer, the
 * rest only when its subcommand runs, so client subcommands start fast (bench/cli.mjs).
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { ownerOnlyFiles } from '../host/owner-only-files.js';
import { asTyped, errorLine, exitCodeOf } from './cli-error.js';
import { addOperationCommands } from './operation-commands.js';
import {
  addStartOptions,
  dataOption,
  jsonOption,
  logNameOption,
  logOption,
  type StartOptions,
} from './start-options.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('synod')
  .description('A peer of a shared, totally ordered document log (Multi-Paxos over libp2p).')
  .version(version, '-V, --version', 'print the version of synod (@synod/desktop-app)')
  // `synod --version` is the program's; `synod delete 4 --version 3` is delete's own option.
  .enablePositionalOptions()
  .configureOutput({ outputError: (text, write) => write(usageError(text)) })
  .exitOverride();

/** Commander's parse errors as one line like every other failure: `synod <cmd>: <what>`. */
function usageError(text: string): string {
  const sub = program.commands.find((c) => c.name() === process.argv[2]);
  const name = sub !== undefined ? `synod ${sub.name()}` : 'synod';
  const what = text.trim().replace(/^error: /, '');
  return `${name}: ${what} (see ${name} --help)\n`;
}

program
  .command('init')
  .description('create a new log in the data directory, with this peer as its only member')
  .addOption(dataOption())
  .addOption(logNameOption())
  .option('--name <name>', "this peer's display name (default: the host name)")
  .option('--title <title>', "the log's title")
  .addOption(jsonOption())
  .action(
    async (o: {
      data?: string;
      name?: string;
      title?: string;
      logName?: string;
      json?: boolean;
    }) => {
      const { init } = await import('./init.js');
      await init(o);
    },
  );

addStartOptions(
  program
    .command('start')
    .description('run the peer of the data directory in the foreground, with its local API'),
).action(async (o: StartOptions) => {
  const { start } = await import('./start.js');
  await start(o);
});

program
  .command('invite')
  .description('print a single-use invite to this log (give it to the new peer)')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--ttl <duration>', 'how long it stays valid (e.g. 30m, 24h, 7d)', '24h')
  .option('--qr', 'print the upper-case spelling, for a QR code')
  .addOption(jsonOption())
  .action(async (o: { data?: string; ttl?: string; qr?: boolean; json?: boolean }) => {
    const { invite } = await import('./client-commands.js');
    await invite(o);
  });

program
  .command('join')
  .description('join the log of an invite (the peer must be running on the data directory)')
  .argument('<invite>', 'the invite text (synod:… or SYNOD:…)')
  .addOption(dataOption())
  .addOption(logNameOption())
  .option('--timeout <duration>', 'how long to wait for catching up', '10m')
  .addOption(jsonOption())
  .action(
    async (
      text: string,
      o: { data?: string; timeout?: string; logName?: string; json?: boolean },
    ) => {
      const { join } = await import('./client-commands.js');
      await join(text, o);
    },
  );

program
  .command('logs')
  .description("this peer's logs: each one's name, id, title and state")
  .addOption(dataOption())
  .addOption(jsonOption())
  .action(async (o: { data?: string; json?: boolean }) => {
    const { logs } = await import('./client-commands.js');
    await logs(o);
  });

program
  .command('status')
  .description('show the peer, the peers online, the leader, the majority, the protocol state')
  .addOption(dataOption())
  .addOption(logOption())
  .addOption(jsonOption())
  .action(async (o: { data?: string; json?: boolean }) => {
    const { status } = await import('./client-commands.js');
    await status(o);
  });

program
  .command('append')
  .description('append an entry to the shared log')
  .argument('<title>', 'the entry title')
  .argument('[body]', 'the entry body (or --file)')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--file <path>', 'read the body from a file (- for stdin)')
  .option('--wait', 'queue it even without a majority, until it commits')
  .option('--timeout <duration>', 'give up waiting after this long (default 15s; --wait: 1d)')
  .addOption(jsonOption())
  .action(
    async (
      title: string,
      body: string | undefined,
      o: { data?: string; file?: string; wait?: boolean; timeout?: string; json?: boolean },
    ) => {
      const { append } = await import('./client-commands.js');
      await append(title, body, o);
    },
  );

program
  .command('edit')
  .description(
    'change an entry: its title, its body, or both (made against its current version, or --base)',
  )
  .argument('<id>', 'the entry number')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--title <title>', 'the new title')
  .option('--body <text>', 'the new body')
  .option('--file <path>', 'read the new body from a file (- for stdin)')
  .option(
    '--base <version>',
    "the version you edited (from synod show): others' edits since are kept, or a conflict refuses it; without it the body replaces the current one",
  )
  .option('--timeout <duration>', 'give up waiting after this long (default 15s)')
  .addOption(jsonOption())
  .action(
    async (
      id: string,
      o: {
        data?: string;
        title?: string;
        body?: string;
        file?: string;
        base?: string;
        timeout?: string;
        json?: boolean;
      },
    ) => {
      const { edit } = await import('./client-commands.js');
      await edit(id, o);
    },
  );

program
  .command('log')
  .description('print the decided history: slot, time, author, operation')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--limit <n>', 'the newest n operations (with --after: the first n after it)', '50')
  .option('--after <n>', 'operations after number n (oldest first)')
  // Not with --limit (commander ignores --limit's default here): one of them would be dropped.
  .addOption(new Option('--all', 'every operation the log keeps').conflicts('limit'))
  .option('--local', "read this peer's copy (no leader round trip; may be stale)")
  .addOption(jsonOption())
  .action(
    async (o: {
      data?: string;
      limit?: string;
      after?: string;
      all?: boolean;
      local?: boolean;
      json?: boolean;
    }) => {
      const { log } = await import('./client-commands.js');
      await log(o);
    },
  );

program
  .command('list')
  .description('print the entries of the shared log')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--deleted', 'include deleted entries')
  .option('--local', "read this peer's copy (may be stale)")
  .addOption(jsonOption())
  .action(async (o: { data?: string; deleted?: boolean; local?: boolean; json?: boolean }) => {
    const { list } = await import('./client-commands.js');
    await list(o);
  });

program
  .command('remove')
  .description('remove a peer from the log (by peer id, or by a name only it uses)')
  .argument('<peer>', 'peer id or name')
  .addOption(dataOption())
  .addOption(logOption())
  .addOption(jsonOption())
  .action(async (peer: string, o: { data?: string; json?: boolean }) => {
    const { remove } = await import('./client-commands.js');
    await remove(peer, o);
  });

program
  .command('leave')
  .description('take this peer out of the log (its store is kept aside in <data>/left/)')
  .addOption(dataOption())
  .addOption(logOption())
  .option('--timeout <duration>', 'give up waiting after this long (default 1m)')
  .option(
    '--force',
    'past handover-pending, set the log aside all the same (no member that stays confirmed it holds the slots before this peer was removed)',
  )
  .addOption(jsonOption())
  .action(async (o: { data?: string; json?: boolean; timeout?: string; force?: boolean }) => {
    const { leave } = await import('./client-commands.js');
    await leave(o);
  });

addOperationCommands(program);

async function main(): Promise<void> {
  // A data directory's files are the user's only, whatever its mode (owner-only-files.ts).
  ownerOnlyFiles();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line error otherwise.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const command = process.argv[2] ?? '';
    const data = process.argv.indexOf('--data');
    const dir = data > 0 ? process.argv[data + 1] : undefined;
    process.stderr.write(`synod ${command}: ${asTyped(errorLine(err, dir), process.argv)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

/**
 * Resolves once `stream` has handed everything written so far to the OS. Output to a pipe
 * queues in the process when the reader is slower than we are (`synod list --json | jq`):
 * exiting before it drains would cut it at the pipe's 64 KiB.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

// A reader that went away (`synod log | head`) is no error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

await main();
// A finished command (or a stopped `start`) exits, whatever a library left running, once its
// output is out.
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(process.exitCode ?? 0);
