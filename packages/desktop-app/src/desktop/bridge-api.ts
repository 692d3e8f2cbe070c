/**
 * The one API the desktop UI (the renderer) talks to. Nothing else reaches the peer from the UI.
 * Its methods are the operation table's (operations/table.ts), nothing is declared here twice.
 *
 * - In Electron, the preload script exposes it as `window.synod` (contextBridge), in its raw
 *   form (RawSynodBridge: answers as BridgeResult data): each call goes over IPC as
 *   `(method, request)` on BRIDGE_INVOKE_CHANNEL, the main process validates the request
 *   (operations/validate.ts: dispatch) and answers with a BridgeResult; events come back on
 *   BRIDGE_EVENT_CHANNEL. The renderer wraps it with fromRawBridge.
 * - In browser mode, the renderer builds the same API over the headless peer's local API
 *   (renderer/browser-bridge.ts: fetch + the SSE stream, the token from the URL fragment,
 *   127.0.0.1 only).
 *
 * Every method takes at most one argument, a plain JSON object (the "request"), and resolves
 * with plain JSON data; a failure rejects with a BridgeError (a stable code, a message, and
 * details such as an entry's current version or the majority). Types only, plus tiny helpers
 * with no Node or Electron imports: the renderer, the preload and the main process all import
 * this file.
 */
import type { EntryView, HistoryRecord, Patch } from '../document/types.js';
import {
  OPERATION_NAMES,
  type OperationClient,
  type OperationInput,
  type OperationName,
  type OperationResult,
} from '../operations/table.js';
import type { MajorityInfo } from '../service/errors.js';
import type { ProtocolTrace } from '../service/protocol-monitor.js';
import type {
  AppliedOperation,
  DiscoveredPeerView,
  EntriesView,
  HistoryView,
  InviteView,
  LogsView,
  LogSummary,
  ProtocolSnapshot,
  ProtocolView,
  ReadMode,
  ServiceEvent,
  ServiceStatus,
} from '../service/types.js';

export type {
  AppliedOperation,
  DiscoveredPeerView,
  EntriesView,
  EntryView,
  HistoryRecord,
  HistoryView,
  InviteView,
  LogsView,
  LogSummary,
  MajorityInfo,
  Patch,
  ProtocolSnapshot,
  ProtocolTrace,
  ProtocolView,
  ReadMode,
  ServiceStatus,
};
export type { PeerView, ServiceState } from '../service/types.js';
export type { RemotePeerView, TracedMessage } from '../service/protocol-monitor.js';

export type BridgeEvent =
  /** status, applied, reset (of one log: `log`), logs (the list changed). */
  | ServiceEvent
  /** The link to the peer (browser mode: the event stream) was lost or is back. */
  | { readonly type: 'connection'; readonly connected: boolean };

// ------------------------------------------------------------------ the API

/** One method per operation of the table (operations/table.ts), and the events. */
export type SynodBridge = OperationClient & {
  /** Events until the returned function is called. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
};

/** The request/answer methods (everything but subscribe), as IPC carries them. */
export type BridgeMethod = OperationName;
export const BRIDGE_METHODS: readonly BridgeMethod[] = OPERATION_NAMES;
export type BridgeRequest<M extends BridgeMethod> = OperationInput<M>;
export type BridgeAnswer<M extends BridgeMethod> = OperationResult<M>;

/** ipcRenderer.invoke(BRIDGE_INVOKE_CHANNEL, method, request) → BridgeResult. */
export const BRIDGE_INVOKE_CHANNEL = 'synod:invoke';
/** webContents.send(BRIDGE_EVENT_CHANNEL, event: BridgeEvent). */
export const BRIDGE_EVENT_CHANNEL = 'synod:event';
/** ipcRenderer.send(BRIDGE_SUBSCRIBE_CHANNEL, on: boolean): start or stop the events. */
export const BRIDGE_SUBSCRIBE_CHANNEL = 'synod:subscribe';

/** A failure as it crosses IPC (Error objects lose their fields there). */
export interface BridgeErrorData {
  /** Stable: `conflict`, `no-majority`, `timeout`, `invalid-argument`, `not-initialized`… */
  readonly code: string;
  readonly message: string;
  /** Extra facts: `version` (an entry's current version), `majority` (MajorityInfo)… */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What the main process answers to every invoke. */
export type BridgeResult<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: BridgeErrorData };

/** What a bridge method rejects with. */
export class BridgeError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(data: BridgeErrorData) {
    super(data.message);
    this.name = 'BridgeError';
    this.code = data.code;
    this.details = data.details ?? {};
  }

  /** The entry's current version, when the peer said (conflict, deleted…). */
  get version(): number | undefined {
    const v = this.details.version;
    return typeof v === 'number' ? v : undefined;
  }

  get majority(): MajorityInfo | undefined {
    const m = this.details.majority;
    return typeof m === 'object' && m !== null ? (m as MajorityInfo) : undefined;
  }
}

/** Any thrown value as BridgeErrorData (keeps `code`, `version`, `majority` when present). */
export function toBridgeErrorData(err: unknown): BridgeErrorData {
  if (err instanceof BridgeError) {
    return { code: err.code, message: err.message, details: err.details };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : 'internal';
  // Never `[object Event]`: a failed connection may throw an Event (its type says which).
  const message =
    err instanceof Error
      ? err.message
      : typeof err === 'string'
        ? err
        : typeof e.message === 'string'
          ? e.message
          : typeof e.type === 'string'
            ? `the connection failed (${e.type})`
            : 'unknown error';
  const details: Record<string, unknown> = {};
  if (typeof e.version === 'number') details.version = e.version;
  if (typeof e.majority === 'object' && e.majority !== null) details.majority = e.majority;
  if (e.details !== null && typeof e.details === 'object') Object.assign(details, e.details);
  return { code, message, details };
}

/** Unwrap an invoke's answer: the value, or throw a BridgeError. */
export function unwrapBridgeResult<T>(r: BridgeResult<T>): T {
  if (r.ok) return r.value;
  throw new BridgeError(r.error);
}

/**
 * What the preload exposes as `window.synod`: the same methods, each resolving with its
 * BridgeResult instead of rejecting (contextBridge keeps only an Error's message, so failures
 * cross it as data). The renderer turns it into a SynodBridge with `fromRawBridge`.
 */
export type RawSynodBridge = {
  readonly [M in BridgeMethod]: (
    request?: BridgeRequest<M>,
  ) => Promise<BridgeResult<BridgeAnswer<M>>>;
} & {
  readonly subscribe: (listener: (event: BridgeEvent) => void) => () => void;
};

/** The SynodBridge over the preload's raw one. */
export function fromRawBridge(raw: RawSynodBridge): SynodBridge {
  const bridge: Record<string, unknown> = {
    subscribe: (listener: (event: BridgeEvent) => void) => raw.subscribe(listener),
  };
  for (const m of BRIDGE_METHODS) {
    const f = raw[m] as (r?: unknown) => Promise<BridgeResult>;
    bridge[m] = async (request?: unknown) => unwrapBridgeResult(await f(request));
  }
  return bridge as SynodBridge;
}
