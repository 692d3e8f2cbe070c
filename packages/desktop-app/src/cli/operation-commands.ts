/**
 * One `synod` subcommand per operation of the peer (operations/table.ts). The table gives each
 * its description (the operation's summary) and its request fields; this file adds what a
 * person types: the subcommand's name, which fields are positional arguments, how the answer
 * reads. The other fields become options, derived from their schemas (a number field is
 * `--field <n>`, a boolean a flag, a list or an object JSON; `timeoutMs` is `--timeout
 * <duration>`, `read` is `--local`).
 *
 * Subcommands that do more than one call are written out (client-commands.ts, init.ts) and
 * only named here by their operation: `OPERATION_COMMANDS` has an entry for every operation
 * (the compiler checks it), so a new operation has no API without a subcommand.
 */
import { Argument, Option, type Command } from 'commander';
import { OPERATIONS, type OperationName } from '../operations/table.js';
import { dataOption, jsonOption } from './start-options.js';

export interface OperationCommand {
  /** The subcommand's name. */
  readonly command: string;
  /** Request fields taken as positional arguments, in this order. */
  readonly args?: readonly string[];
  /** Written out elsewhere (more than one call, files, progress): not derived here. */
  readonly custom?: true;
}

export const OPERATION_COMMANDS: { readonly [N in OperationName]: OperationCommand } = {
  status: { command: 'status', custom: true },
  logs: { command: 'logs', custom: true },
  openLog: { command: 'open' },
  closeLog: { command: 'close' },
  entries: { command: 'list', custom: true },
  entry: { command: 'show', args: ['id'] },
  history: { command: 'log', custom: true },
  append: { command: 'append', custom: true },
  edit: { command: 'edit', custom: true },
  editMany: { command: 'edits', args: ['id'] },
  deleteEntry: { command: 'delete', args: ['id'] },
  restoreEntry: { command: 'restore', args: ['id'] },
  renameLog: { command: 'rename', args: ['title'] },
  setName: { command: 'name', args: ['name'] },
  invite: { command: 'invite', custom: true },
  createLog: { command: 'init', custom: true },
  join: { command: 'join', custom: true },
  askToJoin: { command: 'ask-to-join', args: ['peer'] },
  answerInviteRequest: { command: 'answer-request', args: ['request'] },
  leave: { command: 'leave', custom: true },
  removePeer: { command: 'remove', custom: true },
  discovered: { command: 'discovered' },
  protocol: { command: 'protocol' },
  suspend: { command: 'suspend' },
  resume: { command: 'resume' },
};

/** What a request field means on the command line (the schema says only its type). */
const FIELD_HELP: Record<string, string> = {
  id: 'the entry number',
  version: 'refuse unless the entry is at this version',
  atVersion: "the body as it was at this version (the rest is the entry's now)",
  title: 'the title',
  name: 'the display name',
  edits: 'the edits, as JSON: [{"version": 1, "patches": [[pos, del, "ins"]]}, …]',
  after: 'after this cursor',
  limit: 'at most this many',
  peer: 'a member found on the LAN (its peer id, from `synod discovered`)',
  accept: 'let the peer in (without it: decline)',
  request: 'the invite request (its id in `synod status --json`, inviteRequests)',
  log: 'the log, by its name on this peer or its id (default: the only log)',
  logName: "the new log's name on this peer (needed beside other logs; --log NAME names it)",
};

/** What a field's schema says about its values (valibot schemas are plain objects). */
interface FieldSchema {
  readonly type: string;
  readonly wrapped?: FieldSchema;
  readonly options?: readonly string[];
}

/** How a field is given on the command line. */
export type FieldKind = 'integer' | 'text' | 'flag' | 'json' | { choices: readonly string[] };

function kindOf(schema: FieldSchema): { kind: FieldKind; optional: boolean } {
  if (schema.type === 'optional') return { kind: kindOf(schema.wrapped!).kind, optional: true };
  const kind: FieldKind =
    schema.type === 'number'
      ? 'integer'
      : schema.type === 'string'
        ? 'text'
        : schema.type === 'boolean'
          ? 'flag'
          : schema.type === 'picklist'
            ? { choices: schema.options! }
            : 'json';
  return { kind, optional: false };
}

/** The request fields of an operation, with how each is given. */
export function fieldsOf(
  name: OperationName,
): { field: string; kind: FieldKind; optional: boolean }[] {
  const entries = (OPERATIONS[name].request as unknown as { entries: Record<string, FieldSchema> })
    .entries;
  return Object.entries(entries).map(([field, schema]) => ({ field, ...kindOf(schema) }));
}

/** `--field-name` for a request field `fieldName`. */
export const kebab = (field: string): string =>
  field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * An operation's summary as the command line says it: the table names request fields and
 * operations as the API does (`atVersion`, openLog), a user types `--at-version` and
 * `synod open`.
 */
export function commandSummary(name: OperationName): string {
  const fields = new Set(fieldsOf(name).map((f) => f.field));
  return (
    OPERATIONS[name].summary
      .replace(/`(\w+)`/g, (whole, field: string) =>
        fields.has(field) ? `--${kebab(field)}` : whole,
      )
      // Operation names are camelCase (openLog); plain words (entry, status) stay words.
      .replace(/\b[a-z]+[A-Z]\w*\b/g, (word) =>
        word in OPERATION_COMMANDS
          ? `synod ${OPERATION_COMMANDS[word as OperationName].command}`
          : word,
      )
  );
}

/** Add the derived subcommands (those not written out) to `program`. */
export function addOperationCommands(program: Command): void {
  for (const [name, binding] of Object.entries(OPERATION_COMMANDS) as [
    OperationName,
    OperationCommand,
  ][]) {
    if (binding.custom === true) continue;
    const command = program
      .command(binding.command)
      .description(commandSummary(name))
      .addOption(dataOption())
      .addOption(jsonOption());
    const args = binding.args ?? [];
    for (const { field, kind, optional } of fieldsOf(name)) {
      if (args.includes(field)) continue;
      if (field === 'timeoutMs') {
        command.option('--timeout <duration>', 'give up waiting after this long (e.g. 15s)');
      } else if (field === 'read') {
        command.option('--local', "read this peer's copy (no leader round trip; may be stale)");
      } else {
        const flags = kind === 'flag' ? `--${kebab(field)}` : `--${kebab(field)} <${field}>`;
        const option = new Option(flags, FIELD_HELP[field] ?? field);
        if (typeof kind === 'object') option.choices(kind.choices);
        // A flag is the choice itself (absent: false, run-operation.ts), never required.
        command.addOption(optional || kind === 'flag' ? option : option.makeOptionMandatory());
      }
    }
    for (const field of args) {
      command.addArgument(new Argument(`<${field}>`, FIELD_HELP[field] ?? field));
    }
    command.action(async (...params: unknown[]) => {
      const { runOperation } = await import('./run-operation.js');
      const positional = params.slice(0, args.length) as string[];
      const options = params[args.length] as Record<string, unknown>;
      await runOperation(name, args, positional, options);
    });
  }
}
