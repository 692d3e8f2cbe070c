/**
 * Errors as HTTP: every refusal is a status code and a JSON body
 * `{ "error": { "code": "...", "message": "...", ...details } }`, the code being the stable
 * `code` of the typed error behind it (docs/api.md lists them).
 */
import { HandoverPendingError, SynodError } from '@synod/core';
import { DocumentError, LogRequiredError, OperationTimeoutError } from '../service/index.js';

/** A refusal decided by the API layer itself. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<string, number> = {
  // The request is wrong.
  'bad-request': 400,
  'invalid-argument': 400,
  'bad-command': 400,
  'invalid-invite': 400,
  'ambiguous-peer': 400,
  'invalid-peer-options': 400,
  'unknown-entry': 404,
  'unknown-peer': 404,
  'unknown-log': 404,
  'log-required': 400,
  // Refused by the document log (decided, and refused alike on every replica).
  'out-of-range': 422,
  'too-large': 422,
  'bad-text': 422,
  conflict: 409,
  deleted: 409,
  'not-deleted': 409,
  // The state of the peer or the log does not allow it now.
  'not-initialized': 409,
  'already-initialized': 409,
  'log-closed': 409,
  'already-member': 409,
  'left-before': 409,
  'storage-log-mismatch': 409,
  'reconfig-pending': 409,
  'invalid-membership': 409,
  removed: 410,
  // Join refusals from the inviter.
  'unknown-invite': 409,
  expired: 409,
  'already-used': 409,
  'wrong-log': 409,
  'not-accepting': 409,
  rejected: 409,
  'join-declined': 409,
  'join-failed': 502,
  // Invite requests (LAN first run): the member's answer, or why none came.
  declined: 409,
  busy: 409,
  'unknown-invite-request': 404,
  'lan-unavailable': 409,
  'invite-request-failed': 502,
  // Not now.
  'no-majority': 503,
  'not-leader': 503,
  stopped: 503,
  'storage-failed': 503,
  'transport-stopped': 503,
  timeout: 504,
  // Removed from the log, but no member that stays confirmed it holds the slots before.
  'handover-pending': 504,
};

/** The status, code, message and details to answer an error with. */
export function describeError(err: unknown): {
  status: number;
  body: { error: Record<string, unknown> };
  headers: Record<string, string>;
} {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message } },
      headers: err.headers,
    };
  }
  if (err instanceof SynodError) {
    const details: Record<string, unknown> = {};
    if (err instanceof DocumentError) details.version = err.version;
    if (err instanceof OperationTimeoutError) details.majority = err.majority;
    if (err instanceof LogRequiredError) details.logs = err.logs;
    if (err instanceof HandoverPendingError) details.start = err.start;
    return {
      status: STATUS[err.code] ?? 500,
      body: { error: { code: err.code, message: err.message, ...details } },
      headers: {},
    };
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal', message: messageOf(err) },
    },
    headers: {},
  };
}

/** A thrown value in words: an Error's message, an Event's type, never `[object Event]`. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  const o = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  if (typeof o.message === 'string') return o.message;
  if (typeof o.type === 'string') return `the connection failed (${o.type})`;
  return 'an unknown error';
}
