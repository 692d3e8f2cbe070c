/**
 * Amnesia detection (DESIGN.md §3 item 9; docs/protocol.md, "An acceptor with amnesia").
 *
 * Paxos is unsafe with an acceptor that forgets what it promised or accepted, and a store can go
 * back in time: its data directory restored from a copy, or its database replaced while its
 * identity is kept. A store identity would not tell: a copy carries the same one. So each store
 * numbers its durable batches (StorageBatch.seq, 1, 2, 3... over its whole life), each run of a
 * peer draws a random run id, and the messages that vote, propose or carry client commands
 * (P1a, P1b, P2a, P2b, heartbeat acknowledgements, requests) carry a stamp: the run, the seq the
 * store held when the run started, and the seq durable when the message left. Peers remember,
 * per peer, the runs they heard of (directly, or from the active leader's heartbeats) and judge
 * each stamp:
 *
 *  - two runs that started at the same seq: a store that forked (the same copy started twice, or
 *    a copy restored after the original ran on). A real store cannot: a run that stamps anything
 *    has written at least once (its incarnation), so the next run starts higher.
 *  - a run that started below a seq another run reported: it lacks writes that were reported,
 *    so it may lack promises and votes that were counted.
 *
 * Either way the peer is rolled back: its messages are ignored, and it is told. A stamp of a run
 * older than the newest one known (a message delayed across a restart, or a wiped store that
 * starts again from nothing) is ignored without a verdict: its votes do not count, and that is
 * safe. What it cannot catch is written in docs/protocol.md.
 */
import type { StoreStamp } from './messages.js';
import type { PeerId } from './types.js';

/** What is known of one run of a peer's store. */
export interface RunRecord {
  readonly run: number;
  readonly start: number;
  /** The highest seq this run was seen to report. */
  seq: number;
}

export type StoreVerdict =
  | { readonly kind: 'ok' }
  /** A run older than the newest known: ignore the message (no verdict). */
  | { readonly kind: 'stale' }
  | { readonly kind: 'rolled-back'; readonly why: string };

const OK: StoreVerdict = Object.freeze({ kind: 'ok' });
const STALE: StoreVerdict = Object.freeze({ kind: 'stale' });

/**
 * The production rule (rules.ts): judge `stamp` against the runs known of its peer (`known`
 * does not include it yet).
 */
export function judgeStore(known: readonly RunRecord[], stamp: StoreStamp): StoreVerdict {
  for (const r of known) {
    if (r.run === stamp.run) continue;
    if (r.start === stamp.start) {
      return {
        kind: 'rolled-back',
        why: `two runs of its store started from write ${stamp.start}: it was started again from a copy`,
      };
    }
    const [older, newer] = r.start < stamp.start ? [r, stamp] : [stamp, r];
    const olderSeq = older === r ? r.seq : stamp.seq;
    if (olderSeq > newer.start) {
      return {
        kind: 'rolled-back',
        why: `its store started from write ${newer.start}, but it had reported write ${olderSeq} before`,
      };
    }
  }
  const newest = known.reduce((m, r) => Math.max(m, r.start), -1);
  return stamp.start < newest ? STALE : OK;
}

/** How many runs of one peer are remembered (the ones that started last). */
const RUNS_KEPT = 8;

/** What one peer knows of the other peers' stores. */
export class StoreRuns {
  private readonly runs = new Map<PeerId, RunRecord[]>();
  private readonly rolledBack = new Map<PeerId, string>();
  /** Something was learned since the last `saved()`. */
  changed = false;

  constructor(
    private readonly judge: (known: readonly RunRecord[], stamp: StoreStamp) => StoreVerdict,
  ) {}

  /** Judge a stamp from (or about) `peer`, and remember it. */
  observe(peer: PeerId, stamp: StoreStamp): StoreVerdict {
    const why = this.rolledBack.get(peer);
    if (why !== undefined) return { kind: 'rolled-back', why };
    const known = this.runs.get(peer) ?? [];
    const verdict = this.judge(known, stamp);
    if (verdict.kind === 'rolled-back') {
      this.rolledBack.set(peer, verdict.why);
      return verdict;
    }
    const r = known.find((x) => x.run === stamp.run);
    if (r !== undefined) {
      if (stamp.seq > r.seq) {
        r.seq = stamp.seq;
        this.changed = true;
      }
    } else {
      this.changed = true;
      known.push({ run: stamp.run, start: stamp.start, seq: stamp.seq });
      known.sort((a, b) => b.start - a.start);
      if (known.length > RUNS_KEPT) known.length = RUNS_KEPT;
      this.runs.set(peer, known);
    }
    return verdict;
  }

  /** What changed was written. */
  saved(): void {
    this.changed = false;
  }

  /** Why `peer` was found rolled back, if it was. */
  rolledBackWhy(peer: PeerId): string | undefined {
    return this.rolledBack.get(peer);
  }

  isRolledBack(peer: PeerId): boolean {
    return this.rolledBack.has(peer);
  }

  /** Every peer some run is known of. */
  peers(): PeerId[] {
    return [...this.runs.keys()];
  }

  /**
   * For the active leader's heartbeats: for each of `peers`, the run known to have reported the
   * highest seq (the evidence a rolled-back copy contradicts).
   */
  gossip(peers: readonly PeerId[]): { peer: PeerId; stamp: StoreStamp }[] {
    const out: { peer: PeerId; stamp: StoreStamp }[] = [];
    for (const peer of peers) {
      let best: RunRecord | undefined;
      for (const r of this.runs.get(peer) ?? [])
        if (best === undefined || r.seq > best.seq) best = r;
      if (best !== undefined)
        out.push({ peer, stamp: { run: best.run, start: best.start, seq: best.seq } });
    }
    return out;
  }
}
