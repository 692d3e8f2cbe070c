/**
 * A typed client of the local API (docs/api.md), on fetch only: the CLI uses it, the tests use
 * it, and the browser UI can too (no Node modules here).
 *
 *   const api = new ApiClient('http://127.0.0.1:7300', token);
 *   const { id } = await api.append('Title', 'Body');
 */
import type { EntryView, HistoryRecord, Patch } from '../document/types.js';
import type { ProtocolTrace } from '../service/protocol-monitor.js';
import type {
  AppliedOperation,
  EditOutcome,
  ProtocolView,
  ServiceStatus,
} from '../service/types.js';

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

export interface InviteView {
  readonly text: string;
  readonly qr: string;
  readonly logId: string;
  readonly inviter: string;
  readonly addrs: readonly string[];
  readonly expiresAt: number;
}

export interface ListView {
  readonly title: string;
  readonly entries: readonly EntryView[];
  readonly operations: number;
  readonly lastSlot: number;
  readonly read: 'linearizable' | 'local';
}

export interface HistoryView {
  readonly records: readonly HistoryRecord[];
  readonly from: number;
  readonly operations: number;
}

export type ApiEvent =
  | { readonly type: 'status'; readonly status: ServiceStatus }
  | { readonly type: 'applied'; readonly operations: readonly AppliedOperation[] }
  | { readonly type: 'reset' };

type Query = Record<string, string | number | boolean | undefined>;

/** The part of fetch that request() uses (the CLI passes one over node:http: it starts faster). */
export type FetchLike = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init),
  ) {}

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    query?: Query,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
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

  status(): Promise<ServiceStatus> {
    return this.request('GET', '/api/status');
  }

  list(
    options: { read?: 'linearizable' | 'local'; deleted?: boolean; bodies?: boolean } = {},
  ): Promise<ListView> {
    return this.request('GET', '/api/entries', undefined, options);
  }

  get(id: number, options: { read?: 'linearizable' | 'local' } = {}): Promise<EntryView> {
    return this.request('GET', `/api/entries/${id}`, undefined, options);
  }

  append(
    title: string,
    body: string,
    options: { timeoutMs?: number } = {},
  ): Promise<{ id: number; version: number }> {
    return this.request('POST', '/api/entries', { title, body, ...options });
  }

  edit(
    id: number,
    edit: { version: number; patches: readonly Patch[]; title?: string; rebase?: boolean },
    options: { timeoutMs?: number } = {},
  ): Promise<{ version: number; rebased: boolean }> {
    return this.request('POST', `/api/entries/${id}/edit`, { ...edit, ...options });
  }

  async editMany(
    id: number,
    edits: readonly { version: number; patches: readonly Patch[]; rebase?: boolean }[],
    options: { timeoutMs?: number } = {},
  ): Promise<EditOutcome[]> {
    const r = await this.request<{ results: EditOutcome[] }>('POST', `/api/entries/${id}/edits`, {
      edits,
      ...options,
    });
    return r.results;
  }

  delete(id: number, options: { version?: number } = {}): Promise<{ version: number }> {
    return this.request('POST', `/api/entries/${id}/delete`, options);
  }

  restore(id: number, options: { version?: number } = {}): Promise<{ version: number }> {
    return this.request('POST', `/api/entries/${id}/restore`, options);
  }

  renameLog(title: string): Promise<object> {
    return this.request('POST', '/api/log/rename', { title });
  }

  setName(name: string): Promise<object> {
    return this.request('POST', '/api/name', { name });
  }

  history(
    options: { after?: number; limit?: number; read?: 'linearizable' | 'local' } = {},
  ): Promise<HistoryView> {
    return this.request('GET', '/api/history', undefined, options);
  }

  invite(options: { ttlMs?: number } = {}): Promise<InviteView> {
    return this.request('POST', '/api/invites', options);
  }

  create(options: { title?: string } = {}): Promise<ServiceStatus> {
    return this.request('POST', '/api/create', options);
  }

  join(invite: string): Promise<ServiceStatus> {
    return this.request('POST', '/api/join', { invite });
  }

  leave(): Promise<ServiceStatus> {
    return this.request('POST', '/api/leave', {});
  }

  remove(peer: string, options: { timeoutMs?: number } = {}): Promise<{ removed: string }> {
    return this.request('POST', '/api/peers/remove', { peer, ...options });
  }

  /** Peers seen on the LAN (mDNS) or by address, members or not. */
  discovered(): Promise<{
    peers: { peer: string; addrs: string[]; lastSeen: number; member: boolean }[];
  }> {
    return this.request('GET', '/api/discovered');
  }

  /** The protocol view: this peer's state, and the protocol messages after cursor `after`. */
  protocol(
    options: { after?: number; limit?: number } = {},
  ): Promise<{ self: string | null; protocol: ProtocolView | null; trace: ProtocolTrace }> {
    return this.request('GET', '/api/protocol', undefined, options);
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
      return { type, operations: payload.operations as AppliedOperation[] };
    case 'reset':
      return { type };
    default:
      return undefined;
  }
}
