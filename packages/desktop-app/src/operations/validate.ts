/**
 * Request validation, once, at the edge of the peer: whichever host a request came through (the
 * local API, Electron's IPC), `dispatch` parses it with its operation's schema before the
 * service sees it. A refused request changes nothing and is an InvalidArgumentError with a
 * stable code: `too-large` over a limit, `bad-text` for invalid UTF-16, else `invalid-argument`.
 * The parsed request is a fresh object of checked fields only.
 */
import * as v from 'valibot';
import { InvalidArgumentError } from '../service/errors.js';
import {
  OPERATIONS,
  isOperationName,
  type OperationHandlers,
  type OperationName,
  type OperationRequest,
} from './table.js';

function refusal(issue: v.BaseIssue<unknown>): InvalidArgumentError {
  const where = v.getDotPath(issue);
  const message =
    where !== null && !issue.message.startsWith(where)
      ? `${where}: ${issue.message}`
      : issue.message;
  if (issue.type === 'max_length' && issue.message.includes('exceeds')) {
    return new InvalidArgumentError(message, 'too-large');
  }
  if (issue.type === 'max_length' && issue.message.startsWith('more than')) {
    return new InvalidArgumentError(message, 'too-large');
  }
  if (issue.type === 'check') return new InvalidArgumentError(message, 'bad-text');
  return new InvalidArgumentError(message);
}

/** The request of `name`, checked; a missing request is an empty one. */
export function parseRequest<N extends OperationName>(name: N, raw: unknown): OperationRequest<N> {
  if (typeof raw === 'object' && raw !== null) {
    const proto: unknown = Object.getPrototypeOf(raw);
    // Only plain data: no inherited fields, no class instances.
    if (proto !== Object.prototype && proto !== null && !Array.isArray(raw)) {
      throw new InvalidArgumentError(`${name}: the request must be a plain object`);
    }
  }
  const r = v.safeParse(OPERATIONS[name].request, raw ?? {}, { abortEarly: true });
  if (!r.success) throw refusal(r.issues[0]);
  return r.output;
}

/** Check a call by name (from IPC or HTTP: nothing of it is trusted) and run it. */
export async function dispatch(
  handlers: OperationHandlers,
  name: unknown,
  raw: unknown,
): Promise<unknown> {
  if (!isOperationName(name)) {
    const what = typeof name === 'string' ? name.slice(0, 40) : '?';
    throw new InvalidArgumentError(`unknown operation ${what}`);
  }
  const request = parseRequest(name, raw);
  const handler = handlers[name] as (r: unknown) => unknown;
  return await handler.call(handlers, request);
}
