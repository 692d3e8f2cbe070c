/**
 * What the peer service shows: its status and its events. Plain JSON-able data, the same over
 * the local API (HTTP + SSE) and over Electron's IPC.
 */
import type { Ballot } from '@synod/core';
import type { EntryView, HistoryRecord, OperationType } from '../document/types.js';
import type { ProtocolTrace } from './protocol-monitor.js';
import type { MajorityInfo } from './errors.js';

export type ServiceState =
  /** No log yet: create one or join one. */
  | 'setup'
  /** A member of a log (maybe still catching up: see protocol.initialized and catchup). */
  | 'running'
  /**
   * Removed from the log by a member (or by its own leave that timed out before the hand-over):
   * it takes no further part once `handover.done`; leave to start over.
   */
  | 'removed'
  /** The store failed: the peer acknowledges nothing more (see failure). */
  | 'failed'
  /** Stepped down and offline for the system's sleep (resume brings it back, catching up). */
  | 'suspended'
  /** This log's core is stopped here, its file kept (openLog starts it again). */
  | 'closed'
  | 'stopped';

export interface BallotView {
  readonly round: number;
  readonly leader: string;
  /** As the lecture slides write it: (round,leader), ⊥ for none. */
  readonly text: string;
}

export interface RolesView {
  readonly replica: boolean;
  readonly leader: boolean;
  readonly acceptor: boolean;
}

/** A member of the newest configuration, as this peer sees it. */
export interface PeerView {
  readonly id: string;
  /** The name it last wrote under (or this peer's own name). */
  readonly name: string;
  readonly self: boolean;
  readonly roles: RolesView;
  /** Connected now (this peer itself always is). */
  readonly online: boolean;
  /** The active leader as far as this peer knows. */
  readonly leader: boolean;
  /** When a frame last arrived from it, ms since the epoch. */
  readonly lastSeen: number | null;
  readonly rttMs: number | null;
  /** The wire protocol version spoken with it (null: this peer itself, or no link yet). */
  readonly protocol: number | null;
  /**
   * Set when it and this peer share no protocol version, saying who must upgrade ("bob runs
   * protocol 1, this peer 2: bob must upgrade"): it cannot be reached until then.
   */
  readonly incompatible: string | null;
}

/** The protocol as the PMMC slides draw it: acceptor, leader and replica state of this peer. */
export interface ProtocolView {
  readonly initialized: boolean;
  readonly removed: boolean;
  readonly roles: RolesView;
  readonly activeLeader: string | null;
  readonly leader: {
    readonly active: boolean;
    readonly ballot: BallotView;
    readonly proposals: number;
  };
  readonly acceptor: {
    readonly ballot: BallotView;
    readonly accepted: number;
    readonly watermark: number;
  };
  readonly slotIn: number;
  readonly slotOut: number;
  /** This peer's commands not decided yet (a write made without a majority waits here). */
  readonly pending: number;
  readonly queued: number;
  readonly snapshotSlot: number;
  /** Set while catching up: the slot to reach, and a snapshot transfer's bytes. */
  readonly catchup: {
    readonly target: number;
    readonly snapshotBytes: { readonly received: number; readonly total: number } | null;
  } | null;
  readonly reconfigPending: boolean;
  /**
   * Set when the other peers found this peer's storage rolled back (restored from an older
   * copy, or replaced): one sentence saying why and what to do. It no longer votes or leads.
   */
  readonly amnesia: string | null;
  readonly config: {
    readonly id: number;
    readonly start: number;
    readonly replicas: readonly string[];
    readonly leaders: readonly string[];
    readonly acceptors: readonly string[];
  } | null;
}

export interface LogView {
  readonly title: string;
  readonly entries: number;
  readonly deleted: number;
  readonly operations: number;
  readonly lastSlot: number;
  readonly historyFrom: number;
}

export interface ServiceStatus {
  readonly state: ServiceState;
  readonly dataDir: string;
  readonly name: string;
  /** This peer's id (null before it has one: a new data directory in setup). */
  readonly id: string | null;
  readonly logId: string | null;
  /** The log's name on this peer (`--log NAME`), if it has one. */
  readonly logName: string | null;
  /** Addresses it listens on (give one to another peer's --bootstrap). */
  readonly addresses: readonly string[];
  readonly log: LogView | null;
  readonly protocol: ProtocolView | null;
  readonly peers: readonly PeerView[];
  /** Acceptors reachable from here vs needed: "2 of 3 reachable, need 2". */
  readonly majority: MajorityInfo | null;
  readonly failure: string | null;
  /** Peers in no log that asked this member for an invite, waiting for the user's answer. */
  readonly inviteRequests: readonly InviteRequestView[];
  /**
   * Set once this peer was removed while it runs (its own leave, or another member's remove):
   * `done` turns true once a member that stays confirmed it holds every slot before `start`, the
   * first slot without this peer. Until then keep it running (a leave that timed out left it
   * `removed`; leave again to wait); a stop waits for it, at most 2–5 s.
   */
  readonly handover: { readonly start: number; readonly done: boolean } | null;
}

/** A peer found on the LAN that asked for an invite (answer with answerInviteRequest). */
export interface InviteRequestView {
  readonly id: number;
  /** Its peer id (authenticated), and the name it gives (anyone may claim any name). */
  readonly peer: string;
  readonly name: string;
  /** When it asked (ms since the epoch). */
  readonly at: number;
}

/** One decided command, as the event stream reports it (refused ones included). */
export interface AppliedOperation {
  readonly slot: number;
  /** The proposing peer's id. */
  readonly client: string;
  readonly type: OperationType | 'membership' | 'unknown';
  readonly author: string;
  /** The proposer's clock (informational). */
  readonly time: number;
  readonly entry: number;
  readonly ok: boolean;
  /** The entry's version after it (or, when refused, its current version). */
  readonly version: number;
  readonly rebased: boolean;
  /** Why it was refused (a DocumentErrorCode, or another code from a newer peer). */
  readonly code: string | null;
  readonly message: string | null;
  /**
   * The entry as this operation left it (append, edit, delete, restore), body included: a
   * reader applies the event without reading the entry again. Null for log-wide operations
   * and refused ones.
   */
  readonly entryView: EntryView | null;
  /** The log's title after it (rename-log), else null. */
  readonly logTitle: string | null;
}

/**
 * The service's events. Those of one log name it (`log`: its id; a status names it as
 * `status.logId`); `logs` tells that the list of logs changed.
 */
export type ServiceEvent =
  | {
      readonly type: 'applied';
      readonly log: string;
      readonly operations: readonly AppliedOperation[];
    }
  | { readonly type: 'status'; readonly status: ServiceStatus }
  /** The whole document was replaced (snapshot installed, log created, joined or left). */
  | { readonly type: 'reset'; readonly log: string | null }
  | { readonly type: 'logs'; readonly logs: LogsView };

/** One log of this peer, as the list of logs shows it. */
export interface LogSummary {
  readonly logId: string;
  /** Its name on this peer (`--log NAME`), if it has one. */
  readonly logName: string | null;
  /** The log's title (its replicated state; for a closed log, the one it had when open). */
  readonly title: string | null;
  /** Its core runs here now (closed: its file stays; openLog starts it again). */
  readonly open: boolean;
  /** running, removed, failed while open; `closed`, `suspended` or `stopped` otherwise. */
  readonly state: ServiceState;
}

/** The logs of this peer (the `logs` operation, and the `logs` event). */
export interface LogsView {
  /** `setup` (no log), `running` (the peer runs its logs), `suspended`, `stopped`. */
  readonly state: 'setup' | 'running' | 'suspended' | 'stopped';
  /** This peer's id (null before it has one). */
  readonly id: string | null;
  readonly name: string;
  readonly logs: readonly LogSummary[];
}

export type EditOutcome =
  | { readonly ok: true; readonly version: number; readonly rebased: boolean }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly version: number;
    };

export type ReadMode = 'linearizable' | 'local';

export type { Ballot };

/** The entries, as `entries` answers. */
export interface EntriesView {
  readonly title: string;
  readonly entries: readonly EntryView[];
  readonly operations: number;
  readonly lastSlot: number;
  /** How it was read: `local` may be stale. */
  readonly read: ReadMode;
}

/** The decided history, as `history` answers. */
export interface HistoryView {
  readonly records: readonly HistoryRecord[];
  /** The `n` of the oldest record kept, and of the newest operation. */
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

/**
 * A peer seen on the LAN (mDNS) or by address. In setup: the members of logs that answered this
 * peer's LAN query (ask one to join: askToJoin).
 */
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
