/**
 * Browser mode: the bridge API (src/desktop/bridge-api.ts) over a headless peer's local API
 * (`synod start` serves this UI and the API on one 127.0.0.1 origin). The token comes in the
 * URL fragment (`#token=…`, never sent to a server); it is then kept in sessionStorage for
 * reloads and removed from the address bar. Only 127.0.0.1 / localhost origins are used, and
 * the token goes out only once the server there has proved it knows it (peer-proof.ts): again
 * after every lost link, since another user may be listening on the port by then.
 */
import { ApiClient, ApiError } from '../src/api/client.js';
import { OPERATION_NAMES, type OperationClient } from '../src/operations/table.js';
import { BridgeError, type BridgeEvent, type SynodBridge } from '../src/desktop/bridge-api.js';
import { provePeer } from './peer-proof.js';

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
  /** The server here proved it knows the token, since the link was last lost. */
  let proven: Promise<void> | undefined;
  const prove = (): Promise<void> =>
    (proven ??= provePeer(location.origin, token).catch((err: unknown) => {
      proven = undefined;
      throw err;
    }));
  /** The token goes only where it was proven; a lost link means proving it again. */
  const withToken = async <T>(p: () => Promise<T>): Promise<T> => {
    await prove();
    try {
      return await p();
    } catch (err) {
      if (!(err instanceof ApiError)) proven = undefined;
      throw err;
    }
  };
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
        await withToken(() =>
          api.events((e) => {
            if (!opened) {
              opened = true;
              delay = 250;
              emit({ type: 'connection', connected: true });
            }
            emit(e);
          }, abort.signal),
        );
      } catch {
        // Lost (or not proven); retried below.
      }
      proven = undefined;
      if (abort.signal.aborted) return;
      emit({ type: 'connection', connected: false });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 4000);
    }
  };

  // One method per operation of the table, each the API client's, failures as BridgeErrors.
  const bridge: Record<string, unknown> = {};
  for (const name of OPERATION_NAMES) {
    bridge[name] = (request?: object) => wrap(() => withToken(() => api.call(name, request)));
  }
  return {
    ...(bridge as OperationClient),
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
