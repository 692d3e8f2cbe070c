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
 * A peer carries many logs. An operation of one log is declared with `logOp`: its request gains
 * `log` (the log's name on this peer or its id; left out: the only log), its path is
 * `/api/logs/:log/…`, and the same path without `/logs/:log` still serves the only log (the
 * API of one log per peer, before many logs). The CLI's `--log` option comes from the field.
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
  LogsView,
  ProtocolSnapshot,
  ServiceStatus,
} from '../service/types.js';
import {
  entryId,
  inviteText,
  logName,
  logRef,
  MAX_EDITS,
  optionalMs,
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
  /** An operation of one log: its path for the only log (`log` left out), without the log. */
  readonly unscoped?: string;
}

/** One operation: what it does, its request, its result (a type only) and its HTTP binding. */
export interface Operation<S extends v.GenericSchema = v.GenericSchema, R = unknown> {
  readonly summary: string;
  readonly request: S;
  readonly http: HttpBinding;
  /** It acts on one log, which `request.log` names (default: the only log). */
  readonly perLog: boolean;
  /** Never set: carries the result type. */
  readonly result?: R;
}

function op<R>() {
  return <S extends v.GenericSchema>(o: {
    summary: string;
    request: S;
    http: HttpBinding;
  }): Operation<S, R> => ({ ...o, perLog: false });
}

/**
 * An operation of one log: `request` gains `log`, `http.path` (`/entries`) becomes
 * `/api/logs/:log/entries`, and `/api/entries` (or `unscoped`, a path of before) serves the
 * only log.
 */
function logOp<R>() {
  return <E extends v.ObjectEntries>(o: {
    summary: string;
    request: E;
    http: { method: 'GET' | 'POST'; path: string; status?: number; unscoped?: string };
  }) => {
    const { path, unscoped, ...http } = o.http;
    return {
      summary: o.summary,
      request: v.strictObject({ log: v.optional(logRef), ...o.request }),
      http: { ...http, path: `/api/logs/:log${path}`, unscoped: unscoped ?? `/api${path}` },
      perLog: true,
    } as Operation<
      v.StrictObjectSchema<{ log: v.OptionalSchema<typeof logRef, undefined> } & E, undefined>,
      R
    >;
  };
}

const none = v.strictObject({});
const timed = { timeoutMs: optionalTimeout };

export const OPERATIONS = {
  status: logOp<ServiceStatus>()({
    summary:
      'the peer in a log, its members (online, leader, roles), the majority, the protocol state',
    request: {},
    http: { method: 'GET', path: '/status' },
  }),
  logs: op<LogsView>()({
    summary: "this peer's logs: each one's id, name, title and state",
    request: none,
    http: { method: 'GET', path: '/api/logs' },
  }),
  entries: logOp<EntriesView>()({
    summary: 'the entries (linearizable by default; `local` reads this replica)',
    request: {
      read: v.optional(readMode),
      deleted: v.optional(v.boolean()),
      bodies: v.optional(v.boolean()),
      ...timed,
    },
    http: { method: 'GET', path: '/entries' },
  }),
  entry: logOp<EntryView>()({
    summary: 'one entry, with its body (or its body at `atVersion`, while this peer keeps it)',
    request: {
      id: entryId,
      atVersion: v.optional(positive),
      read: v.optional(readMode),
      ...timed,
    },
    http: { method: 'GET', path: '/entries/:id' },
  }),
  history: logOp<HistoryView>()({
    summary:
      'the decided history, oldest first: the first `limit` with n > after, or the newest `limit`',
    request: {
      after: v.optional(nonNegative),
      limit: v.optional(v.pipe(positive, v.maxValue(10_000))),
      read: v.optional(readMode),
      ...timed,
    },
    http: { method: 'GET', path: '/history' },
  }),
  append: logOp<{ id: number; version: number }>()({
    summary: 'append an entry',
    request: { title, body, ...timed },
    http: { method: 'POST', path: '/entries', status: 201 },
  }),
  edit: logOp<{ version: number; rebased: boolean }>()({
    summary: "patch an entry made against `version` (rebased over others' disjoint changes)",
    request: {
      id: entryId,
      version: positive,
      patches,
      title: v.optional(title),
      rebase: v.optional(v.boolean()),
      ...timed,
    },
    http: { method: 'POST', path: '/entries/:id/edit' },
  }),
  editMany: logOp<{ results: EditOutcome[] }>()({
    summary: "several edits of one entry, in order, all outstanding at once (a typist's burst)",
    request: {
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
    },
    http: { method: 'POST', path: '/entries/:id/edits' },
  }),
  deleteEntry: logOp<{ version: number }>()({
    summary: 'delete an entry (refused unless at `version`, when given)',
    request: { id: entryId, version: v.optional(positive), ...timed },
    http: { method: 'POST', path: '/entries/:id/delete' },
  }),
  restoreEntry: logOp<{ version: number }>()({
    summary: 'restore a deleted entry (refused unless at `version`, when given)',
    request: { id: entryId, version: v.optional(positive), ...timed },
    http: { method: 'POST', path: '/entries/:id/restore' },
  }),
  renameLog: logOp<Record<string, never>>()({
    summary: 'rename the log (its title, the same for every member)',
    request: { title, ...timed },
    http: { method: 'POST', path: '/rename', unscoped: '/api/log/rename' },
  }),
  setName: op<Record<string, never>>()({
    summary: "this peer's display name (kept in its data directory, recorded in its logs)",
    request: v.strictObject({ name: peerName }),
    http: { method: 'POST', path: '/api/name' },
  }),
  invite: logOp<InviteView>()({
    summary: 'a single-use invite to the log',
    request: { ttlMs: optionalMs('ttlMs') },
    http: { method: 'POST', path: '/invites', status: 201 },
  }),
  createLog: op<ServiceStatus>()({
    summary: 'create a new log with this peer its only member (beside others: give it a `logName`)',
    request: v.strictObject({ title: v.optional(title), logName: v.optional(logName) }),
    http: { method: 'POST', path: '/api/create', status: 201 },
  }),
  join: op<ServiceStatus>()({
    summary:
      "join an invite's log (beside others: give it a `logName`); resolves once a member added this peer",
    request: v.strictObject({
      invite: inviteText,
      name: v.optional(peerName),
      logName: v.optional(logName),
    }),
    http: { method: 'POST', path: '/api/join' },
  }),
  askToJoin: op<ServiceStatus>()({
    summary:
      'in setup: ask a member found on the LAN for an invite (its user accepts or declines), then join with it',
    request: v.strictObject({ peer: peerRef, name: v.optional(peerName) }),
    http: { method: 'POST', path: '/api/ask-to-join' },
  }),
  answerInviteRequest: logOp<Record<string, never>>()({
    summary:
      'accept or decline a LAN peer that asked this member for an invite (status lists them)',
    request: {
      request: positive,
      accept: v.boolean('accept must be true or false'),
    },
    http: { method: 'POST', path: '/invite-requests/:request' },
  }),
  openLog: logOp<ServiceStatus>()({
    summary: 'start a closed log of this peer again (it reconnects and catches up)',
    request: {},
    http: { method: 'POST', path: '/open' },
  }),
  closeLog: logOp<LogsView>()({
    summary: "stop a log's core here, keeping its file (openLog starts it again)",
    request: {},
    http: { method: 'POST', path: '/close' },
  }),
  leave: logOp<LogsView>()({
    summary:
      'take this peer out of the log (its store kept in <data>/left/); force: set it aside even if no member that stays confirmed the hand-over (handover-pending)',
    request: { ...timed, force: v.optional(v.boolean('force must be true or false')) },
    http: { method: 'POST', path: '/leave' },
  }),
  removePeer: logOp<{ removed: string }>()({
    summary: 'remove a member, by peer id or by a name only it uses',
    request: { peer: peerRef, ...timed },
    http: { method: 'POST', path: '/peers/remove' },
  }),
  discovered: op<{ peers: DiscoveredPeerView[] }>()({
    summary: 'peers seen on the LAN (mDNS) or by address, members or not',
    request: none,
    http: { method: 'GET', path: '/api/discovered' },
  }),
  protocol: logOp<ProtocolSnapshot>()({
    summary: "what the protocol view draws: this peer's roles and the messages after `after`",
    request: {
      after: v.optional(nonNegative),
      limit: v.optional(v.pipe(positive, v.maxValue(1000))),
    },
    http: { method: 'GET', path: '/protocol' },
  }),
  suspend: op<LogsView>()({
    summary: 'before sleep or quit: step down as leader and stop talking, keeping the store',
    request: none,
    http: { method: 'POST', path: '/api/suspend' },
  }),
  resume: op<LogsView>()({
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

/**
 * The request of `name` for the log `log`: operations of one log get `log` (unless the request
 * names one), the others go as they are. The CLI's `--log` and the UI's chosen log use it.
 */
export function inLog(name: OperationName, request: object, log: string | undefined): object {
  if (log === undefined || !OPERATIONS[name].perLog || 'log' in request) return request;
  return { log, ...request };
}
