/**
 * Checks of what an app passes to the public API (SynodNode's methods, startNode, the membership
 * helpers): a value of the wrong type or out of range fails with InvalidArgumentError
 * (`invalid-argument`) before anything is proposed, read or written. Unchecked, `propose(null)`
 * threw inside a later turn (the node stopped working), `propose('abc')` took a slot, and a NaN
 * or negative timeout rejected at once after the command had been proposed.
 *
 * TypeScript callers are typed already; these guard JavaScript callers and values that come
 * from outside (JSON, IPC). Each check is O(1) and cheap: propose runs one per command.
 */
import { InvalidArgumentError, InvalidConfigError } from './errors.js';
import type { PeerId, Roles } from './types.js';

/**
 * setTimeout's longest delay (2^31 - 1 ms, about 24.8 days): Node fires a longer one after 1 ms.
 * A timeout past it waits as long as it takes, as Infinity does.
 */
export const MAX_TIMER_MS = 0x7fffffff;

/** The longest peer id (validateMembership's bound). */
export const MAX_PEER_ID_LENGTH = 256;

function fail(message: string): never {
  throw new InvalidArgumentError(message);
}

/** A value for an error message: short, and never a throw of its own. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * A Uint8Array, a Buffer (a subclass) or a Uint8Array of another realm (a vm context, a
 * worker's structured clone): the last passes ArrayBuffer.isView and names itself Uint8Array.
 */
export function isBytes(v: unknown): v is Uint8Array {
  return (
    v instanceof Uint8Array ||
    (ArrayBuffer.isView(v) &&
      (v as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Uint8Array')
  );
}

/** A command for propose: bytes (any other value would reach the codec inside a later turn). */
export function checkCommand(op: unknown): void {
  if (!isBytes(op)) fail(`a command must be a Uint8Array, got ${show(op)}`);
}

/**
 * A timeout in ms: a number >= 0, or Infinity (wait as long as it takes, as leaving it out
 * does without a default). NaN, negatives and strings are refused: each timed out at once.
 */
export function checkTimeout(ms: unknown, what = 'timeoutMs'): void {
  if (ms !== undefined && !(typeof ms === 'number' && ms >= 0)) {
    fail(`${what} must be a number of ms >= 0 (or Infinity), got ${show(ms)}`);
  }
}

/** A timeout to arm a timer with, or undefined for none (left out, Infinity, or past MAX_TIMER_MS). */
export function timerMs(ms: number | undefined): number | undefined {
  return ms !== undefined && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** Something with AbortSignal's surface (a polyfill or another realm's signal is fine too). */
function isSignal(v: unknown): v is AbortSignal {
  const s = v as AbortSignal | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function'
  );
}

/** OperationOptions (and ReadOptions): an object, if given, of a valid timeoutMs and signal. */
export function checkOperationOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    fail(`options must be an object, got ${show(options)}`);
  }
  const o = options as { timeoutMs?: unknown; signal?: unknown; local?: unknown };
  checkTimeout(o.timeoutMs);
  if (o.signal !== undefined && !isSignal(o.signal)) {
    fail(`signal must be an AbortSignal, got ${show(o.signal)}`);
  }
}

/** ReadOptions: OperationOptions and a boolean `local`. */
export function checkReadOptions(options: unknown): void {
  checkOperationOptions(options);
  const local = (options as { local?: unknown }).local;
  if (local !== undefined && typeof local !== 'boolean') {
    fail(`local must be a boolean, got ${show(local)}`);
  }
}

/** A function argument (a read's query, a listener). */
export function checkFunction(f: unknown, what: string): void {
  if (typeof f !== 'function') fail(`${what} must be a function, got ${show(f)}`);
}

/**
 * A peer id as the core defines one (types.ts, validateMembership): a string of 1 to 256
 * characters. Which strings a transport can reach is its own rule (Transport.isPeerId).
 */
export function checkPeerId(id: unknown, what = 'peer id'): asserts id is PeerId {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_PEER_ID_LENGTH) {
    fail(`${what} must be a string of 1 to ${MAX_PEER_ID_LENGTH} characters, got ${show(id)}`);
  }
}

/** Roles: { replica, leader, acceptor }, each a boolean (a truthy string gave a role). */
export function checkRoles(roles: unknown): asserts roles is Roles {
  const r = roles as Record<string, unknown> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.replica !== 'boolean' ||
    typeof r.leader !== 'boolean' ||
    typeof r.acceptor !== 'boolean'
  ) {
    fail(`roles must be { replica, leader, acceptor }, each a boolean, got ${show(roles)}`);
  }
}

function hasMethods(o: unknown, names: readonly string[]): boolean {
  if (typeof o !== 'object' || o === null) return false;
  const r = o as Record<string, unknown>;
  return names.every((n) => typeof r[n] === 'function');
}

const STORAGE_METHODS = [
  'load',
  'write',
  'readDecisions',
  'readAccepted',
  'getMeta',
  'setMeta',
  'close',
];
const TRANSPORT_METHODS = ['start', 'send', 'setMembers', 'peers', 'stop'];
const STATE_MACHINE_METHODS = ['apply', 'snapshot', 'restore'];

/**
 * startNode's options (NodeOptions), before the store is loaded or the transport started:
 * InvalidConfigError (`invalid-config`), as for bad protocol options. Unchecked, a missing
 * method failed later as a TypeError, and an operationTimeoutMs of NaN timed every call out.
 */
export function checkNodeOptions(opts: unknown): void {
  const bad = (message: string): never => {
    throw new InvalidConfigError(message);
  };
  if (typeof opts !== 'object' || opts === null)
    bad(`the options must be an object, got ${show(opts)}`);
  const o = opts as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > MAX_PEER_ID_LENGTH) {
    bad(`id must be a string of 1 to ${MAX_PEER_ID_LENGTH} characters, got ${show(o.id)}`);
  }
  if (!hasMethods(o.storage, STORAGE_METHODS)) {
    bad(`storage must be a Storage (${STORAGE_METHODS.join(', ')})`);
  }
  if (!hasMethods(o.transport, TRANSPORT_METHODS)) {
    bad(`transport must be a Transport (${TRANSPORT_METHODS.join(', ')})`);
  }
  if (!hasMethods(o.stateMachine, STATE_MACHINE_METHODS)) {
    bad(`stateMachine must be a StateMachine (${STATE_MACHINE_METHODS.join(', ')})`);
  }
  if (o.protocol !== undefined && (typeof o.protocol !== 'object' || o.protocol === null)) {
    bad(`protocol must be an object, got ${show(o.protocol)}`);
  }
  const w = o.maxWritesInFlight;
  if (w !== undefined && !(typeof w === 'number' && Number.isSafeInteger(w) && w >= 1)) {
    bad(`maxWritesInFlight must be an integer >= 1, got ${show(w)}`);
  }
  const t = o.operationTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && t >= 0)) {
    bad(`operationTimeoutMs must be a number of ms >= 0 (or Infinity), got ${show(t)}`);
  }
  for (const key of ['random', 'clock', 'trace', 'onMessage']) {
    if (o[key] !== undefined && typeof o[key] !== 'function') {
      bad(`${key} must be a function, got ${show(o[key])}`);
    }
  }
  if (o.bugs !== undefined && !(o.bugs instanceof Set))
    bad(`bugs must be a Set, got ${show(o.bugs)}`);
}

/** initLog's arguments, before the store is read or written (an id of '' made a log of ''). */
export function checkInitLog(
  storage: unknown,
  id: unknown,
  stateMachine: unknown,
  protocol: unknown,
): void {
  if (!hasMethods(storage, STORAGE_METHODS)) {
    fail(`storage must be a Storage (${STORAGE_METHODS.join(', ')})`);
  }
  checkPeerId(id, 'id');
  if (!hasMethods(stateMachine, STATE_MACHINE_METHODS)) {
    fail(`stateMachine must be a StateMachine (${STATE_MACHINE_METHODS.join(', ')})`);
  }
  if (typeof protocol !== 'object' || protocol === null) {
    fail(`protocol must be an object, got ${show(protocol)}`);
  }
}
