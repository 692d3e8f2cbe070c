/**
 * What the protocol view draws beyond this peer's own status: the protocol messages it sends
 * and receives (core's `onMessage` observer), and what they reveal of the other peers.
 *
 * A peer knows only its own state for certain; of the others it knows what their messages say.
 * An acceptor's ballot travels in its P1b, P2b and heartbeat acks; a leader's in its P1a, P2a
 * and heartbeats; a replica's slot_out in heartbeats, acks and catch-up requests. So the view
 * draws this peer in full (its status) and every other peer "as seen from here", each value
 * with the time it was last seen.
 *
 * The observer runs on the protocol's hot path, so recording is cheap: a fixed-size ring of
 * short records, and per-peer fields overwritten in place. Heartbeats (every 50 ms to every
 * member) and read confirmations are sampled, so that they do not push the interesting
 * messages out of the ring. Nothing here holds a message's payload.
 */
import {
  formatBallot,
  isNoop,
  isSkip,
  type Ballot,
  type Message,
  type MessageEvent,
} from '@synod/core';
import type { BallotView } from './types.js';

/** One protocol message as the view draws it. */
export interface TracedMessage {
  /** 1, 2, 3…: its place in this monitor's record (a cursor for `trace(after)`). */
  readonly seq: number;
  /** When it was seen, ms since the epoch. */
  readonly at: number;
  /** Sent by this peer (`out`) or received (`in`). */
  readonly dir: 'in' | 'out';
  /** The other peer. */
  readonly peer: string;
  readonly type: Message['type'];
  /** The ballot it carries, if any. */
  readonly ballot: BallotView | null;
  /** The slot it is about, if any (P2a/P2b/decision; fromSlot of P1a and catch-up). */
  readonly slot: number | null;
  /** The rest, in the slides' notation: `⟨b, s, 84 B⟩`, `probe`, `3 pvalues`… */
  readonly detail: string;
  /** For P2b: whether the acceptor accepted (its ballot is the one proposed). */
  readonly accepted?: boolean;
}

/** Another peer as this one sees it through its messages (null: not seen yet). */
export interface RemotePeerView {
  readonly id: string;
  /** When a message from it last arrived, ms since the epoch. */
  readonly lastHeard: number | null;
  readonly acceptor: {
    /** Its ballot_num, from its latest P1b, P2b or heartbeat ack. */
    readonly ballot: BallotView | null;
    /** The highest slot it accepted (a P2b with the proposed ballot) that we saw. */
    readonly acceptedSlot: number | null;
    readonly at: number | null;
  };
  readonly leader: {
    /** Its ballot_num, from its latest P1a, P2a or heartbeat. */
    readonly ballot: BallotView | null;
    /** It heartbeats as the active leader (a heartbeat within the last second). */
    readonly active: boolean;
    /** Its last P1a was a real one (it runs for office) or a probe (pre-vote). */
    readonly scouting: 'probe' | 'p1a' | null;
    /** The highest slot it proposed to us (P2a). */
    readonly proposedSlot: number | null;
    readonly at: number | null;
  };
  readonly replica: {
    /** Its slot_out, from its heartbeats, acks or catch-up requests. */
    readonly slotOut: number | null;
    readonly at: number | null;
  };
  /** Messages exchanged with it since this monitor started. */
  readonly received: number;
  readonly sent: number;
}

export interface ProtocolTrace {
  /** The newest message's seq (pass it back as `after`). */
  readonly cursor: number;
  /** Messages with seq > after, oldest first (at most `limit`). */
  readonly messages: readonly TracedMessage[];
  /** Some messages after `after` are no longer kept (the ring moved on). */
  readonly skipped: boolean;
  readonly peers: readonly RemotePeerView[];
  /** Totals since the monitor started, heartbeats included. */
  readonly totals: { readonly in: number; readonly out: number };
  readonly now: number;
}

interface MutableRemote {
  id: string;
  lastHeard: number | null;
  acceptorBallot: Ballot | null;
  acceptedSlot: number | null;
  acceptorAt: number | null;
  leaderBallot: Ballot | null;
  heartbeatAt: number | null;
  scouting: 'probe' | 'p1a' | null;
  proposedSlot: number | null;
  leaderAt: number | null;
  slotOut: number | null;
  replicaAt: number | null;
  received: number;
  sent: number;
}

/** Message types sampled (at most one per type, direction and peer per SAMPLE_MS). */
const SAMPLED: ReadonlySet<Message['type']> = new Set([
  'heartbeat',
  'heartbeatAck',
  'readIndexReq',
  'readIndexResp',
]);
const SAMPLE_MS = 500;
const ACTIVE_MS = 1000;
const MAX_PEERS = 256;

function ballotView(b: Ballot): BallotView {
  return { round: b.round, leader: b.leader, text: formatBallot(b) };
}

/** A slot's value as the view labels it: the no-op, a skip, or its size. */
function valueText(v: Uint8Array): string {
  if (isNoop(v)) return 'no-op';
  return isSkip(v) ? 'skip' : `${v.length} B`;
}

export interface ProtocolMonitorOptions {
  /** Messages kept (default 1000). */
  capacity?: number;
  /** The clock, ms since the epoch (default Date.now). */
  now?: () => number;
}

export class ProtocolMonitor {
  private readonly ring: (TracedMessage | undefined)[];
  private seq = 0;
  private readonly remotes = new Map<string, MutableRemote>();
  private readonly lastSample = new Map<string, number>();
  private totalIn = 0;
  private totalOut = 0;
  private readonly now: () => number;

  constructor(options: ProtocolMonitorOptions = {}) {
    this.ring = new Array<TracedMessage | undefined>(Math.max(16, options.capacity ?? 1000));
    this.now = options.now ?? Date.now;
  }

  /** Core's onMessage observer: pass it to the node (PeerServiceOptions.onMessage). */
  readonly observe = (e: MessageEvent): void => {
    const at = this.now();
    const m = e.message;
    const r = this.remote(e.peer);
    if (e.direction === 'in') {
      this.totalIn++;
      if (r !== undefined) {
        r.received++;
        r.lastHeard = at;
        learn(r, m, at);
      }
    } else {
      this.totalOut++;
      if (r !== undefined) r.sent++;
    }
    if (SAMPLED.has(m.type)) {
      const key = `${m.type} ${e.direction} ${e.peer}`;
      const last = this.lastSample.get(key);
      if (last !== undefined && at - last < SAMPLE_MS) return;
      if (this.lastSample.size > 4 * MAX_PEERS) this.lastSample.clear();
      this.lastSample.set(key, at);
    }
    const seq = ++this.seq;
    this.ring[seq % this.ring.length] = { seq, at, dir: e.direction, peer: e.peer, ...describe(m) };
  };

  /** The messages after `after` (at most `limit`, the oldest of them), and the peers as seen. */
  trace(after = 0, limit = 200): ProtocolTrace {
    const capacity = this.ring.length;
    const oldest = Math.max(1, this.seq - capacity + 1);
    const from = Math.max(after + 1, oldest, this.seq - Math.max(1, limit) + 1);
    const messages: TracedMessage[] = [];
    for (let s = from; s <= this.seq; s++) {
      const m = this.ring[s % capacity];
      if (m !== undefined && m.seq === s) messages.push(m);
    }
    const now = this.now();
    return {
      cursor: this.seq,
      messages,
      skipped: after < this.seq && from > after + 1,
      peers: [...this.remotes.values()].map((r) => view(r, now)),
      totals: { in: this.totalIn, out: this.totalOut },
      now,
    };
  }

  /** Forget a peer (no longer a member). */
  forget(peer: string): void {
    this.remotes.delete(peer);
  }

  private remote(id: string): MutableRemote | undefined {
    let r = this.remotes.get(id);
    if (r === undefined) {
      if (this.remotes.size >= MAX_PEERS) return undefined;
      r = {
        id,
        lastHeard: null,
        acceptorBallot: null,
        acceptedSlot: null,
        acceptorAt: null,
        leaderBallot: null,
        heartbeatAt: null,
        scouting: null,
        proposedSlot: null,
        leaderAt: null,
        slotOut: null,
        replicaAt: null,
        received: 0,
        sent: 0,
      };
      this.remotes.set(id, r);
    }
    return r;
  }
}

/** What a message from peer `r` says about its acceptor, leader and replica. */
function learn(r: MutableRemote, m: Message, at: number): void {
  switch (m.type) {
    case 'p1a':
      r.leaderBallot = m.ballot;
      r.scouting = m.probe ? 'probe' : 'p1a';
      r.leaderAt = at;
      return;
    case 'p2a':
      r.leaderBallot = m.ballot;
      r.scouting = null;
      r.proposedSlot = Math.max(r.proposedSlot ?? 0, m.slot);
      r.leaderAt = at;
      return;
    case 'heartbeat':
      r.leaderBallot = m.ballot;
      r.heartbeatAt = at;
      r.scouting = null;
      r.leaderAt = at;
      r.slotOut = m.slotOut;
      r.replicaAt = at;
      return;
    case 'p1b':
      // A probe's answer is what the acceptor would promise, not its state.
      if (!m.probe) {
        r.acceptorBallot = m.ballot;
        r.acceptorAt = at;
      }
      return;
    case 'p2b':
      r.acceptorBallot = m.ballot;
      r.acceptorAt = at;
      if (m.ballot.round === m.proposal.round && m.ballot.leader === m.proposal.leader) {
        r.acceptedSlot = Math.max(r.acceptedSlot ?? 0, m.slot);
      }
      return;
    case 'heartbeatAck':
      r.acceptorBallot = m.ballot;
      r.acceptorAt = at;
      r.slotOut = m.slotOut;
      r.replicaAt = at;
      return;
    case 'catchupReq':
      r.slotOut = m.fromSlot;
      r.replicaAt = at;
      return;
    default:
      return;
  }
}

function view(r: MutableRemote, now: number): RemotePeerView {
  return {
    id: r.id,
    lastHeard: r.lastHeard,
    acceptor: {
      ballot: r.acceptorBallot === null ? null : ballotView(r.acceptorBallot),
      acceptedSlot: r.acceptedSlot,
      at: r.acceptorAt,
    },
    leader: {
      ballot: r.leaderBallot === null ? null : ballotView(r.leaderBallot),
      active: r.heartbeatAt !== null && now - r.heartbeatAt < ACTIVE_MS,
      scouting: r.scouting,
      proposedSlot: r.proposedSlot,
      at: r.leaderAt,
    },
    replica: { slotOut: r.slotOut, at: r.replicaAt },
    received: r.received,
    sent: r.sent,
  };
}

type Described = Pick<TracedMessage, 'type' | 'ballot' | 'slot' | 'detail' | 'accepted'>;

/** A message in the slides' notation, without its payload. */
export function describe(m: Message): Described {
  switch (m.type) {
    case 'p1a':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: m.fromSlot,
        detail: `${m.probe ? 'probe ' : ''}${formatBallot(m.ballot)} from slot ${m.fromSlot}`,
      };
    case 'p1b':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: null,
        detail: m.probe
          ? `probe answer ${formatBallot(m.ballot)}`
          : `${formatBallot(m.ballot)}, ${m.accepted.length} pvalue${m.accepted.length === 1 ? '' : 's'}`,
      };
    case 'p2a':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: m.slot,
        detail: `⟨${formatBallot(m.ballot)}, ${m.slot}, ${valueText(m.value)}⟩`,
      };
    case 'p2b': {
      const accepted = m.ballot.round === m.proposal.round && m.ballot.leader === m.proposal.leader;
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: m.slot,
        accepted,
        detail: accepted
          ? `${formatBallot(m.ballot)} slot ${m.slot} accepted`
          : `${formatBallot(m.ballot)} slot ${m.slot} refused (preempted)`,
      };
    }
    case 'decision':
      return {
        type: m.type,
        ballot: m.ballot === undefined ? null : ballotView(m.ballot),
        slot: m.slot,
        // Without a value, the decision names the pvalue the receiver's acceptor holds.
        detail:
          m.value === undefined
            ? `⟨${m.slot}⟩ chosen at ${formatBallot(m.ballot ?? { round: 0, leader: '' })}`
            : `⟨${m.slot}, ${valueText(m.value)}⟩`,
      };
    case 'request':
      return { type: m.type, ballot: null, slot: null, detail: `${m.commands.length} B` };
    case 'heartbeat':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: m.slotOut,
        detail: `${formatBallot(m.ballot)} slot_out ${m.slotOut}`,
      };
    case 'heartbeatAck':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: m.slotOut,
        detail: `${formatBallot(m.ballot)} slot_out ${m.slotOut}`,
      };
    case 'transfer':
      return {
        type: m.type,
        ballot: ballotView(m.ballot),
        slot: null,
        detail: `${formatBallot(m.ballot)} hands over to ${m.to}`,
      };
    case 'readIndexReq':
      return { type: m.type, ballot: null, slot: null, detail: `read #${m.id}` };
    case 'readIndexResp':
      return {
        type: m.type,
        ballot: null,
        slot: m.index >= 0 ? m.index : null,
        detail: m.index >= 0 ? `read #${m.id} at slot ${m.index}` : `read #${m.id} refused`,
      };
    case 'catchupReq':
      return { type: m.type, ballot: null, slot: m.fromSlot, detail: `from slot ${m.fromSlot}` };
    case 'catchupDecisions': {
      const first = m.decisions[0]?.slot;
      const last = m.decisions[m.decisions.length - 1]?.slot;
      return {
        type: m.type,
        ballot: null,
        slot: first ?? null,
        detail:
          first === undefined ? 'no decisions' : `slots ${first}…${last} (${m.decisions.length})`,
      };
    }
    case 'snapshotChunk':
      return {
        type: m.type,
        ballot: null,
        slot: m.slot,
        detail: `snapshot @${m.slot}: ${m.offset + m.data.length}/${m.total} B`,
      };
    case 'rolledBack':
      return { type: m.type, ballot: null, slot: null, detail: `store rolled back: ${m.why}` };
  }
}
