/**
 * The checks of createPeer's and the host's options, run before anything touches the disk: a
 * wrong type, a timeout that is not a number or an option name with a typo is an
 * InvalidPeerOptionsError naming the option, and leaves the data directory as it was. (The
 * store, transport and protocol check their own options again, later: those are theirs.)
 */
import { InvalidPeerOptionsError } from './errors.js';
import { checkName } from './name.js';

/** The longest log id (it is in every invite, and in each stream's header). */
export const MAX_LOG_ID_LENGTH = 256;

/** The keys of LogOptions. */
const LOG_KEYS = [
  'stateMachine',
  'name',
  'protocol',
  'operationTimeoutMs',
  'onMessage',
  'admit',
  'joinRoles',
  'joinTimeoutMs',
  'bootstrap',
] as const;

/** The keys of PeerOptions (create-peer.ts). */
const PEER_KEYS: ReadonlySet<string> = new Set([
  ...LOG_KEYS,
  'dataDir',
  'init',
  'join',
  'logId',
  'listen',
  'mdns',
  'psk',
  'durability',
  'nativeBinding',
  'transport',
]);

const fail = (message: string): never => {
  throw new InvalidPeerOptionsError(message);
};

function optionalInteger(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
    fail(`${key} must be an integer >= 1 (ms), got ${JSON.stringify(v) ?? typeof v}`);
  }
}

function optionalStrings(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))) {
    fail(`${key} must be an array of multiaddr strings`);
  }
}

function optionalObject(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
    fail(`${key} must be an object`);
  }
}

/** A log id given by the app (createPeer's and createLog's `logId`). */
export function checkLogId(logId: unknown): void {
  if (
    logId !== undefined &&
    (typeof logId !== 'string' || logId.length === 0 || logId.length > MAX_LOG_ID_LENGTH)
  ) {
    fail(`logId must be a string of 1 to ${MAX_LOG_ID_LENGTH} characters`);
  }
}

/** The options every log takes (LogOptions), whichever way it starts. */
export function checkLogOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) fail('the options must be an object');
  const o = options as Record<string, unknown>;
  const sm = o.stateMachine as Record<string, unknown> | undefined;
  if (
    typeof sm !== 'object' ||
    sm === null ||
    typeof sm.apply !== 'function' ||
    typeof sm.snapshot !== 'function' ||
    typeof sm.restore !== 'function'
  ) {
    fail('stateMachine must be a StateMachine (apply, snapshot and restore)');
  }
  if (o.name !== undefined) checkName(o.name as string);
  optionalObject(o, 'protocol');
  optionalInteger(o, 'operationTimeoutMs');
  optionalInteger(o, 'joinTimeoutMs');
  if (o.onMessage !== undefined && typeof o.onMessage !== 'function') {
    fail('onMessage must be a function');
  }
  if (o.admit !== undefined && o.admit !== false && typeof o.admit !== 'function') {
    fail('admit must be false or a function');
  }
  const roles = o.joinRoles as Record<string, unknown> | undefined;
  if (
    roles !== undefined &&
    (typeof roles !== 'object' ||
      roles === null ||
      !['replica', 'leader', 'acceptor'].every((r) => typeof roles[r] === 'boolean'))
  ) {
    fail('joinRoles must be { replica, leader, acceptor } booleans');
  }
  optionalStrings(o, 'bootstrap');
}

/** createPeer's options, all of them (an unknown key is most likely a typo). */
export function checkPeerOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) fail('the options must be an object');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!PEER_KEYS.has(key)) fail(`unknown option ${key}`);
  }
  if (typeof o.dataDir !== 'string' || o.dataDir.length === 0) {
    fail('dataDir must be a non-empty path');
  }
  checkLogOptions(o);
  if (o.init !== undefined && typeof o.init !== 'boolean') fail('init must be a boolean');
  if (o.join !== undefined && typeof o.join !== 'string') fail('join must be invite text');
  checkLogId(o.logId);
  optionalStrings(o, 'listen');
  const mdns = o.mdns;
  if (
    mdns !== undefined &&
    typeof mdns !== 'boolean' &&
    (typeof mdns !== 'object' || mdns === null)
  ) {
    fail('mdns must be a boolean or { intervalMs, serviceTag }');
  }
  if (o.durability !== undefined && o.durability !== 'full' && o.durability !== 'normal-unsafe') {
    fail(`durability must be 'full' or 'normal-unsafe', got ${JSON.stringify(o.durability)}`);
  }
  if (o.psk !== undefined && !(o.psk instanceof Uint8Array)) fail('psk must be a Uint8Array');
  if (o.nativeBinding !== undefined && typeof o.nativeBinding !== 'string') {
    fail('nativeBinding must be a path');
  }
  optionalObject(o, 'transport');
}
