/**
 * The request fields of the operation table, as valibot schemas, with the document log's own
 * limits (the state machine refuses anything that slips through, on every replica; checked
 * here first so that a bad request never costs a slot). Messages say which field and why.
 */
import * as v from 'valibot';
import { MAX_BODY, MAX_NAME, MAX_PATCHES, MAX_TITLE } from '../document/limits.js';
import { isWellFormed } from '../document/text.js';

/** Longest invite text accepted (an invite with a few addresses is well under 2 KiB). */
export const MAX_INVITE = 8192;
/** Longest peer reference (a peer id is ~52 characters; a name at most MAX_NAME). */
export const MAX_PEER_REF = 256;
export const MAX_TIMEOUT_MS = 86_400_000;
/**
 * The most edits one editMany request proposes at once: a fast typist's burst (the editing-trace
 * test sends 2,000) with room to spare; the request body's byte limit bounds it too.
 */
export const MAX_EDITS = 10_000;

/** Text of at most `max` UTF-16 code units, well-formed (no lone surrogate). */
export function textOf(what: string, max: number, min = 0) {
  return v.pipe(
    v.string(`${what} must be a string`),
    v.minLength(min, `${what} must not be empty`),
    v.maxLength(max, `${what} exceeds ${max} code units`),
    v.check(isWellFormed, `${what} holds a lone surrogate (invalid UTF-16)`),
  );
}

function integer(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const message = `${what} must be an integer from ${min} to ${max}`;
  return v.pipe(
    v.number(message),
    v.safeInteger(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

export const title = textOf('title', MAX_TITLE);
export const body = textOf('body', MAX_BODY);
export const peerName = textOf('name', MAX_NAME, 1);
export const peerRef = textOf('peer', MAX_PEER_REF, 1);
/** A log's name on this peer (as @synod/peer keeps it: 1 to 64 characters, not blank). */
export const logName = v.pipe(textOf('logName', 64, 1), v.regex(/\S/, 'logName must not be blank'));
/** A log, by its name on this peer or its id. */
export const logRef = textOf('log', MAX_PEER_REF, 1);
export const inviteText = v.pipe(textOf('invite', MAX_INVITE, 1), v.trim());
export const positive = integer('the value', 1);
export const nonNegative = integer('the value', 0);
export const entryId = integer('id', 1);
export const readMode = v.picklist(['linearizable', 'local'], 'read must be linearizable or local');
/** An optional duration in ms, named as its field is (`what`), from 1 ms to MAX_TIMEOUT_MS. */
export const optionalMs = (what: string) => v.optional(integer(what, 1, MAX_TIMEOUT_MS));
export const optionalTimeout = optionalMs('timeoutMs');

/** A patch [pos, del, ins]: at pos, delete del code units, then insert ins. */
const patch = v.strictTuple(
  [integer('pos', 0, MAX_BODY), integer('del', 0, MAX_BODY), textOf('ins', MAX_BODY)],
  'a patch must be [pos, del, ins]',
);
export const patches = v.pipe(
  v.array(patch, 'patches must be an array'),
  v.maxLength(MAX_PATCHES, `more than ${MAX_PATCHES} patches`),
);
