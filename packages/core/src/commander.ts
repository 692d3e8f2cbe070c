/**
 * The commander (PMMC §2, Fig. 6(a) "Commander"): phase 2 for one pvalue. It sends P2a to the
 * acceptors of the configuration that governs the slot, and reports `decided` once a majority
 * of them accepted (then it tells the replicas: `announce`), or `preempted` when one has
 * promised a higher ballot.
 *
 * Departure: PMMC assumes reliable channels; here the commander resends P2a to acceptors that
 * have not answered every `retransmitIntervalMs`.
 */
import { ballotEquals, ballotGreater, type Ballot } from './ballot.js';
import { quorumReached } from './quorum.js';
import { membersOf, type Configuration } from './configuration.js';
import type { NodeContext } from './context.js';
import type { Decision, P2b, PValue } from './messages.js';
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

  /**
   * The pvalue is chosen by the acceptors of `config`, the slot's configuration: tell every
   * replica of it and of the newest configuration, `latest` (PMMC: "send decision to all
   * replicas"); this peer's own replica learns it from its leader directly.
   *
   * At once, not after this turn's write: the slot is chosen, whatever this peer has written
   * (docs/protocol.md). A follower then gets decision s with P2a s+1 in one frame: one write.
   * Departure (docs/protocol.md, "Decisions name the pvalue"): an acceptor of the slot's
   * configuration holds the value as its accepted pvalue: it voted, or its vote is on its way
   * (this commander's P2a went to it before this decision, on the same link), so it gets the
   * ballot that names the value. One that lacks it asks for it (RawNode's onDecision). At C=256
   * the third acceptor's P2b comes after the decision in about half the slots: a copy of the
   * whole batch to it cost it a 26 KB write of the value again.
   */
  announce(config: Configuration, latest: Configuration | undefined): void {
    const { slot, ballot, value } = this.pvalue;
    const to = new Set(membersOf(config));
    if (latest !== undefined) for (const p of membersOf(latest)) to.add(p);
    to.delete(this.ctx.id);
    const named: Decision = { type: 'decision', slot, ballot };
    const full: Decision = { type: 'decision', slot, value };
    for (const p of to) this.ctx.send(p, config.acceptors.includes(p) ? named : full);
  }
}
