/**
 * The commander (PMMC §2, Fig. 6(a) "Commander"): phase 2 for one pvalue. It sends P2a to the
 * acceptors of the configuration that governs the slot, and reports `decided` once a majority
 * of them accepted, or `preempted` when one has promised a higher ballot.
 *
 * Departure: PMMC assumes reliable channels; here the commander resends P2a to acceptors that
 * have not answered every `retransmitIntervalMs`.
 */
import { ballotEquals, ballotGreater, type Ballot } from './ballot.js';
import { quorumReached } from './quorum.js';
import type { NodeContext } from './context.js';
import type { P2b, PValue } from './messages.js';
import type { PeerId } from './types.js';

export type CommanderOutcome =
  | { readonly kind: 'decided' }
  | { readonly kind: 'preempted'; readonly ballot: Ballot }
  | undefined;

export class Commander {
  readonly waitfor: Set<PeerId>;
  private lastSent = -Infinity;

  constructor(
    private readonly ctx: NodeContext,
    readonly pvalue: PValue,
    /** The acceptors whose votes count: those of the configuration that governs the slot. */
    readonly acceptors: readonly PeerId[],
  ) {
    this.waitfor = new Set(acceptors);
  }

  start(): void {
    this.sendP2a(this.acceptors);
  }

  private sendP2a(to: Iterable<PeerId>): void {
    this.lastSent = this.ctx.now();
    const { config, ballot, slot, value } = this.pvalue;
    for (const a of to) this.ctx.send(a, { type: 'p2a', config, ballot, slot, value });
  }

  tick(): void {
    if (this.ctx.now() >= this.nextDeadline()) this.sendP2a([...this.waitfor]);
  }

  /** When `tick` next resends. */
  nextDeadline(): number {
    return this.lastSent + this.ctx.opts.retransmitIntervalMs;
  }

  onP2b(from: PeerId, m: P2b): CommanderOutcome {
    if (ballotGreater(m.ballot, this.pvalue.ballot)) return { kind: 'preempted', ballot: m.ballot };
    // A vote is an answer to our own P2a that the acceptor accepted.
    if (
      !ballotEquals(m.proposal, this.pvalue.ballot) ||
      !ballotEquals(m.ballot, this.pvalue.ballot) ||
      !this.waitfor.delete(from)
    ) {
      return undefined;
    }
    return quorumReached(this.acceptors, this.waitfor) ? { kind: 'decided' } : undefined;
  }
}
