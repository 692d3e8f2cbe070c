/**
 * The scout (PMMC §2, Fig. 6(b) "Scout"): one phase-1 attempt of a leader for one ballot. It
 * collects P1b from a majority of the configuration's acceptors and reports `adopted` with the
 * pvalues they accepted, or `preempted` as soon as one acceptor has promised a higher ballot.
 *
 * Departures: PMMC assumes reliable channels; here the scout resends P1a to acceptors that have
 * not answered every `retransmitIntervalMs`. And it probes first (a "pre-vote", Raft §9.6):
 * acceptors say whether they would promise, without promising; only when a majority would does
 * the scout ask for real. A peer cut off from the others thus leaves no raised promises behind
 * that would depose a working leader when it comes back (DESIGN.md §3 item 3).
 *
 * Every P1b of the ballot counts, however far past this leader's replica its pvalues lie (issue
 * 12, item 4): acceptors vote ahead of replicas that lag, and a majority of lagging replicas must
 * not keep every leader from being adopted. What one P1b can make the leader do is bounded in
 * leader.ts instead (the no-ops it fills at once).
 */
import { ballotEquals, ballotGreater, type Ballot } from './ballot.js';
import type { Configuration } from './configuration.js';
import { quorumReached } from './quorum.js';
import type { NodeContext } from './context.js';
import type { P1b, PValue } from './messages.js';
import type { PeerId, Slot } from './types.js';

export type ScoutOutcome =
  | { readonly kind: 'adopted'; readonly pvalues: Map<Slot, PValue>; readonly watermark: Slot }
  | { readonly kind: 'preempted'; readonly ballot: Ballot }
  | undefined;

export class Scout {
  /** Probing (would a majority promise?) before asking for promises for real. */
  probing = true;
  waitfor: Set<PeerId>;
  /** PMMC `pvalues`: for each slot, the pvalue with the highest ballot reported. */
  readonly pvalues = new Map<Slot, PValue>();
  /** The highest watermark reported: slots below it are decided and compacted somewhere. */
  watermark: Slot = 0;
  private lastSent = -Infinity;

  constructor(
    private readonly ctx: NodeContext,
    readonly config: Configuration,
    readonly ballot: Ballot,
    readonly fromSlot: Slot,
  ) {
    this.waitfor = new Set(config.acceptors);
  }

  start(): void {
    this.sendP1a(this.config.acceptors);
  }

  private sendP1a(to: Iterable<PeerId>): void {
    this.lastSent = this.ctx.now();
    for (const a of to) {
      this.ctx.send(a, {
        type: 'p1a',
        config: this.config.id,
        ballot: this.ballot,
        fromSlot: this.fromSlot,
        probe: this.probing,
      });
    }
  }

  tick(): void {
    if (this.ctx.now() >= this.nextDeadline()) this.sendP1a([...this.waitfor]);
  }

  /** When `tick` next resends. */
  nextDeadline(): number {
    return this.lastSent + this.ctx.opts.retransmitIntervalMs;
  }

  onP1b(from: PeerId, m: P1b): ScoutOutcome {
    if (ballotGreater(m.ballot, this.ballot)) return { kind: 'preempted', ballot: m.ballot };
    if (m.probe !== this.probing) return undefined;
    if (!ballotEquals(m.ballot, this.ballot) || !this.waitfor.has(from)) return undefined;
    this.waitfor.delete(from);
    const reached = quorumReached(this.config.acceptors, this.waitfor);
    if (this.probing) {
      if (reached) {
        // A majority would promise: now ask for real (PMMC phase 1).
        this.probing = false;
        this.waitfor = new Set(this.config.acceptors);
        this.ctx.trace(`${this.ctx.id} asks for promises in config ${this.config.id}`);
        this.start();
      }
      return undefined;
    }
    for (const pv of m.accepted) {
      const cur = this.pvalues.get(pv.slot);
      if (cur === undefined || ballotGreater(pv.ballot, cur.ballot)) this.pvalues.set(pv.slot, pv);
    }
    this.watermark = Math.max(this.watermark, m.watermark);
    if (reached) {
      return { kind: 'adopted', pvalues: this.pvalues, watermark: this.watermark };
    }
    return undefined;
  }
}
