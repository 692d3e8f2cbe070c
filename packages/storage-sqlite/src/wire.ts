/**
 * What crosses between the caller's thread and the storage worker: requests and answers, with
 * their bytes packed into one transferable buffer, and errors with their class and fields.
 *
 * Both are generic over the shape of the data: a field added to StorageBatch or PersistentState
 * crosses without a line here.
 */
import { InvalidReadError, StorageFailedError, SynodError } from '@synod/core';
import Database from 'better-sqlite3';
import * as errors from './errors.js';

// ------------------------------------------------------------------ bytes

/**
 * A copy of `value` whose every Uint8Array is a view into one new ArrayBuffer, and that buffer,
 * to pass in postMessage's transfer list. Structured clone would otherwise copy each view's
 * whole underlying buffer (a vote decoded from a 64 KiB frame drags the frame along), and copy
 * again on the way; this copies each byte once and hands the buffer over.
 */
export function packBytes<T>(value: T): { value: T; transfer: ArrayBuffer[] } {
  const total = byteTotal(value);
  if (total === 0) return { value, transfer: [] };
  const arena = new ArrayBuffer(total);
  let offset = 0;
  const copy = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      const u = new Uint8Array(arena, offset, v.byteLength);
      u.set(v);
      offset += v.byteLength;
      return u;
    }
    if (Array.isArray(v)) return v.map(copy);
    if (isPlainObject(v)) {
      const o: Record<string, unknown> = {};
      for (const k in v) o[k] = copy(v[k]);
      return o;
    }
    return v;
  };
  return { value: copy(value) as T, transfer: [arena] };
}

function byteTotal(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += byteTotal(x);
  else if (isPlainObject(v)) for (const k in v) n += byteTotal(v[k]);
  return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v);
}

// ------------------------------------------------------------------ errors

/** An error as data (structured clone keeps an Error's message but not its class or fields). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields: code, path, problems, found, supported, expected... */
  readonly fields: Record<string, unknown>;
  readonly cause: WireError | undefined;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The classes an error may come back as, by name; anything else comes back as an Error. */
const CLASSES: Record<string, ErrorClass> = {
  InvalidReadError,
  StorageFailedError,
  SynodError,
  SqliteError: Database.SqliteError,
  ...Object.fromEntries(Object.values(errors).map((c: ErrorClass) => [c.name, c])),
};

export function errorToWire(e: unknown): WireError {
  if (!(e instanceof Error)) {
    return { name: 'Error', message: String(e), stack: undefined, fields: {}, cause: undefined };
  }
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k !== 'cause' && isCloneable(v)) fields[k] = v;
  }
  const cause = (e as { cause?: unknown }).cause;
  return {
    name: e.constructor.name === 'Error' ? e.name : e.constructor.name,
    message: e.message,
    stack: e.stack,
    fields,
    cause: cause === undefined ? undefined : errorToWire(cause),
  };
}

/** The error again, as an instance of its class (so `instanceof` and `code` work as before). */
export function errorFromWire(w: WireError): Error {
  const cause = w.cause === undefined ? undefined : errorFromWire(w.cause);
  const e = new Error(w.message, cause === undefined ? undefined : { cause });
  const cls = CLASSES[w.name];
  if (cls !== undefined) Object.setPrototypeOf(e, cls.prototype as object);
  Object.assign(e, w.fields);
  if (w.stack !== undefined) e.stack = w.stack;
  return e;
}

function isCloneable(v: unknown): boolean {
  if (v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v)) return true;
  return Array.isArray(v) && v.every(isCloneable);
}
