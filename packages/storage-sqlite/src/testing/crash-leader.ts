/**
 * The crash test's parent side of the protocol: a scripted PMMC leader for the child acceptor,
 * and the ledger of everything the child said. Only messages the parent *received* enter the
 * ledger: they left the child, so what they report must be durable in its file.
 *
 * The leader runs phase 1 at a new ballot every time the child starts (and now and then in
 * the middle of a run), then keeps up to WINDOW slots in phase 2, sends a Decision for every
 * slot the child accepted (the child is the only acceptor: its vote is a majority), and resends
 * the decisions a restarted child lost.
 *
 * P2b carries the acceptor's ballot, not the P2a's; this link is FIFO, so a reply to a P2a
 * sent before a P1a is always produced before that P1a is handled, and a P2b whose ballot equals
 * the ballot of the latest P2a sent for its slot is a vote for that P2a.
 */
import {
  ballotEquals,
  compareBallots,
  type Ballot,
  type Message,
  type P1b,
  type P2b,
} from '@synod/core';
import { LEADER, valueOf } from './crash-workload.js';

const WINDOW = 32;

/** Everything the parent heard from the child, across all its lives. */
export class Ledger {
  /** The highest ballot the child reported in any P1b or P2b. */
  maxBallot: Ballot = { round: 0, leader: '' };
  /** Per slot: the highest ballot at which the child reported accepting it. */
  readonly votes = new Map<number, Ballot>();
  /** The highest watermark the child reported in a P1b. */
  maxWatermark = 0;
  p1bs = 0;
  p2bs = 0;

  noteBallot(b: Ballot): void {
    if (compareBallots(b, this.maxBallot) > 0) this.maxBallot = b;
  }

  noteVote(slot: number, b: Ballot): void {
    const cur = this.votes.get(slot);
    if (cur === undefined || compareBallots(b, cur) > 0) this.votes.set(slot, b);
  }
}

export class ScriptedLeader {
  readonly ledger = new Ledger();
  /** Slots the child voted for: decided (it is the only acceptor). */
  readonly decided = new Set<number>();
  /** Problems seen in the child's answers (a P1b missing a vote, say). */
  readonly violations: string[] = [];
  private round = 0;
  private ballot: Ballot = { round: 0, leader: LEADER };
  private phase: 'idle' | 'p1' | 'p2' = 'idle';
  /** The next slot never proposed. */
  private frontier = 1;
  /** Slots in phase 2, with the ballot of the latest P2a sent. */
  private readonly inflight = new Map<number, Ballot>();
  /** Proposed, not yet decided: re-proposed after every adoption. */
  private readonly pending = new Set<number>();
  /** The first slot a restarted child may lack a decision for. */
  private resendFrom = 1;
  private send: ((msgs: Message[]) => void) | undefined;
  private random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  get maxDecided(): number {
    return this.frontier - 1;
  }

  /** A child started and is ready: run phase 1 at a ballot above anything it has seen. */
  start(send: (msgs: Message[]) => void): void {
    this.send = send;
    this.inflight.clear();
    this.scout();
  }

  /** The child died. `slotOut` is its replica's first missing slot, read from the file. */
  stopped(slotOut: number): void {
    this.send = undefined;
    this.phase = 'idle';
    for (const s of this.inflight.keys()) this.pending.add(s);
    this.inflight.clear();
    this.resendFrom = slotOut;
  }

  onMessages(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.type === 'p1b') this.onP1b(m);
      else if (m.type === 'p2b') this.onP2b(m);
      // Anything else (catch-up requests...) is not part of the script.
    }
  }

  private scout(): void {
    this.round = Math.max(this.round, this.ledger.maxBallot.round) + 1;
    this.ballot = { round: this.round, leader: LEADER };
    this.phase = 'p1';
    this.send?.([{ type: 'p1a', config: 0, ballot: this.ballot, fromSlot: 1, probe: false }]);
  }

  private onP1b(m: P1b): void {
    this.ledger.p1bs++;
    this.ledger.noteBallot(m.ballot);
    this.ledger.maxWatermark = Math.max(this.ledger.maxWatermark, m.watermark);
    this.checkP1b(m);
    if (this.phase !== 'p1') return;
    if (!ballotEquals(m.ballot, this.ballot)) {
      this.scout();
      return;
    }
    this.phase = 'p2';
    // Re-send the decisions the child may have lost, then re-propose what is undecided.
    const decisions: Message[] = [];
    for (let s = Math.max(this.resendFrom, m.watermark); s < this.frontier; s++) {
      if (this.decided.has(s)) decisions.push({ type: 'decision', slot: s, value: valueOf(s) });
    }
    if (decisions.length > 0) this.send?.(decisions);
    this.inflight.clear();
    this.fill();
  }

  /** A P1b must show every vote the child reported, at its slot, at that ballot or higher. */
  private checkP1b(m: P1b): void {
    const got = new Map(m.accepted.map((pv) => [pv.slot, pv]));
    for (const [slot, b] of this.ledger.votes) {
      if (slot < m.watermark) continue;
      const pv = got.get(slot);
      if (pv === undefined || compareBallots(pv.ballot, b) < 0) {
        this.violations.push(
          `P1b at ballot ${m.ballot.round} lacks the vote for slot ${slot} at round ${b.round} ` +
            `(has ${pv === undefined ? 'nothing' : `round ${pv.ballot.round}`})`,
        );
      }
    }
  }

  private onP2b(m: P2b): void {
    this.ledger.p2bs++;
    this.ledger.noteBallot(m.ballot);
    const sent = this.inflight.get(m.slot);
    if (sent !== undefined && ballotEquals(sent, m.ballot)) {
      this.ledger.noteVote(m.slot, m.ballot);
      this.inflight.delete(m.slot);
      this.pending.delete(m.slot);
      this.decided.add(m.slot);
      this.send?.([{ type: 'decision', slot: m.slot, value: valueOf(m.slot) }]);
    } else if (compareBallots(m.ballot, this.ballot) > 0) {
      this.scout();
      return;
    }
    if (this.phase !== 'p2') return;
    // Now and then, a new ballot in the middle of the run.
    if (this.random() < 0.005) {
      this.scout();
      return;
    }
    this.fill();
  }

  /** Keep WINDOW slots in phase 2: the undecided ones first, then new ones. */
  private fill(): void {
    const out: Message[] = [];
    const propose = (slot: number) => {
      this.inflight.set(slot, this.ballot);
      out.push({ type: 'p2a', config: 0, ballot: this.ballot, slot, value: valueOf(slot) });
    };
    for (const s of [...this.pending].sort((a, b) => a - b)) {
      if (this.inflight.size >= WINDOW) break;
      if (!this.inflight.has(s)) propose(s);
    }
    while (this.inflight.size < WINDOW) {
      this.pending.add(this.frontier);
      propose(this.frontier++);
    }
    if (out.length > 0) this.send?.(out);
  }
}
