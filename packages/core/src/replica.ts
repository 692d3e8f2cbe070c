/**
 * The replica (PMMC §2, Fig. 1 "Replica"): `slotIn`, `slotOut`, `requests`, `proposals`,
 * `decisions`, and the application state it applies decisions to. Departures:
 *  - One proposer (DESIGN.md §3 item 2): only the replica beside the active leader assigns
 *    slots, and it packs every request of a turn into one slot (batching), up to WINDOW slots
 *    ahead of `slotOut` (pipelining). Other replicas forward requests to it (forward.ts).
 *    PMMC's fallback stays: when a slot it proposed is decided with other commands, its
 *    commands go back to `requests`.
 *  - `perform` consults the replicated client table instead of scanning earlier slots for the
 *    same command (exactly once, DESIGN.md §3 item 4).
 *  - Snapshots every `snapshotInterval` slots, after which old decisions are dropped
 *    (DESIGN.md §3 item 8); a snapshot can also be installed from another peer (catch-up).
 *  - `decisions` holds a decision only until it is applied and durable here (`release`): the
 *    retained log below (`retainedFrom` .. `heldFrom`) lives in storage alone, and catch-up
 *    reads it from there (catchup.ts). So a decided value dies young in V8's heap instead of
 *    living until the next snapshot and being freed only by a mark-compact (issue 13).
 *  - Configuration changes: a reconfiguration decided at slot s governs from s + WINDOW
 *    (PMMC §2.1), and is refused unless the newest configuration is the one it names and
 *    governs already (one change at a time).
 *  - Skips (Mencius): a slot's value may say "the slots after me up to `through` are empty".
 *    Applying it moves slotOut past them; what is decided there is ignored by every replica
 *    alike, and this replica's own commands there go back to `requests` (as PMMC re-proposes
 *    a command whose slot got another value). On an idle log a membership change waiting for
 *    its first slot costs one skip, not WINDOW no-ops.
 *
 * The replica calls nothing outside itself: where PMMC's replica sends a response to a client,
 * this one reports an outcome (`ReplicaOutcome`) to the node it lives in. Its handlers that
 * change the log (`install`, `onDecision`) are generators: they yield the outcomes of each slot
 * they apply, and the node takes them before the replica goes on to the next slot
 * (`RawNode.takeReplica`). A generator runs nothing until it is iterated, so a call that drops
 * one would silently apply nothing: the lint rule `synod/no-discarded-generator`
 * (scripts/eslint-rules/) refuses such a call.
 */
import type { Command, Outcome } from './command.js';
import { decodeBatch, encodeBatch, encodeSkip, skipThrough } from './command.js';
import { ClientTable, type ClientEntry } from './client-table.js';
import {
  ConfigHistory,
  membersOf,
  validateMembership,
  type Configuration,
} from './configuration.js';
import type { NodeContext } from './context.js';
import { DecodeError, InvalidSkipError } from './errors.js';
import { ByteWriter } from './bytes.js';
import type { Decided } from './messages.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import type { StateMachine } from './state-machine.js';
import type { Snapshot } from './storage.js';
import type { PeerId, Slot } from './types.js';

/** A decided command as subscribers see it. */
export interface AppliedCommand {
  readonly slot: Slot;
  readonly kind: Command['kind'];
  readonly client: string;
  readonly seq: number;
  /** The app command (empty for a reconfiguration). */
  readonly op: Uint8Array;
  readonly outcome: Outcome;
}

/**
 * What assigning slots needs to know of the leader beside this replica (PMMC: the replica sends
 * `propose` to its leaders; here the node hands the proposals that `assign` returns over).
 */
export interface LeaderView {
  /** The leader may propose for `slot` now (it leads the slot's configuration, is not handing over, and the slot is not below what phase 1 showed to be decided elsewhere). */
  mayPropose(slot: Slot): boolean;
  /** The leader's proposal for `slot`, if it has one. */
  proposal(slot: Slot): Uint8Array | undefined;
  /** The highest slot the leader has a proposal for (0: none). */
  maxProposal(): Slot;
}

/** PMMC `propose(s, c)`: a slot and the batch this replica put in it. */
export interface Proposal {
  readonly slot: Slot;
  readonly value: Uint8Array;
}

/**
 * What the replica reports to the node it lives in, as data: every effect it has on the other
 * parts (openraft's engine lists its effects the same way, as `Command`s). Unlike openraft's,
 * they are taken slot by slot, before the replica applies the next slot, because the other
 * parts read the replica and must see it at the slot the outcome speaks of: a configuration
 * change reaches the leader while the configuration before it still runs. Taken after the
 * call, once the replica also applied a skip up to where the change governs (decided first, so
 * applied in the same call), the old configuration would be over and its active leader gone,
 * and the new one would wait an election timeout instead of carrying on (simulator seed 32,
 * profile mixed: p2 at 4210 ms).
 */
export type ReplicaOutcome =
  /**
   * `slot` was decided (applied or not yet), or voided by a skip: the leader beside this replica
   * forgets its proposal and commander there (they are moot; PMMC's leader learns it from the
   * commander's quorum, this one from any decision).
   */
  | { readonly kind: 'learned'; readonly slot: Slot }
  /**
   * Every slot through `slot` is decided: a snapshot covers them. As `learned` for each of them,
   * in one step (a snapshot may cover millions of slots): the leader beside this replica
   * forgets its proposals and commanders there. Kept, they resent their P2a for as long as it
   * led, the acceptors that compacted those slots never answering (test/install-covers-proposals).
   */
  | { readonly kind: 'learnedThrough'; readonly slot: Slot }
  /**
   * `command` took effect, or was refused for good, at `slot` (PMMC: the response to the
   * client): this peer's client is answered if it is its own, and the app's subscribers see it.
   */
  | {
      readonly kind: 'applied';
      readonly command: Command;
      readonly outcome: Outcome;
      readonly slot: Slot;
    }
  /**
   * `command` was passed over because its client's previous command is missing: if it is this
   * peer's own client's, the client sends again what it has pending (the missing one was lost).
   */
  | { readonly kind: 'reordered'; readonly command: Command }
  /**
   * A configuration was decided (it governs from `config.start`): the removal check notes
   * whether this peer is a member of it, and the leader creates its instance for it now, while
   * the configuration before is still running (see above).
   */
  | { readonly kind: 'configAdded'; readonly config: Configuration }
  /**
   * The value of `slot` was applied (a skip's included): the simulator checks agreement on it
   * (`RawNodeConfig.onSlotApplied`); nothing else needs it.
   */
  | { readonly kind: 'performed'; readonly slot: Slot; readonly value: Uint8Array }
  /**
   * A snapshot replaced the state: commands in it took effect without an `applied` outcome.
   * This peer's client answers its own from `entry`, its row of the snapshot's client table.
   */
  | { readonly kind: 'installed'; readonly entry: ClientEntry | undefined }
  /**
   * slotOut moved, or a snapshot was installed: catch-up notes the progress, the leader drops the
   * configurations that are over and starts those to come, the node judges again whether this
   * peer was removed, and reads waiting for these slots are served.
   */
  | { readonly kind: 'progressed' };

/**
 * What a replica handler returns: its outcomes as it goes, in order, those of each slot it
 * applies before it moves on to the next (see ReplicaOutcome). A generator does nothing until
 * it is iterated: every call must be taken to the end (RawNode.takeReplica), or the decision
 * is not even applied.
 */
export type ReplicaOutcomes = Generator<readonly ReplicaOutcome[], void, undefined>;

const EMPTY = new Uint8Array(0);

/** A snapshot is due at the latest once the log since the last one is this many times its size. */
const SNAPSHOT_GROWTH = 4;

export function encodeConfigResult(c: Configuration): Uint8Array {
  return new ByteWriter(16).uint(c.id).uint(c.start).finish();
}

export class Replica {
  slotIn: Slot = 1;
  slotOut: Slot = 1;
  /** PMMC `requests`: commands waiting for a slot (only at the replica beside a leader). */
  requests: Command[] = [];
  /** PMMC `proposals`: the commands this replica put in each slot it assigned, until decided. */
  readonly proposals = new Map<Slot, Command[]>();
  private readonly encodedProposals = new WeakMap<Command[], Uint8Array>();
  /**
   * PMMC `decisions`, from `heldFrom` on: the ones not applied yet, and applied ones not yet
   * known to be durable here. Those between `retainedFrom` and `heldFrom` are in storage only.
   */
  readonly decisions = new Map<Slot, Uint8Array>();
  /** The first decision kept (in storage; older ones are compacted into the snapshot). */
  retainedFrom: Slot = 1;
  /** The first applied decision that may still be in `decisions` (below it: storage only). */
  heldFrom: Slot = 1;
  /** The size of each applied decision kept, from `retainedFrom` (for `logRetentionBytes`). */
  private readonly appliedBytes = new Map<Slot, number>();
  /** The highest slot known to be decided (applied or not). */
  maxDecided: Slot = 0;
  configs = new ConfigHistory();
  /** The log's WINDOW, from its snapshot (the same on every peer). */
  window = 0;
  /** The log's replicas read skips (from its snapshot: logs created before skips fill no-ops). */
  skips = false;
  readonly clients = new ClientTable();
  /** False for a joining peer until it installs its first snapshot. */
  initialized = false;
  /** The newest snapshot taken or installed (served to peers that catch up). */
  snapshot: Snapshot | null = null;
  /** The newest snapshot known to be durable (the acceptor may collect below it). */
  durableSnapshotSlot: Slot = 0;
  /**
   * Every slot below this is applied here and durable (its decision, or a snapshot through it, is
   * in a completed write; RawNode sets it). Catch-up answers report it: a leaver stops once a
   * remaining replica says it has every slot before it left (handover.ts), and after that only
   * this replica's own store can give them back to it.
   */
  durableSlotOut: Slot = 1;
  /** A snapshot written in the current turn, durable once the turn's batch is. */
  pendingSnapshotSlot: Slot | undefined;
  /** Bytes of the decisions applied since the newest snapshot (snapshotIntervalBytes). */
  private bytesSinceSnapshot = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly sm: StateMachine,
  ) {
    this.clients.disableDedupe = ctx.bug('no-dedupe');
  }

  /**
   * Start from a snapshot (at boot from storage, or received from a peer), then apply the
   * decisions held above it; yields the outcomes (ReplicaOutcomes).
   */
  *install(snapshot: Snapshot, fromPeer: boolean): ReplicaOutcomes {
    if (this.initialized && snapshot.slot < this.slotOut) return;
    const s = decodeSnapshot(snapshot.data);
    if (s.slot !== snapshot.slot)
      throw new Error(`snapshot claims slot ${s.slot}, stored as ${snapshot.slot}`);
    // Whatever refuses the snapshot does so before anything changes: refused after the app's
    // state was restored, it left that state at the snapshot's slot and slotOut at the old one,
    // and the decisions after slotOut were applied again on top (test/snapshot-refused.test.ts).
    const configs = new ConfigHistory(s.configs);
    if (configs.at(s.slot + 1) === undefined)
      throw new DecodeError(`snapshot through slot ${s.slot} has no configuration after it`);
    // The WINDOW and skips are the log's, fixed when it was created (snapshot.ts).
    if (this.initialized && (s.window !== this.window || s.skips !== this.skips))
      throw new DecodeError(
        `snapshot of a log with WINDOW ${s.window} and skips ${s.skips}, not ${this.window} and ${this.skips}`,
      );
    this.sm.restore(s.app);
    this.clients.replaceAll(s.clients);
    this.configs = configs;
    this.window = s.window;
    this.skips = s.skips;
    this.slotOut = s.slot + 1;
    this.slotIn = Math.max(this.slotIn, this.slotOut);
    for (const slot of this.decisions.keys()) if (slot < this.slotOut) this.decisions.delete(slot);
    for (const slot of this.proposals.keys()) if (slot < this.slotOut) this.proposals.delete(slot);
    this.appliedBytes.clear();
    this.retainedFrom = this.slotOut;
    this.heldFrom = this.slotOut;
    this.snapshot = snapshot;
    this.bytesSinceSnapshot = 0;
    this.initialized = true;
    if (fromPeer) {
      this.ctx.persist.setSnapshot(snapshot, this.slotOut);
      this.pendingSnapshotSlot = snapshot.slot;
      this.ctx.trace(`${this.ctx.id} installs snapshot through slot ${snapshot.slot}`);
    } else {
      this.durableSnapshotSlot = snapshot.slot;
    }
    // Taken before any slot is applied: the entry changes as commands are.
    yield [
      { kind: 'installed', entry: this.clients.get(this.ctx.id) },
      { kind: 'learnedThrough', slot: snapshot.slot },
    ];
    yield* this.applyReady([]);
    yield [{ kind: 'progressed' }];
  }

  /**
   * A slot was decided (PMMC `decision`). `from` says who says so: another member (checked), or
   * this peer itself (its own leader's commander, or its own storage), always kept. `record`
   * says how it is made durable: with its value, or as the pvalue this peer's acceptor accepted
   * at the slot (the value is not written again); a decision loaded from storage is not written.
   * Then the slots it made ready are applied; yields the outcomes (ReplicaOutcomes).
   */
  *onDecision(
    slot: Slot,
    value: Uint8Array,
    from: 'member' | 'self' | 'storage' = 'member',
    record: 'value' | 'accepted' = 'value',
  ): ReplicaOutcomes {
    if (slot < this.slotOut || this.decisions.has(slot)) return;
    // Implausibly far ahead (a member sending nonsense): catch-up brings real ones in order. Our
    // own are kept: a leader that forgot a slot it decided could assign it again, under the
    // same ballot, to another command (PMMC Invariant A4).
    if (from === 'member' && slot >= this.slotOut + this.ctx.opts.maxSlotsAhead) return;
    this.decisions.set(slot, value);
    if (slot > this.maxDecided) this.maxDecided = slot;
    if (from === 'storage') {
      // Durable already.
    } else if (record === 'accepted') {
      this.ctx.persist.decideAccepted(slot);
    } else {
      this.ctx.persist.decide({ slot, value });
    }
    const out: ReplicaOutcome[] = [{ kind: 'learned', slot }];
    if (
      this.ctx.bug('skip-when-learned') &&
      this.initialized &&
      slot > this.slotOut &&
      this.skipOf(slot, value) !== undefined
    )
      this.slotOut = slot;
    if (this.initialized) yield* this.applyReady(out);
    else yield out;
  }

  isDecided(slot: Slot): boolean {
    return slot < this.slotOut || this.decisions.has(slot);
  }

  /**
   * PMMC: while a decision for slotOut exists, perform it. The outcomes join `out`, which goes
   * to the node after each slot, while slotOut still names it, and at the end.
   */
  private *applyReady(out: ReplicaOutcome[]): ReplicaOutcomes {
    const start = this.slotOut;
    for (;;) {
      const value = this.decisions.get(this.slotOut);
      if (value === undefined) break;
      const mine = this.proposals.get(this.slotOut);
      if (mine !== undefined) {
        this.proposals.delete(this.slotOut);
        // PMMC: "if a different command was decided in the slot, propose ours again". Commands
        // that took effect elsewhere meanwhile are recognised by the client table.
        if (!sameBytes(value, this.encodedProposals.get(mine) ?? EMPTY))
          this.requests.unshift(...mine);
      }
      const through = this.skipOf(this.slotOut, value);
      if (through === undefined) this.perform(this.slotOut, value, out);
      this.appliedBytes.set(this.slotOut, value.length);
      this.bytesSinceSnapshot += value.length;
      out.push({ kind: 'performed', slot: this.slotOut, value });
      // The node takes this slot's outcomes now, while slotOut still names it.
      yield out.splice(0);
      this.slotOut++;
      if (through !== undefined) yield* this.skip(through, out);
    }
    if (this.slotIn < this.slotOut) this.slotIn = this.slotOut;
    if (this.slotOut !== start) {
      this.maybeSnapshot();
      out.push({ kind: 'progressed' });
    }
    if (out.length > 0) yield out;
  }

  /**
   * The last slot the value of `slot` voids, if it is a valid skip: within the WINDOW
   * (skipThrough), and within the configuration that decides `slot` (a configuration's
   * acceptors void only slots of their own). Applied in slot order, every replica has the same
   * bytes, WINDOW and configuration history here (the configurations of the slots below
   * slot + WINDOW are known once the slots below `slot` are applied: PMMC §2.1), so all read
   * it alike: a bad skip is a no-op everywhere.
   */
  private skipOf(slot: Slot, value: Uint8Array): Slot | undefined {
    // In a log without skips a skip is a no-op, as a replica of a release before them reads it.
    if (!this.skips) return undefined;
    try {
      const through = skipThrough(value, slot, this.window);
      if (through === undefined) return undefined;
      const cfg = this.configs.at(slot);
      const end = cfg === undefined ? Infinity : this.configs.endOf(cfg.id);
      if (through >= end)
        throw new InvalidSkipError(`a skip in slot ${slot} through ${through} crosses slot ${end}`);
      return through;
    } catch (err) {
      this.ctx.trace(`${this.ctx.id} takes slot ${slot} for a no-op: ${String(err)}`);
      return undefined;
    }
  }

  /**
   * `index` moved past every slot that a skip decided or proposed at slotOut..index voids: a
   * linearizable read's index must be a slot after which the next one has to be chosen (a write
   * that completed before the read lies above it only if that next slot was chosen first). A
   * voided slot need never be chosen: a read confirmed for it would miss the writes after the
   * skip (simulator seed 9: a read confirmed in the old configuration for a voided slot missed
   * the new configuration's writes). Conservative: any value that looks like a skip counts.
   *
   * The walk stops once `index` reaches `limit` (the result is then some slot at or past it):
   * its cost is at most `limit - slotOut` slots, however far off a slot a message named. The
   * index can be raised without bound: a decision of this peer's own leader, or a pvalue in a
   * P1b that it re-proposed, may lie at any slot (a forged or corrupted one near 2^53 made this
   * walk run for ever, and the peer's event loop with it).
   */
  coverSkips(index: Slot, proposal: (slot: Slot) => Uint8Array | undefined, limit: Slot): Slot {
    if (!this.skips) return index;
    for (let s = this.slotOut; s <= index && index < limit; s++) {
      const value = this.decisions.get(s) ?? proposal(s);
      if (value === undefined) continue;
      let through: Slot | undefined;
      try {
        through = skipThrough(value, s, this.window);
      } catch {
        through = s + this.window - 1;
      }
      if (through !== undefined && through > index) index = through;
    }
    return index;
  }

  /**
   * A skip was applied: slots slotOut .. through are empty. Whatever is decided there is never
   * applied (here or anywhere); this replica's own commands there are proposed again, and the
   * client table recognises any that took effect elsewhere meanwhile.
   */
  private *skip(through: Slot, out: ReplicaOutcome[]): ReplicaOutcomes {
    const voided: Command[] = [];
    for (let s = this.slotOut; s <= through; s++) {
      const held = this.decisions.get(s);
      if (held !== undefined && this.ctx.bug('skip-applies-held')) {
        this.perform(s, held, out);
        yield out.splice(0); // as applyReady does after each slot
      }
      const mine = this.proposals.get(s);
      if (mine !== undefined) voided.push(...mine);
      this.proposals.delete(s);
      this.decisions.delete(s);
      out.push({ kind: 'learned', slot: s });
    }
    this.requests.unshift(...voided);
    this.ctx.trace(`${this.ctx.id} skips slots ${this.slotOut}..${through}`);
    this.slotOut = through + 1;
  }

  /** PMMC `perform`: apply every command of a decided batch, exactly once. */
  private perform(slot: Slot, value: Uint8Array, out: ReplicaOutcome[]): void {
    let batch: Command[];
    try {
      batch = decodeBatch(value);
    } catch (err) {
      // Every replica decodes the same bytes the same way, so skipping is deterministic.
      this.ctx.trace(`${this.ctx.id} skips undecodable slot ${slot}: ${String(err)}`);
      return;
    }
    for (const c of batch) {
      const adm = this.clients.admit(c);
      if (adm.kind === 'reordered') {
        out.push({ kind: 'reordered', command: c });
        continue;
      }
      if (adm.kind !== 'apply') continue;
      const outcome =
        c.kind === 'app' ? this.applyApp(c.op, slot, c.client) : this.applyReconfig(c, slot, out);
      this.clients.record(c, outcome);
      out.push({ kind: 'applied', command: c, outcome, slot });
    }
  }

  private applyApp(op: Uint8Array, slot: Slot, client: string): Outcome {
    try {
      return { ok: true, result: this.sm.apply(op, { slot, client }) };
    } catch (err) {
      return {
        ok: false,
        code: 'apply-error',
        message: err instanceof Error ? err.message : String(err),
      };
    }
  }

  private applyReconfig(
    c: Command & { kind: 'reconfig' },
    slot: Slot,
    out: ReplicaOutcome[],
  ): Outcome {
    const latest = this.configs.latest();
    if (latest === undefined)
      return { ok: false, code: 'no-configuration', message: 'no configuration' };
    if (latest.id !== c.expectedConfig) {
      return {
        ok: false,
        code: 'reconfig-conflict',
        message: `expected configuration ${c.expectedConfig}, the newest is ${latest.id}`,
      };
    }
    if (latest.start > slot) {
      return {
        ok: false,
        code: 'reconfig-pending',
        message: 'another membership change is still pending',
      };
    }
    let m;
    try {
      m = validateMembership(c.membership);
    } catch (err) {
      return { ok: false, code: 'invalid-membership', message: (err as Error).message };
    }
    // PMMC §2.1: a configuration decided in slot s governs from slot s + WINDOW.
    const start = slot + (this.ctx.bug('reconfig-immediate') ? 1 : this.window);
    const next: Configuration = { id: latest.id + 1, start, ...m };
    this.configs.add(next);
    this.ctx.trace(
      `${this.ctx.id} config ${next.id} from slot ${start}: acceptors ${next.acceptors.join(',')}`,
    );
    out.push({ kind: 'configAdded', config: next });
    return { ok: true, result: encodeConfigResult(next) };
  }

  /** Queue commands to be assigned to slots by this replica (it is beside the active leader). */
  submit(cmds: readonly Command[]): void {
    for (const c of cmds) this.requests.push(c);
  }

  /**
   * Assign queued requests to slots, one batch per slot, while the leader beside this replica
   * is active for the slot and the WINDOW allows; returns them (PMMC `propose`), for the node to
   * hand to that leader. When a membership change is waiting for its first slot and nothing
   * else is queued or known above, propose one skip up to it so that it takes effect promptly on
   * an idle log (no-ops fill the holes below slots known to be proposed or decided).
   */
  assign(leader: LeaderView): Proposal[] {
    const out: Proposal[] = [];
    if (!this.initialized) return out;
    const { maxBatchCommands, maxBatchBytes } = this.ctx.opts;
    const window = this.window;
    const latest = this.configs.latest();
    // slotIn is the lowest slot with neither a decision nor a proposal of this peer's leader:
    // after a leader change it may fall back below slots proposed earlier, into a hole that no
    // leader will fill otherwise. (The `no-gap-fill` bug leaves such holes, as PMMC's replica
    // does when no leader fills them.)
    this.slotIn = this.ctx.bug('no-gap-fill')
      ? Math.max(this.slotIn, this.slotOut, this.maxDecided + 1, leader.maxProposal() + 1)
      : this.slotOut;
    for (;;) {
      this.passTaken(leader);
      // PMMC: only within WINDOW of slotOut is the configuration of slotIn known.
      if (this.slotIn >= this.slotOut + window) break;
      // With nothing queued, fill with no-ops: up to a membership change waiting for its first
      // slot (so it takes effect on an idle log), and holes below a slot known to be decided
      // (so the log does not stall behind them).
      const fill =
        this.requests.length === 0 &&
        ((latest !== undefined && latest.start > this.slotIn) || this.slotIn < this.maxDecided);
      if (this.requests.length === 0 && !fill) break;
      if (!leader.mayPropose(this.slotIn)) break;
      const skipTo = latest === undefined ? 0 : latest.start - 1;
      if (
        this.requests.length === 0 &&
        this.skips &&
        skipTo > this.slotIn &&
        this.slotIn > this.maxDecided &&
        this.slotIn > leader.maxProposal()
      ) {
        // Nothing is known above slotIn: one skip up to the slot where the change governs. Its
        // range is within the bound, as that change was applied below slotOut, so skipTo <
        // slotOut + WINDOW - 1.
        out.push({ slot: this.slotIn, value: encodeSkip(this.slotIn, skipTo, window) });
        this.slotIn = skipTo + 1;
        continue;
      }
      let n = 0;
      let bytes = 0;
      while (n < this.requests.length && n < maxBatchCommands) {
        const r = this.requests[n]!;
        const size = r.kind === 'app' ? r.op.length + 16 : 256;
        if (n > 0 && bytes + size > maxBatchBytes) break;
        bytes += size;
        n++;
      }
      const cmds = this.requests.splice(0, n);
      const value = encodeBatch(cmds);
      out.push({ slot: this.slotIn, value });
      if (cmds.length > 0) {
        this.proposals.set(this.slotIn, cmds);
        this.encodedProposals.set(cmds, value);
      }
      this.slotIn++;
    }
    return out;
  }

  /**
   * Move slotIn past the slots taken: decided, or proposed by the leader beside this replica;
   * past the slots a skip voids too, when one is decided or proposed at slotIn (what is
   * assigned there would only be voided and proposed again).
   */
  private passTaken(leader: LeaderView): void {
    for (;;) {
      const proposal = leader.proposal(this.slotIn);
      const through = this.skipAt(this.slotIn, proposal);
      if (through !== undefined) this.slotIn = through + 1;
      else if (
        proposal !== undefined ||
        this.decisions.has(this.slotIn) ||
        this.slotIn < this.slotOut
      )
        this.slotIn++;
      else return;
    }
  }

  /**
   * The last slot a skip at `slot` voids: the value decided there, else `proposal` (a leader's
   * value for the slot); undefined when neither is a valid skip as this replica can judge now
   * (skipOf: a configuration it has not applied yet may still make it a no-op).
   */
  skipAt(slot: Slot, proposal: Uint8Array | undefined): Slot | undefined {
    const value = this.decisions.get(slot) ?? proposal;
    return value === undefined ? undefined : this.skipOf(slot, value);
  }

  private maybeSnapshot(): void {
    // Every `snapshotInterval` slots, or sooner once the decisions applied since hold
    // `snapshotIntervalBytes` (at least SNAPSHOT_GROWTH times the previous snapshot): decided
    // values are kept until a snapshot lets them go, so their bytes are what must be bounded
    // (the size rule of Ongaro's dissertation, ch. 5, on log compaction). Kept in storage: in
    // memory only until applied and durable (`release`).
    const last = this.slotOut - 1;
    const prev = this.snapshot?.slot ?? 0;
    const bytes = Math.max(
      this.ctx.opts.snapshotIntervalBytes,
      SNAPSHOT_GROWTH * (this.snapshot?.data.length ?? 0),
    );
    if (last - prev < this.ctx.opts.snapshotInterval && this.bytesSinceSnapshot < bytes) return;
    this.takeSnapshot();
  }

  /**
   * The first decision to keep below a snapshot through `slot`: at most `logRetention` of
   * them, holding at most `logRetentionBytes` (a peer further behind gets the snapshot).
   */
  private retainFrom(slot: Slot): Slot {
    const { logRetention, logRetentionBytes } = this.ctx.opts;
    const floor = Math.max(this.retainedFrom, slot + 1 - logRetention);
    let bytes = 0;
    for (let s = slot; s >= floor; s--) {
      bytes += this.appliedBytes.get(s) ?? 0;
      if (bytes > logRetentionBytes) return s + 1;
    }
    return floor;
  }

  /**
   * Snapshot the state through slotOut - 1 and compact the log below it. A configuration whose
   * last slot is the snapshot's own stays (the next snapshot drops it): its members may still
   * need the decision of that slot, sent in this very turn, and dropping the configuration
   * takes them off the transport's members at once. A skip made this common: it applies the
   * last slots of a configuration in one step, so the snapshot falls right on its end, and a
   * removed peer was cut off before the skip's decision reached it, never learning its removal
   * (test/attacks/outsiders.test.ts under load, 3 of 3 runs).
   */
  takeSnapshot(): void {
    const slot = this.slotOut - 1;
    if (this.snapshot !== null && this.snapshot.slot >= slot) return;
    const data = encodeSnapshot({
      slot,
      window: this.window,
      skips: this.skips,
      configs: this.configs.all().filter((c) => this.configs.endOf(c.id) > slot),
      clients: this.clients.entriesSorted(),
      app: this.sm.snapshot(),
    });
    this.snapshot = { slot, data };
    this.bytesSinceSnapshot = 0;
    const keepFrom = this.retainFrom(slot);
    this.ctx.persist.setSnapshot(this.snapshot, keepFrom);
    this.pendingSnapshotSlot = slot;
    for (const s of this.decisions.keys()) if (s < keepFrom) this.decisions.delete(s);
    for (const s of this.appliedBytes.keys()) if (s < keepFrom) this.appliedBytes.delete(s);
    this.retainedFrom = keepFrom;
    this.heldFrom = Math.max(this.heldFrom, keepFrom);
    this.configs.dropBefore(slot);
  }

  /**
   * Every decision below `upTo` is applied and durable here (the node learned it from a
   * completed write): let the values go. Catch-up reads them from storage from now on.
   */
  release(upTo: Slot): void {
    const to = Math.min(upTo, this.slotOut);
    for (let s = this.heldFrom; s < to; s++) this.decisions.delete(s);
    if (to > this.heldFrom) this.heldFrom = to;
  }

  /** Every peer of the newest configuration. */
  members(): readonly PeerId[] {
    const latest = this.configs.latest();
    return latest === undefined ? [] : membersOf(latest);
  }

  /**
   * Up to `max` consecutive decisions from `from`, within `maxBytes` (at least one), taken from
   * `decisions` (or, with `read`, from those a storage read returned). Consecutive as the asker
   * applies them: after a skip, the next one is the slot after what it voids (this replica may
   * hold nothing in between).
   */
  decisionsFrom(
    from: Slot,
    max: number,
    maxBytes: number,
    read: (slot: Slot) => Uint8Array | undefined = (s) => this.decisions.get(s),
  ): Decided[] {
    const out: Decided[] = [];
    let bytes = 0;
    for (let s = from; out.length < max; s++) {
      const value = read(s);
      if (value === undefined) break;
      if (out.length > 0 && bytes + value.length > maxBytes) break;
      out.push({ slot: s, value });
      bytes += value.length;
      s = this.skipOf(s, value) ?? s;
    }
    return out;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
