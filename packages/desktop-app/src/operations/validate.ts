/**
 * Request validation, once, in the peer service: each of its operation methods parses its
 * request with the operation's schema before it acts (`validateRequests`), whoever called it:
 * the local API, Electron's IPC (both through `dispatch`, which then does not parse again), or
 * an app holding the service itself. A refused request changes nothing and is an InvalidArgumentError with a
 * stable code: `too-large` over a limit, `bad-text` for invalid UTF-16, else `invalid-argument`.
 * The parsed request is a fresh object of checked fields only.
 */
import * as v from 'valibot';
import { InvalidArgumentError } from '../service/errors.js';
import {
  OPERATIONS,
  OPERATION_NAMES,
  isOperationName,
  type OperationHandlers,
  type OperationName,
  type OperationRequest,
} from './table.js';

function refusal(issue: v.BaseIssue<unknown>): InvalidArgumentError {
  const where = v.getDotPath(issue);
  // valibot says "Invalid key: Expected never but received "x"" of a field no schema has.
  if (issue.type === 'strict_object' && where !== null) {
    return new InvalidArgumentError(`${where}: no such field in this request`);
  }
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

/** Marks handlers whose operation methods parse their own requests (validateRequests). */
const VALIDATES = Symbol('synod.validatesRequests');

/** The operations of `T` that answer at once (not a promise): they throw a refusal at once. */
type Immediate<T extends OperationHandlers> = {
  [N in OperationName]: ReturnType<T[N]> extends PromiseLike<unknown> ? never : N;
}[OperationName];

/**
 * Make each operation method of `target` parse its request first: a refused request is an
 * InvalidArgumentError (a rejected promise, or thrown at once by the operations listed in
 * `immediate`, which the compiler checks are exactly those that answer at once) and reaches
 * no method. Called by the service on itself, so no caller can skip it.
 */
export function validateRequests<T extends OperationHandlers>(
  target: T,
  immediate: Record<Immediate<T>, true>,
): void {
  const methods = target as unknown as Record<OperationName, (request: unknown) => unknown>;
  for (const name of OPERATION_NAMES) {
    const run = methods[name];
    const atOnce = Object.hasOwn(immediate, name);
    methods[name] = (raw: unknown) => {
      let request: unknown;
      try {
        request = parseRequest(name, raw);
      } catch (err) {
        if (atOnce) throw err;
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return run.call(target, request);
    };
  }
  Object.defineProperty(target, VALIDATES, { value: true });
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
  // The service parses its own requests: parsed here too, each would be parsed twice.
  const request = VALIDATES in handlers ? raw : parseRequest(name, raw);
  const handler = handlers[name] as (r: unknown) => unknown;
  return await handler.call(handlers, request);
}
