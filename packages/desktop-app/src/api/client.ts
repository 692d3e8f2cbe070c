/**
 * A typed client of the local API (docs/api.md), on fetch only: the CLI uses it, the tests use
 * it, and the browser UI does too (no Node modules here). One method per operation of the
 * operation table (operations/table.ts), taking the operation's request object:
 *
 *   const api = new ApiClient('http://127.0.0.1:7300', token);
 *   const { id } = await api.append({ title: 'Title', body: 'Body' });
 */
import {
  OPERATION_NAMES,
  toHttp,
  type OperationClient,
  type OperationName,
} from '../operations/index.js';
import type { AppliedOperation, LogsView, ServiceEvent, ServiceStatus } from '../service/types.js';

/** An error answer of the API: its HTTP status, the stable code, and any details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type { DiscoveredPeerView, EntriesView, HistoryView, InviteView } from '../service/types.js';

/** The service's events as the stream carries them (status, applied, reset, logs). */
export type ApiEvent = ServiceEvent;

// The operation methods are added in the constructor, from the table.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface ApiClient extends OperationClient {}

/** The part of fetch that request() uses (the CLI passes one over node:http: it starts faster). */
export type FetchLike = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init),
  ) {
    const self = this as unknown as Record<OperationName, (r?: object) => Promise<unknown>>;
    for (const name of OPERATION_NAMES) {
      self[name] = (request?: object) => this.call(name, request);
    }
  }

  /** Run one operation by name. */
  call(name: OperationName, request: object = {}): Promise<unknown> {
    const { method, path, query, body } = toHttp(name, request as Record<string, unknown>);
    return this.request(method, path, body, query);
  }

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const res = await this.fetchImpl(url, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad-response', `not JSON (HTTP ${res.status})`);
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string } }).error ?? {};
      const { code, message, ...details } = e as Record<string, unknown>;
      throw new ApiError(
        res.status,
        typeof code === 'string' ? code : 'http-' + res.status,
        typeof message === 'string' ? message : `HTTP ${res.status}`,
        details,
      );
    }
    return parsed as T;
  }

  /**
   * Follow the event stream until `signal` aborts or the server ends it. Uses fetch (not
   * EventSource), so the token travels in the Authorization header.
   */
  async events(onEvent: (e: ApiEvent) => void, signal?: AbortSignal): Promise<void> {
    const res = await fetch(new URL('/api/events', this.baseUrl), {
      headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' },
      ...(signal !== undefined ? { signal } : {}),
    });
    if (!res.ok || res.body === null) {
      throw new ApiError(res.status, 'http-' + res.status, `event stream: HTTP ${res.status}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        const value = chunk.value;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e = parseEvent(block);
          if (e !== undefined) onEvent(e);
        }
      }
    } catch (err) {
      if (signal?.aborted === true) return;
      throw err;
    }
  }
}

function parseEvent(block: string): ApiEvent | undefined {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length === 0) return undefined;
  const payload = JSON.parse(data.join('\n')) as Record<string, unknown>;
  switch (type) {
    case 'status':
      return { type, status: payload as unknown as ServiceStatus };
    case 'applied':
      return {
        type,
        log: payload.log as string,
        operations: payload.operations as AppliedOperation[],
      };
    case 'reset':
      return { type, log: (payload.log as string | null | undefined) ?? null };
    case 'logs':
      return { type, logs: payload as unknown as LogsView };
    default:
      return undefined;
  }
}
