/**
 * Every operation of a desktop peer, declared once: its name (also the peer service's method,
 * the bridge's method and the HTTP client's method), its request schema, its result type, and
 * its HTTP method and path. Everything else derives from this table:
 *
 * - the local API's routes (api/server.ts: `matchRoute`), and docs/api.md's table;
 * - the HTTP client (api/client.ts: one method per operation, `pathOf` builds the URL);
 * - the Electron bridge (desktop/bridge-api.ts: SynodBridge, fromRawBridge), the preload's
 *   method list (electron/preload.ts, bundled with this table) and the main process's checks;
 * - request validation (operations/validate.ts: the schema here, parsed by valibot), done once
 *   at the edge of the peer, whichever host (HTTP or IPC) the request came through;
 * - the service (service/peer-service.ts `implements OperationHandlers`: the compiler checks
 *   that it has each operation, with its request and result types).
 *
 * Why valibot: its schemas are plain functions, so a bundle (the renderer, the sandboxed
 * preload) carries only those used, a few kB; the TypeScript types of every request come out of
 * the schemas (InferOutput), so the request types are not written twice; issues are data (a
 * path, a message), which become our `invalid-argument` errors. zod would do as well, at ten
 * times the size in a bundle.
 *
 * No Node or DOM here: the renderer, the preload, the main process and the CLI all import it.
 */
import * as v from 'valibot';
import type { EntryView } from '../document/types.js';
import type {
  DiscoveredPeerView,
  EditOutcome,
  EntriesView,
  HistoryView,
  InviteView,
  ProtocolSnapshot,
  ServiceStatus,
} from '../service/types.js';
import {
  entryId,
  inviteText,
  MAX_EDITS,
  optionalTimeout,
  patches,
  peerName,
  peerRef,
  positive,
  nonNegative,
  readMode,
  textOf,
  title,
  body,
} from './schemas.js';

/** How an operation travels over the local API. GET requests go in the query string. */
export interface HttpBinding {
  readonly method: 'GET' | 'POST';
  /** `/api/entries/:id/edit`: a `:field` is that request field, taken out of the body/query. */
  readonly path: string;
  /** The answer's status on success (default 200). */
  readonly status?: number;
}

/** One operation: what it does, its request, its result (a type only) and its HTTP binding. */
export interface Operation<S extends v.GenericSchema = v.GenericSchema, R = unknown> {
  readonly summary: string;
  readonly request: S;
  readonly http: HttpBinding;
  /** Never set: carries the result type. */
  readonly result?: R;
}

function op<R>() {
  return <S extends v.GenericSchema>(o: {
    summary: string;
    request: S;
    http: HttpBinding;
  }): Operation<S, R> => o;
}

const none = v.strictObject({});
const timed = { timeoutMs: optionalTimeout };

export const OPERATIONS = {
  status: op<ServiceStatus>()({
    summary: 'the peer, its members (online, leader, roles), the majority, the protocol state',
    request: none,
    http: { method: 'GET', path: '/api/status' },
  }),
  entries: op<EntriesView>()({
    summary: 'the entries (linearizable by default; `local` reads this replica)',
    request: v.strictObject({
      read: v.optional(readMode),
      deleted: v.optional(v.boolean()),
      bodies: v.optional(v.boolean()),
      ...timed,
    }),
    http: { method: 'GET', path: '/api/entries' },
  }),
  entry: op<EntryView>()({
    summary: 'one entry, with its body',
    request: v.strictObject({ id: entryId, read: v.optional(readMode), ...timed }),
    http: { method: 'GET', path: '/api/entries/:id' },
  }),
  history: op<HistoryView>()({
    summary:
      'the decided history, oldest first: the first `limit` with n > after, or the newest `limit`',
    request: v.strictObject({
      after: v.optional(nonNegative),
      limit: v.optional(v.pipe(positive, v.maxValue(10_000))),
      read: v.optional(readMode),
      ...timed,
    }),
    http: { method: 'GET', path: '/api/history' },
  }),
  append: op<{ id: number; version: number }>()({
    summary: 'append an entry',
    request: v.strictObject({ title, body, ...timed }),
    http: { method: 'POST', path: '/api/entries', status: 201 },
  }),
  edit: op<{ version: number; rebased: boolean }>()({
    summary: "patch an entry made against `version` (rebased over others' disjoint changes)",
    request: v.strictObject({
      id: entryId,
      version: positive,
      patches,
      title: v.optional(title),
      rebase: v.optional(v.boolean()),
      ...timed,
    }),
    http: { method: 'POST', path: '/api/entries/:id/edit' },
  }),
  editMany: op<{ results: EditOutcome[] }>()({
    summary: "several edits of one entry, in order, all outstanding at once (a typist's burst)",
    request: v.strictObject({
      id: entryId,
      edits: v.pipe(
        v.array(
          v.strictObject({
            version: positive,
            patches,
            title: v.optional(title),
            rebase: v.optional(v.boolean()),
          }),
        ),
        v.maxLength(MAX_EDITS, `more than ${MAX_EDITS} edits`),
      ),
      ...timed,
    }),
    http: { method: 'POST', path: '/api/entries/:id/edits' },
  }),
  deleteEntry: op<{ version: number }>()({
    summary: 'delete an entry (refused unless at `version`, when given)',
    request: v.strictObject({ id: entryId, version: v.optional(positive), ...timed }),
    http: { method: 'POST', path: '/api/entries/:id/delete' },
  }),
  restoreEntry: op<{ version: number }>()({
    summary: 'restore a deleted entry (refused unless at `version`, when given)',
    request: v.strictObject({ id: entryId, version: v.optional(positive), ...timed }),
    http: { method: 'POST', path: '/api/entries/:id/restore' },
  }),
  renameLog: op<Record<string, never>>()({
    summary: 'rename the log',
    request: v.strictObject({ title, ...timed }),
    http: { method: 'POST', path: '/api/log/rename' },
  }),
  setName: op<Record<string, never>>()({
    summary: "this peer's display name (kept in its data directory, recorded in the log)",
    request: v.strictObject({ name: peerName }),
    http: { method: 'POST', path: '/api/name' },
  }),
  invite: op<InviteView>()({
    summary: 'a single-use invite to this log',
    request: v.strictObject({ ttlMs: optionalTimeout }),
    http: { method: 'POST', path: '/api/invites', status: 201 },
  }),
  createLog: op<ServiceStatus>()({
    summary: 'create a new log with this peer its only member (in setup)',
    request: v.strictObject({ title: v.optional(title) }),
    http: { method: 'POST', path: '/api/create', status: 201 },
  }),
  join: op<ServiceStatus>()({
    summary: "join an invite's log (in setup); resolves once a member added this peer",
    request: v.strictObject({ invite: inviteText, name: v.optional(peerName) }),
    http: { method: 'POST', path: '/api/join' },
  }),
  askToJoin: op<ServiceStatus>()({
    summary:
      'in setup: ask a member found on the LAN for an invite (its user accepts or declines), then join with it',
    request: v.strictObject({ peer: peerRef, name: v.optional(peerName) }),
    http: { method: 'POST', path: '/api/ask-to-join' },
  }),
  answerInviteRequest: op<Record<string, never>>()({
    summary:
      'accept or decline a LAN peer that asked this member for an invite (status lists them)',
    request: v.strictObject({
      request: positive,
      accept: v.boolean('accept must be true or false'),
    }),
    http: { method: 'POST', path: '/api/invite-requests/:request' },
  }),
  leave: op<ServiceStatus>()({
    summary: 'take this peer out of the log, back to setup (its store kept in <data>/left/)',
    request: none,
    http: { method: 'POST', path: '/api/leave' },
  }),
  removePeer: op<{ removed: string }>()({
    summary: 'remove a member, by peer id or by a name only it uses',
    request: v.strictObject({ peer: peerRef, ...timed }),
    http: { method: 'POST', path: '/api/peers/remove' },
  }),
  discovered: op<{ peers: DiscoveredPeerView[] }>()({
    summary: 'peers seen on the LAN (mDNS) or by address, members or not',
    request: none,
    http: { method: 'GET', path: '/api/discovered' },
  }),
  protocol: op<ProtocolSnapshot>()({
    summary: "what the protocol view draws: this peer's roles and the messages after `after`",
    request: v.strictObject({
      after: v.optional(nonNegative),
      limit: v.optional(v.pipe(positive, v.maxValue(1000))),
    }),
    http: { method: 'GET', path: '/api/protocol' },
  }),
  suspend: op<ServiceStatus>()({
    summary: 'before sleep or quit: step down as leader and stop talking, keeping the store',
    request: none,
    http: { method: 'POST', path: '/api/suspend' },
  }),
  resume: op<ServiceStatus>()({
    summary: 'after wake: reconnect and catch up (status shows the progress)',
    request: none,
    http: { method: 'POST', path: '/api/resume' },
  }),
} as const satisfies Record<string, Operation>;

export type Operations = typeof OPERATIONS;
export type OperationName = keyof Operations;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** What a caller sends (optional fields may be left out). */
export type OperationInput<N extends OperationName> = v.InferInput<Operations[N]['request']>;
/** What the service gets: the request as validated. */
export type OperationRequest<N extends OperationName> = v.InferOutput<Operations[N]['request']>;
export type OperationResult<N extends OperationName> = NonNullable<Operations[N]['result']>;

/** Operations whose request may be left out (every field optional). */
type Optional<N extends OperationName> = object extends OperationInput<N> ? N : never;

/** The peer side: one method per operation, taking the validated request. */
export type OperationHandlers = {
  [N in OperationName]: (
    request: OperationRequest<N>,
  ) => OperationResult<N> | Promise<OperationResult<N>>;
};

/** The caller side (HTTP client, bridge): one method per operation. */
export type OperationClient = {
  [N in OperationName]: N extends Optional<N>
    ? (request?: OperationInput<N>) => Promise<OperationResult<N>>
    : (request: OperationInput<N>) => Promise<OperationResult<N>>;
};

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

export { textOf };
