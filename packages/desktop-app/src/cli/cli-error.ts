/**
 * How the CLI fails: one clear line on stderr and a non-zero exit code (1; 2 for bad
 * arguments: commander's, the CLI's own checks, and the values the peer's schemas refuse).
 * Typed errors from any layer become that line here.
 */
import { ApiError } from '../api/client.js';

/** A failure already phrased for the user. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The exit code for `err`: 2 for a bad argument, whoever found it (a value only the peer's
 * schema checks, such as `--at-version 0` or `--limit 20000`, is as bad as `--limit many`).
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  return err instanceof ApiError && err.code === 'invalid-argument' ? 2 : 1;
}

/**
 * The peer names a refused field as the request does (`atVersion: …`); the user typed an
 * option (`--at-version`): said as typed, when `argv` has it.
 */
export function asTyped(line: string, argv: readonly string[]): string {
  const field = /^([a-z][A-Za-z]*): /.exec(line)?.[1];
  if (field === undefined) return line;
  const option = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const typed = argv.some((a) => a === option || a.startsWith(`${option}=`));
  return typed ? option + line.slice(field.length) : line;
}

/** The one line to print for `err`. */
export function errorLine(err: unknown, dataDir?: string): string {
  if (err instanceof CliError) return err.message;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  switch (code) {
    case 'storage-locked':
      return `${dataDir ?? 'the data directory'} is in use by another running peer (stop it first, or use another --data directory)`;
    case 'storage-not-synod':
    case 'storage-corrupt':
    case 'storage-newer-schema':
    case 'storage-open-failed':
      return `cannot open the data directory: ${message}`;
    case 'unknown-invite':
    case 'expired':
    case 'already-used':
    case 'wrong-log':
    case 'not-accepting':
    case 'rejected':
      return `the invite was refused (${String(code)}): ${message}`;
    case 'invalid-invite':
      return `not a valid invite: ${message}`;
    case 'join-failed':
      // The transport says why, in words (unreachable, closed without answering: used…).
      return message;
    default:
      break;
  }
  if (err instanceof ApiError) return `${message} (${err.code})`;
  // A port of ours (the local API's) that the OS would not give us.
  const sys = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (sys.syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const where = `${sys.address ?? ''}:${sys.port ?? ''}`;
    return code === 'EADDRINUSE'
      ? `cannot listen on ${where}: another program listens there (choose another port)`
      : `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  }
  if (err instanceof Error) return message;
  // Not an Error (an Event, say): its type, never "[object Event]".
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? `failed (${type})` : `failed: ${JSON.stringify(err)}`;
}

/** Why a file named on the command line could not be read, in words. */
export function fileError(option: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (err as Error).message;
  return `cannot read ${option} ${path}: ${why}`;
}
