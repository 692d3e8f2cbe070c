/**
 * The messages peers exchange. Names follow PMMC (§2; Fig. 3 draws who sends what to whom): P1a/P1b between scouts and
 * acceptors, P2a/P2b between commanders and acceptors, Decision from commanders to replicas.
 * PMMC's `propose`, `adopted` and `preempted` never cross the network here: the replica that
 * assigns slots lives beside its leader, and scouts and commanders live inside their leader,
 * so those are method calls (see leader.ts).
 *
 * Everything else is what a real system adds (DESIGN.md §3): forwarding client commands to the
 * active leader, heartbeats, read confirmation, catch-up and snapshot transfer.
 *
 * Every message names the configuration it is about where that matters, because each
 * (peer, configuration) is its own logical acceptor or leader (DESIGN.md §3 item 6).
 */
import type { Ballot } from './ballot.js';
import type { ConfigId, PeerId, Slot } from './types.js';

/** PMMC's pvalue ⟨b, s, c⟩, with the configuration that governs slot s. */
export interface PValue {
  readonly config: ConfigId;
  readonly ballot: Ballot;
  readonly slot: Slot;
  /** An encoded batch (command.ts). */
  readonly value: Uint8Array;
}

/**
 * Which run of its store a message comes from (store-runs.ts): on the messages that vote or
 * propose, so that a peer whose store went back in time is caught (docs/protocol.md).
 */
export interface StoreStamp {
  /** Drawn at random when this run of the peer started. */
  readonly run: number;
  /** The seq of the last batch the store held when this run started (PersistentState.seq). */
  readonly start: number;
  /** The seq of the last batch durable when this message left. */
  readonly seq: number;
}

/** A peer's store stamp as another peer relays it (in the active leader's heartbeats). */
export interface PeerStamp extends StoreStamp {
  readonly peer: PeerId;
}

/** A decided slot. */
export interface Decided {
  readonly slot: Slot;
  readonly value: Uint8Array;
}

/** Scout -> acceptor: "promise not to accept ballots below `ballot`" (phase 1a). */
export interface P1a {
  readonly type: 'p1a';
  readonly config: ConfigId;
  readonly ballot: Ballot;
  /**
   * The scout's replica has decided every slot below this one, so the acceptor need not send
   * pvalues below it. This keeps P1b small (a departure from PMMC, which sends all pvalues).
   */
  readonly fromSlot: Slot;
  /**
   * A probe ("pre-vote", as in Raft §9.6) asks whether the acceptor would promise, without it
   * promising anything. A scout probes first and sends the real P1a only once a majority would
   * promise, so a peer cut off from the others does not raise ballots that would later depose
   * a working leader.
   */
  readonly probe: boolean;
  /** The sender's store (absent on a probe, which changes nothing). */
  readonly store?: StoreStamp;
}

/** Acceptor -> scout: its ballot for the configuration and the pvalues it accepted (phase 1b). */
export interface P1b {
  readonly type: 'p1b';
  readonly config: ConfigId;
  /** The acceptor's ballot after handling the P1a: the scout's ballot if it was promised. */
  readonly ballot: Ballot;
  readonly accepted: readonly PValue[];
  /**
   * Slots below this are decided and compacted at this acceptor's replica, and their pvalues
   * are gone (DESIGN.md §3 item 8): a leader never proposes below the highest watermark it hears.
   */
  readonly watermark: Slot;
  /**
   * The answer to a probe: `ballot` is the probe's ballot if the acceptor would promise it (its
   * state is unchanged, and `accepted` is empty), else its own higher ballot.
   */
  readonly probe: boolean;
  /** The sender's store (absent on a probe, which changes nothing). */
  readonly store?: StoreStamp;
}

/** Commander -> acceptor: "accept this pvalue" (phase 2a). */
export interface P2a {
  readonly type: 'p2a';
  readonly config: ConfigId;
  readonly ballot: Ballot;
  readonly slot: Slot;
  readonly value: Uint8Array;
  /** The sender's store. */
  readonly store?: StoreStamp;
}

/** Acceptor -> commander: its ballot after handling the P2a (phase 2b). */
export interface P2b {
  readonly type: 'p2b';
  readonly config: ConfigId;
  /** The acceptor's ballot after handling the P2a: the P2a's ballot if it was accepted. */
  readonly ballot: Ballot;
  readonly slot: Slot;
  /**
   * The ballot of the P2a this answers. PMMC sends a P2b to the one commander that sent the
   * P2a; here commanders are found by (configuration, slot), so without this, a refusal of an
   * older leader's P2a, carrying the new ballot, would count as a vote for the new commander.
   */
  readonly proposal: Ballot;
  /** The sender's store. */
  readonly store?: StoreStamp;
}

/**
 * Commander -> replicas: slot `slot` is decided. It carries the value, or, to an acceptor the
 * commander sent its P2a, only the ballot of the chosen pvalue: that peer holds the value as its
 * accepted pvalue (slot, ballot), and must not apply the slot without it (a departure from PMMC,
 * whose decisions always carry the command: a batch of 40 KB is not sent, decoded and written a
 * second time).
 */
export interface Decision {
  readonly type: 'decision';
  readonly slot: Slot;
  /** The decided value; absent when `ballot` names it. */
  readonly value?: Uint8Array;
  /** The ballot of the chosen pvalue, when `value` is absent. */
  readonly ballot?: Ballot;
}

/**
 * Replica -> the replica beside the active leader: commands to assign to slots
 * (DESIGN.md §3 item 2, "one proposer").
 */
export interface Request {
  readonly type: 'request';
  /** An encoded batch of the commands to order. */
  readonly commands: Uint8Array;
  /** How many times this request was forwarded already; bounded to avoid loops. */
  readonly hops: number;
  /**
   * The sender's store: a client whose store went back reuses an incarnation, and its new
   * commands would pass for old ones (client-table.ts).
   */
  readonly store?: StoreStamp;
}

/** Active leader -> every member: "I lead configuration `config` at `ballot`". */
export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly config: ConfigId;
  readonly ballot: Ballot;
  /** Increases with every heartbeat of this leader; acks echo it (read confirmation). */
  readonly seq: number;
  /** The leader's replica has applied every slot below this one. */
  readonly slotOut: Slot;
  /** The leader's replica has taken a durable snapshot through this slot (0: none). */
  readonly snapshotSlot: Slot;
  /**
   * What the leader knows of its acceptors' stores (and its own): the run of each that reported
   * the highest seq. Every member learns it, so a store restored from a copy is caught by whoever
   * it talks to next, not only by the leader that counted its votes.
   */
  readonly stores?: readonly PeerStamp[];
}

/** Acceptor -> leader: answer to a heartbeat, with the acceptor's ballot for the config. */
export interface HeartbeatAck {
  readonly type: 'heartbeatAck';
  readonly config: ConfigId;
  readonly ballot: Ballot;
  readonly seq: number;
  /** The answering peer's replica has applied every slot below this (a leader that is behind learns whom to catch up from). */
  readonly slotOut: Slot;
  /** The sender's store. */
  readonly store?: StoreStamp;
}

/**
 * Active leader -> every member: "I hand leadership of `config` over to `to`" (leadership
 * transfer, as Raft's TimeoutNow, §3.10 of Ongaro's thesis). The leader has stopped assigning
 * slots and stepped down; acceptors stop ignoring P1a for its sake (stickiness), and `to` runs for
 * office at once, so writes wait a round trip or two rather than an election timeout.
 */
export interface Transfer {
  readonly type: 'transfer';
  readonly config: ConfigId;
  /** The ballot of the leader that hands over. */
  readonly ballot: Ballot;
  readonly to: PeerId;
}

/** Replica -> active leader: "at which slot may I serve a linearizable read?" */
export interface ReadIndexRequest {
  readonly type: 'readIndexReq';
  readonly id: number;
}

/** Leader -> replica: serve the read once you have applied every slot up to `index`. */
export interface ReadIndexResponse {
  readonly type: 'readIndexResp';
  readonly id: number;
  /** The slot to wait for, or -1 when this peer could not confirm it leads. */
  readonly index: Slot;
}

/** Replica -> any peer: send me decisions from `fromSlot` (DESIGN.md §3 item 7). */
export interface CatchupRequest {
  readonly type: 'catchupReq';
  readonly fromSlot: Slot;
  /** When resuming a snapshot transfer: the snapshot's slot and the next byte wanted. */
  readonly snapshotSlot: Slot;
  readonly offset: number;
}

/** Answer to a CatchupRequest: a bounded run of consecutive decisions. */
export interface CatchupDecisions {
  readonly type: 'catchupDecisions';
  readonly decisions: readonly Decided[];
  /**
   * The answering replica has applied every slot below this, and holds them durably (absent
   * from older peers): a peer that leaves learns from it that a remaining replica holds what it
   * must hand over (handover.ts).
   */
  readonly slotOut?: Slot;
}

/** Answer to a CatchupRequest when the decisions are compacted: one chunk of a snapshot. */
export interface SnapshotChunk {
  readonly type: 'snapshotChunk';
  /** The snapshot holds the state after applying every slot up to this one. */
  readonly slot: Slot;
  readonly offset: number;
  readonly total: number;
  readonly data: Uint8Array;
}

/**
 * To a peer whose store was found rolled back (store-runs.ts): it must not vote or lead again
 * under its id (docs/protocol.md, "An acceptor with amnesia").
 */
export interface RolledBack {
  readonly type: 'rolledBack';
  /** The evidence, for the sentence the peer shows its user. */
  readonly why: string;
  /**
   * The stamp of the accused run that was judged. The accused acts only on one naming its
   * current run (a random 32-bit id): a stray, replayed or garbled message cannot stop a peer.
   */
  readonly store: StoreStamp;
}

export type Message =
  | P1a
  | P1b
  | P2a
  | P2b
  | Decision
  | Request
  | Heartbeat
  | HeartbeatAck
  | Transfer
  | ReadIndexRequest
  | ReadIndexResponse
  | CatchupRequest
  | CatchupDecisions
  | SnapshotChunk
  | RolledBack;

export type MessageType = Message['type'];

/** A message and the peer it goes to. */
export interface Envelope {
  readonly to: PeerId;
  readonly msg: Message;
}
