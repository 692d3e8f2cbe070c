/**
 * The action of a derived subcommand (operation-commands.ts): the request from its arguments
 * and options, one call to the peer's local API, the answer printed (or as JSON with --json).
 */
import type { OperationName } from '../operations/table.js';
import { CliError } from './cli-error.js';
import { connect, dataDirOf } from './connect.js';
import { parseDuration } from './durations.js';
import { formatOperationResult } from './format.js';
import { fieldsOf, kebab, type FieldKind } from './operation-commands.js';

/** A command-line value as the field's schema takes it (the peer validates it in full). */
function valueOf(kind: FieldKind, text: unknown, what: string): unknown {
  if (kind === 'flag' || typeof text !== 'string') return text;
  if (kind === 'integer') {
    if (!/^\d{1,15}$/.test(text)) throw new CliError(`${what} must be a whole number`, 2);
    return Number(text);
  }
  if (kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new CliError(`${what} must be JSON: ${(err as Error).message}`, 2);
    }
  }
  return text;
}

export async function runOperation(
  name: OperationName,
  args: readonly string[],
  positional: readonly string[],
  options: Record<string, unknown>,
): Promise<void> {
  const request: Record<string, unknown> = {};
  for (const { field, kind, optional } of fieldsOf(name)) {
    const at = args.indexOf(field);
    if (at >= 0) request[field] = valueOf(kind, positional[at], `<${field}>`);
    else if (field === 'timeoutMs' && typeof options.timeout === 'string') {
      request.timeoutMs = parseDuration(options.timeout, '--timeout');
    } else if (field === 'read' && options.local === true) request.read = 'local';
    else if (options[field] !== undefined) {
      request[field] = valueOf(kind, options[field], `--${kebab(field)}`);
    } else if (kind === 'flag' && !optional) request[field] = false;
  }
  const result = await connect(dataDirOf(options.data as string | undefined)).call(name, request);
  process.stdout.write(
    (options.json === true
      ? JSON.stringify(result)
      : formatOperationResult(name, request, result)) + '\n',
  );
}
