/**
 * The operation table's HTTP bindings, both ways: the client builds a request's URL and body
 * (`toHttp`), the server finds the operation of a method and path and rebuilds the request
 * (`matchRoute`, `fromQuery`). A path's `:field` is that request field; GET requests carry
 * their other fields in the query string, POST requests in a JSON body. An operation of one log
 * has two routes: `/api/logs/:log/…` and its path without the log, which serves the only log.
 */
import { OPERATIONS, OPERATION_NAMES, type OperationName } from './table.js';

interface CompiledRoute {
  readonly name: OperationName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

function compile(name: OperationName, path: string): CompiledRoute {
  const { method } = OPERATIONS[name].http;
  const params: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_m, field: string) => {
    params.push(field);
    return '([^/]+)';
  });
  return { name, method, path, pattern: new RegExp(`^${source}$`), params };
}

const ROUTES: readonly CompiledRoute[] = OPERATION_NAMES.flatMap((name) => {
  const { path, unscoped } = OPERATIONS[name].http as { path: string; unscoped?: string };
  return unscoped === undefined
    ? [compile(name, path)]
    : [compile(name, path), compile(name, unscoped)];
});

/** The field names a path carries (`id` in /api/entries/:id/edit). */
export function pathParams(name: OperationName): readonly string[] {
  return ROUTES.find((r) => r.name === name)!.params;
}

/**
 * A query or path value as JSON would carry it: decimal integers and true/false are numbers
 * and booleans (the schema then says whether that field takes one), anything else a string.
 */
export function fromText(value: string): unknown {
  if (/^-?[0-9]{1,16}$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

export type RouteMatch =
  | { readonly found: true; readonly name: OperationName; readonly params: Record<string, unknown> }
  | { readonly found: false; readonly allow: readonly string[] };

/** The operation a request names, with its path fields; or the methods the path allows. */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m === null) continue;
    if (r.method !== method) {
      allow.push(r.method);
      continue;
    }
    const params: Record<string, unknown> = {};
    r.params.forEach((p, i) => {
      let raw = m[i + 1]!;
      try {
        raw = decodeURIComponent(raw);
      } catch {
        // Left as it is: the schema refuses it.
      }
      // A log is named by text (a name such as "2026" is a name, not a number).
      params[p] = p === 'log' ? raw : fromText(raw);
    });
    return { found: true, name: r.name, params };
  }
  return { found: false, allow };
}

/** The fields of a GET request's query string. */
export function fromQuery(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, value] of query) out[k] = fromText(value);
  return out;
}

/** A request as HTTP: method, path (fields filled in), query (GET) or body (POST). */
export function toHttp(
  name: OperationName,
  request: Record<string, unknown> = {},
): { method: 'GET' | 'POST'; path: string; query: Record<string, string>; body?: unknown } {
  const rest: Record<string, unknown> = { ...request };
  // The only log's path when no log is named (it also works with a peer of one log).
  const routes = ROUTES.filter((r) => r.name === name);
  const route =
    routes.find((r) => r.params.includes('log') === (rest.log !== undefined)) ?? routes[0]!;
  let path = route.path;
  for (const p of route.params) {
    path = path.replace(`:${p}`, encodeURIComponent(String(rest[p])));
    delete rest[p];
  }
  if (route.method === 'POST') return { method: 'POST', path, query: {}, body: rest };
  const query: Record<string, string> = {};
  for (const [k, value] of Object.entries(rest)) {
    // GET fields are numbers, booleans and short strings (the schemas say so).
    if (value !== undefined) query[k] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { method: 'GET', path, query };
}
