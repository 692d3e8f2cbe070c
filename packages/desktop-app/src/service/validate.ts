/**
 * Checks on what a client asks for, before it becomes a command: the same limits the state
 * machine enforces (which refuses anything that slips through, on every replica), caught here
 * so that a bad request never costs a slot. Throws InvalidArgumentError.
 */
import {
  isWellFormed,
  MAX_BODY,
  MAX_NAME,
  MAX_PATCHES,
  MAX_TITLE,
  type Patch,
} from '../document/index.js';
import { InvalidArgumentError } from './errors.js';

export function text(value: unknown, what: string, max: number, min = 0): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string`);
  if (value.length > max) {
    throw new InvalidArgumentError(`${what} exceeds ${max} code units`, 'too-large');
  }
  if (value.length < min) throw new InvalidArgumentError(`${what} must not be empty`);
  if (!isWellFormed(value)) {
    throw new InvalidArgumentError(`${what} holds a lone surrogate (invalid UTF-16)`, 'bad-text');
  }
  return value;
}

export const title = (v: unknown): string => text(v, 'title', MAX_TITLE);
export const body = (v: unknown): string => text(v, 'body', MAX_BODY);
export const name = (v: unknown): string => text(v, 'name', MAX_NAME, 1);

/** A positive safe integer (entry ids, versions). */
export function positive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what} must be a positive integer`);
  }
  return value;
}

function nonNegative(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer`);
  }
  return value;
}

export function patches(value: unknown): Patch[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError('patches must be an array');
  if (value.length > MAX_PATCHES) {
    throw new InvalidArgumentError(`more than ${MAX_PATCHES} patches`, 'too-large');
  }
  return value.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 3) {
      throw new InvalidArgumentError(`patch ${i} must be [pos, del, ins]`);
    }
    return [
      nonNegative(p[0], `patch ${i} pos`),
      nonNegative(p[1], `patch ${i} del`),
      text(p[2], `patch ${i} ins`, MAX_BODY),
    ] as const;
  });
}

/** An optional timeout in ms, 1 ms to 1 day. */
export function timeout(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > 86_400_000
  ) {
    throw new InvalidArgumentError('timeoutMs must be an integer from 1 to 86400000');
  }
  return value;
}
