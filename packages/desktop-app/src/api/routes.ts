/**
 * The local API's endpoints: a table of method, path and handler, each a thin translation of
 * one PeerService operation (docs/api.md documents every one). Handlers get the parsed body
 * (only the listed fields) and query; what they return is sent as JSON.
 */
import type { PeerService } from '../service/index.js';
import { HttpError } from './http-error.js';

export interface RouteContext {
  readonly service: PeerService;
  /** The path's captured parts (decoded). */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  /** The body fields accepted (POST); any other field is refused with 400. */
  readonly fields?: readonly string[];
  /** The answer's status when it succeeds (default 200). */
  readonly status?: number;
  handle(ctx: RouteContext): unknown;
}

function entryId(ctx: RouteContext): number {
  const raw = ctx.params[0]!;
  const id = Number(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(id)) {
    throw new HttpError(400, 'invalid-argument', `${raw} is not an entry id`);
  }
  return id;
}

function readMode(q: URLSearchParams): 'linearizable' | 'local' {
  const v = q.get('read');
  if (v === null || v === 'linearizable') return 'linearizable';
  if (v === 'local') return 'local';
  throw new HttpError(400, 'invalid-argument', 'read must be linearizable or local');
}

function flag(q: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = q.get(name);
  if (v === null) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, 'invalid-argument', `${name} must be true or false`);
}

function integer(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[0-9]{1,15}$/.test(v)) {
    throw new HttpError(400, 'invalid-argument', `${name} must be a non-negative integer`);
  }
  return Number(v);
}

function timeoutOf(q: URLSearchParams): number | undefined {
  return integer(q, 'timeoutMs');
}

const ID = '([0-9]+)';

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/status$/,
    handle: ({ service }) => service.status(),
  },
  {
    method: 'GET',
    path: /^\/api\/entries$/,
    handle: ({ service, query }) =>
      service.list({
        read: readMode(query),
        includeDeleted: flag(query, 'deleted', false),
        bodies: flag(query, 'bodies', true),
        timeoutMs: timeoutOf(query),
      }),
  },
  {
    method: 'POST',
    path: /^\/api\/entries$/,
    fields: ['title', 'body', 'timeoutMs'],
    status: 201,
    handle: ({ service, body }) =>
      service.append({ title: body.title, body: body.body }, { timeoutMs: body.timeoutMs }),
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/entries/${ID}$`),
    handle: (ctx) =>
      ctx.service.get(entryId(ctx), { read: readMode(ctx.query), timeoutMs: timeoutOf(ctx.query) }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/entries/${ID}/edit$`),
    fields: ['version', 'patches', 'title', 'rebase', 'timeoutMs'],
    handle: (ctx) => {
      const { timeoutMs, ...edit } = ctx.body;
      return ctx.service.edit(entryId(ctx), edit, { timeoutMs });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/entries/${ID}/edits$`),
    fields: ['edits', 'timeoutMs'],
    handle: async (ctx) => ({
      results: await ctx.service.editMany(entryId(ctx), ctx.body.edits, {
        timeoutMs: ctx.body.timeoutMs,
      }),
    }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/entries/${ID}/delete$`),
    fields: ['version', 'timeoutMs'],
    handle: (ctx) => ctx.service.delete(entryId(ctx), ctx.body),
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/entries/${ID}/restore$`),
    fields: ['version', 'timeoutMs'],
    handle: (ctx) => ctx.service.restore(entryId(ctx), ctx.body),
  },
  {
    method: 'POST',
    path: /^\/api\/log\/rename$/,
    fields: ['title', 'timeoutMs'],
    handle: async ({ service, body }) => {
      await service.renameLog(body.title, { timeoutMs: body.timeoutMs });
      return {};
    },
  },
  {
    method: 'GET',
    path: /^\/api\/history$/,
    handle: ({ service, query }) =>
      service.history({
        after: integer(query, 'after'),
        limit: integer(query, 'limit'),
        read: readMode(query),
        timeoutMs: timeoutOf(query),
      }),
  },
  {
    method: 'POST',
    path: /^\/api\/name$/,
    fields: ['name'],
    handle: async ({ service, body }) => {
      await service.setName(body.name);
      return {};
    },
  },
  {
    method: 'POST',
    path: /^\/api\/invites$/,
    fields: ['ttlMs'],
    status: 201,
    handle: ({ service, body }) => service.invite({ ttlMs: body.ttlMs }),
  },
  {
    method: 'POST',
    path: /^\/api\/create$/,
    fields: ['title'],
    status: 201,
    handle: ({ service, body }) =>
      service.create(body.title === undefined ? {} : { title: body.title as string }),
  },
  {
    method: 'POST',
    path: /^\/api\/join$/,
    fields: ['invite'],
    handle: ({ service, body }) => service.join(body.invite as string),
  },
  {
    method: 'POST',
    path: /^\/api\/leave$/,
    fields: [],
    handle: ({ service }) => service.leave(),
  },
  {
    method: 'POST',
    path: /^\/api\/peers\/remove$/,
    fields: ['peer', 'timeoutMs'],
    handle: async ({ service, body }) => ({
      removed: await service.remove(body.peer, { timeoutMs: body.timeoutMs }),
    }),
  },
  {
    // The protocol view (issue 7): this peer's roles' state, and the messages after `after`.
    method: 'GET',
    path: /^\/api\/protocol$/,
    handle: ({ service, query }) =>
      service.protocol({ after: integer(query, 'after'), limit: integer(query, 'limit') }),
  },
  {
    method: 'GET',
    path: /^\/api\/discovered$/,
    handle: ({ service }) => ({ peers: service.discovered() }),
  },
];
