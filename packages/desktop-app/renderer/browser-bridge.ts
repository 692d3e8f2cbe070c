/**
 * Browser mode: the bridge API (src/desktop/bridge-api.ts) over a headless peer's local API
 * (`synod start` serves this UI and the API on one 127.0.0.1 origin). The token comes in the
 * URL fragment (`#token=…`, never sent to a server); it is then kept in sessionStorage for
 * reloads and removed from the address bar. Only 127.0.0.1 / localhost origins are used.
 */
import { ApiClient, ApiError } from '../src/api/client.js';
import { BridgeError, type BridgeEvent, type SynodBridge } from '../src/desktop/bridge-api.js';

const TOKEN_KEY = 'synod-token';

/** The token of this page: from the fragment (then forgotten there) or this tab's storage. */
export function takeToken(): string | undefined {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = hash.get('token');
  if (fromHash !== null && /^[A-Za-z0-9_-]{16,256}$/.test(fromHash)) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function bridgeError(err: unknown): BridgeError {
  if (err instanceof ApiError) {
    return new BridgeError({ code: err.code, message: err.message, details: err.details });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BridgeError({ code: 'unreachable', message: `the peer is unreachable (${message})` });
}

async function wrap<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (err) {
    throw bridgeError(err);
  }
}

export function createBrowserBridge(token: string): SynodBridge {
  if (!isLoopback(location.hostname)) {
    throw new Error('browser mode talks to a peer on 127.0.0.1 only');
  }
  const api = new ApiClient(location.origin, token);
  const listeners = new Set<(e: BridgeEvent) => void>();
  let stream: AbortController | undefined;
  const emit = (e: BridgeEvent) => {
    for (const l of listeners) l(e);
  };

  /** Follow the event stream while anyone listens; reconnect with backoff. */
  const follow = async (abort: AbortController) => {
    let delay = 250;
    while (!abort.signal.aborted) {
      let opened = false;
      try {
        await api.events((e) => {
          if (!opened) {
            opened = true;
            delay = 250;
            emit({ type: 'connection', connected: true });
          }
          emit(e);
        }, abort.signal);
      } catch {
        // Lost; retried below.
      }
      if (abort.signal.aborted) return;
      emit({ type: 'connection', connected: false });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 4000);
    }
  };

  return {
    status: () => wrap(() => api.status()),
    entries: (r = {}) =>
      wrap(() =>
        api.list({
          ...(r.read !== undefined ? { read: r.read } : {}),
          ...(r.deleted !== undefined ? { deleted: r.deleted } : {}),
        }),
      ),
    history: (r = {}) => wrap(() => api.history(r)),
    append: ({ title, body, timeoutMs }) =>
      wrap(() => api.append(title, body, timeoutMs !== undefined ? { timeoutMs } : {})),
    edit: ({ id, timeoutMs, ...edit }) =>
      wrap(() => api.edit(id, edit, timeoutMs !== undefined ? { timeoutMs } : {})),
    deleteEntry: ({ id, ...o }) => wrap(() => api.request('POST', `/api/entries/${id}/delete`, o)),
    restoreEntry: ({ id, ...o }) =>
      wrap(() => api.request('POST', `/api/entries/${id}/restore`, o)),
    renameLog: (r) => wrap(async () => void (await api.request('POST', '/api/log/rename', r))),
    setName: ({ name }) => wrap(async () => void (await api.setName(name))),
    invite: (r = {}) => wrap(() => api.invite(r)),
    removePeer: ({ peer, timeoutMs }) =>
      wrap(() => api.remove(peer, timeoutMs !== undefined ? { timeoutMs } : {})),
    leave: () => wrap(() => api.leave()),
    createLog: (r = {}) => wrap(() => api.create(r)),
    join: ({ invite, name }) =>
      wrap(async () => {
        if (name !== undefined) await api.setName(name);
        return api.join(invite);
      }),
    discovered: () => wrap(() => api.discovered()),
    protocol: (r = {}) => wrap(() => api.protocol(r)),
    subscribe: (listener) => {
      listeners.add(listener);
      if (stream === undefined) {
        const abort = new AbortController();
        stream = abort;
        void follow(abort);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stream !== undefined) {
          stream.abort();
          stream = undefined;
        }
      };
    },
  };
}
