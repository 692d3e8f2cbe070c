/**
 * This peer's own client: it numbers the commands the app proposes `(client, inc, seq)`, keeps
 * them until they take effect, and resends them, in order, when they may have been lost: after
 * `requestRetryMs` without progress, when the active leader changes, or when one of them was
 * skipped because it arrived ahead of a lost predecessor (DESIGN.md §3 item 4). What became of
 * each is a result of `ready()`.
 */
import type { ClientEntry } from './client-table.js';
import type { Command, Outcome } from './command.js';
import type { Membership } from './configuration.js';
import type { NodeContext } from './context.js';
import { SeqMap } from './seq-map.js';
import type { ConfigId } from './types.js';

/** What became of one of this peer's own commands. */
export interface CommandResult {
  readonly seq: number;
  readonly outcome: Outcome;
}

/** The random part of a client incarnation: `incarnation · SPAN + random` (below 2^53). */
const CLIENT_INCARNATION_SPAN = 2 ** 20;

/**
 * The client incarnation of this peer's run `incarnation` (`random` in [0, 1), from the seeded
 * generator). It carries a random low part: a store restored from an older copy starts again
 * from an incarnation it used before, and its new commands must not pass for the old ones, nor
 * old results for theirs (docs/protocol.md, "An acceptor with amnesia"). A later run's client
 * incarnation is still above every earlier run's.
 */
export function clientIncarnation(incarnation: number, random: number): number {
  return incarnation * CLIENT_INCARNATION_SPAN + Math.floor(random * CLIENT_INCARNATION_SPAN);
}

export class ClientSession {
  private nextSeq = 1;
  /** Commands proposed and not yet taken effect, in seq order. */
  readonly pending = new SeqMap<Command>();
  private outbox: Command[] = [];
  private lastProgress = 0;
  private resendDue = false;
  private results: CommandResult[] = [];

  constructor(
    private readonly ctx: NodeContext,
    readonly inc: number,
  ) {}

  get client(): string {
    return this.ctx.id;
  }

  proposeApp(op: Uint8Array): number {
    return this.add({
      kind: 'app',
      client: this.ctx.id,
      inc: this.inc,
      seq: this.nextSeq,
      ack: this.ack(),
      op,
    });
  }

  proposeReconfig(expectedConfig: ConfigId, membership: Membership): number {
    return this.add({
      kind: 'reconfig',
      client: this.ctx.id,
      inc: this.inc,
      seq: this.nextSeq,
      ack: this.ack(),
      expectedConfig,
      membership,
    });
  }

  /** Every command below the oldest pending one has its outcome here. */
  private ack(): number {
    const oldest = this.pending.first();
    return oldest === undefined ? this.nextSeq - 1 : oldest - 1;
  }

  private add(c: Command): number {
    this.nextSeq++;
    if (this.pending.size === 0) this.lastProgress = this.ctx.now();
    this.pending.set(c.seq, c);
    this.outbox.push(c);
    return c.seq;
  }

  isMine(c: Command): boolean {
    return c.client === this.ctx.id && c.inc === this.inc;
  }

  /** One of our commands took effect (or was refused for good). */
  settled(seq: number): boolean {
    if (!this.pending.delete(seq)) return false;
    this.lastProgress = this.ctx.now();
    return true;
  }

  /** A command took effect (or was refused): the result of ours, unless answered already. */
  applied(c: Command, outcome: Outcome): void {
    if (this.isMine(c) && this.settled(c.seq)) this.results.push({ seq: c.seq, outcome });
  }

  /**
   * A snapshot was installed: our commands that took effect inside it are answered from our
   * entry `e` of its client table, which keeps the outcomes we have not acknowledged.
   */
  settleFrom(e: ClientEntry | undefined): void {
    if (e === undefined || e.inc !== this.inc) return;
    for (const seq of [...this.pending.keys()]) {
      if (seq > e.seq) break;
      const outcome = e.outcomes.get(seq) ?? {
        ok: false as const,
        code: 'outcome-lost',
        message: 'the command took effect but its outcome was compacted away',
      };
      this.settled(seq);
      this.results.push({ seq, outcome });
    }
  }

  /** The results since the last call, in the order they were settled. */
  takeResults(): CommandResult[] {
    const out = this.results;
    this.results = [];
    return out;
  }

  /** Resend every pending command at the end of this turn. */
  resend(): void {
    if (this.pending.size > 0) this.resendDue = true;
  }

  tick(): void {
    if (
      this.pending.size > 0 &&
      this.ctx.now() - this.lastProgress >= this.ctx.opts.requestRetryMs
    ) {
      this.lastProgress = this.ctx.now();
      this.resendDue = true;
    }
  }

  /** When `tick` next resends (Infinity: nothing pending). */
  nextDeadline(): number {
    return this.pending.size > 0 ? this.lastProgress + this.ctx.opts.requestRetryMs : Infinity;
  }

  /** The commands to send this turn, in seq order. */
  drain(): Command[] {
    if (this.resendDue) {
      this.resendDue = false;
      this.outbox = [];
      return [...this.pending.values()];
    }
    const out = this.outbox;
    this.outbox = [];
    return out;
  }
}
