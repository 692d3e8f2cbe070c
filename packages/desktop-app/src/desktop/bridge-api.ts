/**
 * The one API the desktop UI (the renderer) talks to. Nothing else reaches the peer from the UI.
 *
 * - In Electron, the preload script exposes it as `window.synod` (contextBridge), in its raw
 *   form (RawSynodBridge: answers as BridgeResult data): each call goes over IPC as
 *   `(method, request)` on BRIDGE_INVOKE_CHANNEL, the main process validates the request
 *   (bridge-validate.ts: validateBridgeCall) and answers with a BridgeResult; events come
 *   back on BRIDGE_EVENT_CHANNEL. The renderer wraps it with fromRawBridge.
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
import type { MajorityInfo } from '../service/errors.js';
import type { ProtocolTrace } from '../service/protocol-monitor.js';
import type { AppliedOperation, ProtocolView, ReadMode, ServiceStatus } from '../service/types.js';

export type {
  AppliedOperation,
  EntryView,
  HistoryRecord,
  MajorityInfo,
  Patch,
  ProtocolTrace,
  ProtocolView,
  ReadMode,
  ServiceStatus,
};
export type { PeerView, ServiceState } from '../service/types.js';
export type { RemotePeerView, TracedMessage } from '../service/protocol-monitor.js';

// ------------------------------------------------------------------ requests

export interface EntriesRequest {
  /** `linearizable` (default: confirmed with a majority) or `local` (this replica, maybe stale). */
  readonly read?: ReadMode;
  /** Include deleted entries (default false). */
  readonly deleted?: boolean;
}

export interface HistoryRequest {
  /** Records with n > after; without it, the newest `limit` records. */
  readonly after?: number;
  /** At most this many, oldest first (default 100, at most 10 000). */
  readonly limit?: number;
  readonly read?: ReadMode;
}

/** Writes wait this long for a decision (default: the peer's, 30 s); they may commit later. */
export interface Timed {
  readonly timeoutMs?: number;
}

export interface AppendRequest extends Timed {
  readonly title: string;
  readonly body: string;
}

export interface EditRequest extends Timed {
  readonly id: number;
  /** The version the patches were made against. */
  readonly version: number;
  /** [pos, del, ins] in UTF-16 code units, applied in order. */
  readonly patches: readonly Patch[];
  readonly title?: string;
  /** Rebase over edits decided since `version` instead of failing with `conflict`. */
  readonly rebase?: boolean;
}

export interface EntryRequest extends Timed {
  readonly id: number;
  /** Refuse with `conflict` unless the entry is at this version (default: any). */
  readonly version?: number;
}

export interface RenameLogRequest extends Timed {
  readonly title: string;
}

export interface SetNameRequest {
  readonly name: string;
}

export interface InviteRequest {
  /** How long the invite stays valid, ms (default: the transport's). */
  readonly ttlMs?: number;
}

export interface RemovePeerRequest extends Timed {
  /** A member's peer id, or a name only it uses. */
  readonly peer: string;
}

export interface CreateLogRequest {
  readonly title?: string;
}

export interface JoinRequest {
  /** The `synod:…` text another member's invite shows. */
  readonly invite: string;
  /** Set this peer's name first (optional). */
  readonly name?: string;
}

export interface ProtocolRequest {
  /** Messages after this cursor (the `cursor` of the previous answer; default 0). */
  readonly after?: number;
  /** At most this many messages, the newest of them (default 200, at most 1000). */
  readonly limit?: number;
}

// ------------------------------------------------------------------ answers

export interface EntriesView {
  readonly title: string;
  readonly entries: readonly EntryView[];
  readonly operations: number;
  readonly lastSlot: number;
  readonly read: ReadMode;
}

export interface HistoryView {
  readonly records: readonly HistoryRecord[];
  /** The `n` of the oldest record kept, and the number of operations so far. */
  readonly from: number;
  readonly operations: number;
}

export interface InviteView {
  /** `synod:…`: paste it into the other peer's join box. */
  readonly text: string;
  /** The same, upper-case, for a QR code. */
  readonly qr: string;
  readonly logId: string;
  readonly inviter: string;
  readonly addrs: readonly string[];
  readonly expiresAt: number;
}

export interface DiscoveredPeerView {
  readonly peer: string;
  readonly addrs: readonly string[];
  readonly lastSeen: number;
  /** A member of this log (or provisionally one). */
  readonly member: boolean;
}

/** What the protocol view draws: this peer's own state in full, the others as seen from here. */
export interface ProtocolSnapshot {
  readonly self: string | null;
  readonly protocol: ProtocolView | null;
  readonly trace: ProtocolTrace;
}

export type BridgeEvent =
  | { readonly type: 'status'; readonly status: ServiceStatus }
  | { readonly type: 'applied'; readonly operations: readonly AppliedOperation[] }
  /** The whole document was replaced (created, joined, left, snapshot installed): reload. */
  | { readonly type: 'reset' }
  /** The link to the peer (browser mode: the event stream) was lost or is back. */
  | { readonly type: 'connection'; readonly connected: boolean };

// ------------------------------------------------------------------ the API

export interface SynodBridge {
  status(): Promise<ServiceStatus>;
  entries(request?: EntriesRequest): Promise<EntriesView>;
  history(request?: HistoryRequest): Promise<HistoryView>;
  append(request: AppendRequest): Promise<{ id: number; version: number }>;
  edit(request: EditRequest): Promise<{ version: number; rebased: boolean }>;
  deleteEntry(request: EntryRequest): Promise<{ version: number }>;
  restoreEntry(request: EntryRequest): Promise<{ version: number }>;
  renameLog(request: RenameLogRequest): Promise<void>;
  setName(request: SetNameRequest): Promise<void>;
  invite(request?: InviteRequest): Promise<InviteView>;
  removePeer(request: RemovePeerRequest): Promise<{ removed: string }>;
  leave(): Promise<ServiceStatus>;
  createLog(request?: CreateLogRequest): Promise<ServiceStatus>;
  join(request: JoinRequest): Promise<ServiceStatus>;
  discovered(): Promise<{ peers: readonly DiscoveredPeerView[] }>;
  protocol(request?: ProtocolRequest): Promise<ProtocolSnapshot>;
  /** Events until the returned function is called. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
}

/** The request/answer methods (everything but subscribe), as IPC carries them. */
export type BridgeMethod = Exclude<keyof SynodBridge, 'subscribe'>;

export const BRIDGE_METHODS: readonly BridgeMethod[] = [
  'status',
  'entries',
  'history',
  'append',
  'edit',
  'deleteEntry',
  'restoreEntry',
  'renameLog',
  'setName',
  'invite',
  'removePeer',
  'leave',
  'createLog',
  'join',
  'discovered',
  'protocol',
];

/** The request type of each method (undefined: takes none). */
export type BridgeRequest<M extends BridgeMethod> = Parameters<SynodBridge[M]>[0];
export type BridgeAnswer<M extends BridgeMethod> = Awaited<ReturnType<SynodBridge[M]>>;

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
  const message =
    err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';
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
  const call =
    <M extends BridgeMethod>(m: M) =>
    async (request?: BridgeRequest<M>): Promise<BridgeAnswer<M>> => {
      const f = raw[m] as (r?: unknown) => Promise<BridgeResult<BridgeAnswer<M>>>;
      return unwrapBridgeResult(await f(request));
    };
  return {
    status: call('status'),
    entries: call('entries'),
    history: call('history'),
    append: call('append'),
    edit: call('edit'),
    deleteEntry: call('deleteEntry'),
    restoreEntry: call('restoreEntry'),
    renameLog: call('renameLog'),
    setName: call('setName'),
    invite: call('invite'),
    removePeer: call('removePeer'),
    leave: call('leave'),
    createLog: call('createLog'),
    join: call('join'),
    discovered: call('discovered'),
    protocol: call('protocol'),
    subscribe: (listener) => raw.subscribe(listener),
  };
}
