/**
 * Runtime checks of every bridge call (bridge-api.ts), for the Electron main process: an IPC
 * message comes from a renderer that may be compromised, so nothing of it is trusted. A call is
 * a method name from BRIDGE_METHODS and one request object holding only that method's fields,
 * each of the right type and within the document's limits. Anything else is refused with a
 * BridgeError `invalid-argument` before it reaches the peer.
 *
 * The checks are the shapes and limits only; the peer service checks again (and the replicated
 * state machine refuses anything that slips through, on every replica).
 *
 * No Node or Electron imports (the browser bridge may use it too).
 */
import { MAX_BODY, MAX_NAME, MAX_PATCHES, MAX_TITLE } from '../document/limits.js';
import { isWellFormed } from '../document/text.js';
import {
  BRIDGE_METHODS,
  BridgeError,
  type BridgeMethod,
  type BridgeRequest,
  type SynodBridge,
} from './bridge-api.js';

/** Longest invite text accepted (an invite with a few addresses is well under 2 KiB). */
export const MAX_INVITE = 8192;
/** Longest peer reference (a peer id is ~52 characters; a name at most MAX_NAME). */
export const MAX_PEER_REF = 256;
const MAX_TIMEOUT_MS = 86_400_000;

function invalid(message: string): BridgeError {
  return new BridgeError({ code: 'invalid-argument', message });
}

type Obj = Record<string, unknown>;

/** A plain object with only the listed keys (undefined or missing request: {}). */
function fields(request: unknown, allowed: readonly string[], what: string): Obj {
  if (request === undefined || request === null) return {};
  if (typeof request !== 'object' || Array.isArray(request)) {
    throw invalid(`${what}: the request must be an object`);
  }
  const proto: unknown = Object.getPrototypeOf(request);
  if (proto !== Object.prototype && proto !== null) {
    throw invalid(`${what}: the request must be a plain object`);
  }
  const o = request as Obj;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw invalid(`${what}: unexpected field ${JSON.stringify(k)}`);
  }
  return o;
}

function str(v: unknown, what: string, max: number, min = 0): string {
  if (typeof v !== 'string') throw invalid(`${what} must be a string`);
  if (v.length > max) throw invalid(`${what} exceeds ${max} characters`);
  if (v.length < min) throw invalid(`${what} must not be empty`);
  if (!isWellFormed(v)) throw invalid(`${what} holds a lone surrogate`);
  return v;
}

function int(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw invalid(`${what} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw invalid(`${what} must be true or false`);
  return v;
}

/** Copy the optional fields that are present, each through its check. */
function optional(o: Obj, checks: Record<string, (v: unknown) => unknown>): Obj {
  const out: Obj = {};
  for (const [k, check] of Object.entries(checks)) {
    if (o[k] !== undefined) out[k] = check(o[k]);
  }
  return out;
}

const read = (v: unknown): 'linearizable' | 'local' => {
  if (v === 'linearizable' || v === 'local') return v;
  throw invalid('read must be "linearizable" or "local"');
};
const timeoutMs = (v: unknown) => int(v, 'timeoutMs', 1, MAX_TIMEOUT_MS);
const title = (v: unknown) => str(v, 'title', MAX_TITLE);

function patches(v: unknown): [number, number, string][] {
  if (!Array.isArray(v)) throw invalid('patches must be an array');
  if (v.length > MAX_PATCHES) throw invalid(`more than ${MAX_PATCHES} patches`);
  return v.map((p: unknown, i): [number, number, string] => {
    if (!Array.isArray(p) || p.length !== 3) throw invalid(`patch ${i} must be [pos, del, ins]`);
    return [
      int(p[0], `patch ${i} pos`, 0, MAX_BODY),
      int(p[1], `patch ${i} del`, 0, MAX_BODY),
      str(p[2], `patch ${i} ins`, MAX_BODY),
    ];
  });
}

type Validators = { readonly [M in BridgeMethod]: (request: unknown) => BridgeRequest<M> };

/** One validator per method: returns a fresh request holding only checked fields. */
export const BRIDGE_VALIDATORS: Validators = {
  status: (r) => void fields(r, [], 'status'),
  leave: (r) => void fields(r, [], 'leave'),
  discovered: (r) => void fields(r, [], 'discovered'),
  entries: (r) =>
    optional(fields(r, ['read', 'deleted'], 'entries'), {
      read,
      deleted: (v) => bool(v, 'deleted'),
    }),
  history: (r) =>
    optional(fields(r, ['after', 'limit', 'read'], 'history'), {
      after: (v) => int(v, 'after', 0),
      limit: (v) => int(v, 'limit', 1, 10_000),
      read,
    }),
  append: (r) => {
    const o = fields(r, ['title', 'body', 'timeoutMs'], 'append');
    return {
      title: title(o.title),
      body: str(o.body, 'body', MAX_BODY),
      ...optional(o, { timeoutMs }),
    };
  },
  edit: (r) => {
    const o = fields(r, ['id', 'version', 'patches', 'title', 'rebase', 'timeoutMs'], 'edit');
    return {
      id: int(o.id, 'id', 1),
      version: int(o.version, 'version', 1),
      patches: patches(o.patches),
      ...optional(o, { title, rebase: (v) => bool(v, 'rebase'), timeoutMs }),
    };
  },
  deleteEntry: (r) => entryRequest(r, 'deleteEntry'),
  restoreEntry: (r) => entryRequest(r, 'restoreEntry'),
  renameLog: (r) => {
    const o = fields(r, ['title', 'timeoutMs'], 'renameLog');
    return { title: title(o.title), ...optional(o, { timeoutMs }) };
  },
  setName: (r) => ({ name: str(fields(r, ['name'], 'setName').name, 'name', MAX_NAME, 1) }),
  invite: (r) =>
    optional(fields(r, ['ttlMs'], 'invite'), { ttlMs: (v) => int(v, 'ttlMs', 1, MAX_TIMEOUT_MS) }),
  removePeer: (r) => {
    const o = fields(r, ['peer', 'timeoutMs'], 'removePeer');
    return { peer: str(o.peer, 'peer', MAX_PEER_REF, 1), ...optional(o, { timeoutMs }) };
  },
  createLog: (r) => optional(fields(r, ['title'], 'createLog'), { title }),
  join: (r) => {
    const o = fields(r, ['invite', 'name'], 'join');
    return {
      invite: str(o.invite, 'invite', MAX_INVITE, 1).trim(),
      ...optional(o, { name: (v) => str(v, 'name', MAX_NAME, 1) }),
    };
  },
  protocol: (r) =>
    optional(fields(r, ['after', 'limit'], 'protocol'), {
      after: (v) => int(v, 'after', 0),
      limit: (v) => int(v, 'limit', 1, 1000),
    }),
};

function entryRequest(r: unknown, what: string): { id: number; version?: number } {
  const o = fields(r, ['id', 'version', 'timeoutMs'], what);
  return {
    id: int(o.id, 'id', 1),
    ...optional(o, { version: (v) => int(v, 'version', 1), timeoutMs }),
  };
}

export function isBridgeMethod(m: unknown): m is BridgeMethod {
  return typeof m === 'string' && (BRIDGE_METHODS as readonly string[]).includes(m);
}

/** A checked call: the method, and a fresh request object built from checked fields only. */
export type ValidatedCall = {
  [M in BridgeMethod]: { readonly method: M; readonly request: BridgeRequest<M> };
}[BridgeMethod];

/** Check one IPC call; throws BridgeError `invalid-argument`. */
export function validateBridgeCall(method: unknown, request: unknown): ValidatedCall {
  if (!isBridgeMethod(method)) {
    throw invalid(`unknown method ${typeof method === 'string' ? method.slice(0, 40) : '?'}`);
  }
  const check = BRIDGE_VALIDATORS[method] as (r: unknown) => unknown;
  return { method, request: check(request) } as ValidatedCall;
}

/** Run a validated call on a bridge (the main process's side of the IPC channel). */
export function dispatchBridgeCall(bridge: SynodBridge, call: ValidatedCall): Promise<unknown> {
  const methods = bridge as unknown as Record<BridgeMethod, (request: unknown) => Promise<unknown>>;
  return methods[call.method](call.request);
}
