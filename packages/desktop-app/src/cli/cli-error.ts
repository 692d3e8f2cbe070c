/**
 * How the CLI fails: one clear line on stderr and a non-zero exit code (1; 2 for bad
 * arguments, which commander reports). Typed errors from any layer become that line here.
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

/** The one line to print for `err`. */
export function errorLine(err: unknown, dataDir?: string): string {
  if (err instanceof CliError) return err.message;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
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
      // A member lets strangers connect only while it has unused invites out: a used or
      // expired invite often shows as a connection that closes, not as a refusal.
      return `could not reach the inviter, or it no longer accepts this invite (used or expired: ask for a new one): ${message}`;
    default:
      break;
  }
  if (err instanceof ApiError) return `${message} (${err.code})`;
  return message;
}
