/**
 * Collects the changes of one turn into one StorageBatch (group commit). Later changes to the
 * same key replace earlier ones, so a batch never holds two versions of a promise or a pvalue.
 */
import type { Ballot } from './ballot.js';
import type { Decided, PValue } from './messages.js';
import type { Snapshot, StorageBatch } from './storage.js';
import type { ConfigId, Slot } from './types.js';

export class PersistBuilder {
  private promises = new Map<ConfigId, Ballot>();
  private accepted = new Map<Slot, PValue>();
  private decisions: Decided[] = [];
  private decidedAccepted: Slot[] = [];
  private snapshot: Snapshot | undefined;
  private truncateBelow: Slot | undefined;
  private watermark: Slot | undefined;
  private dropPromisesBelow: ConfigId | undefined;
  private incarnation: number | undefined;
  private amnesia: string | undefined;
  private dirty = false;

  get isEmpty(): boolean {
    return !this.dirty;
  }

  /** Only decisions changed: no acceptor state, snapshot or incarnation waits to be written. */
  holdsOnlyDecisions(): boolean {
    return (
      this.dirty &&
      this.promises.size === 0 &&
      this.accepted.size === 0 &&
      this.snapshot === undefined &&
      this.truncateBelow === undefined &&
      this.watermark === undefined &&
      this.dropPromisesBelow === undefined &&
      this.incarnation === undefined &&
      // A rolled-back verdict is written at once, not held with decisions.
      this.amnesia === undefined
    );
  }

  /** How many decisions wait to be written. */
  get decisionCount(): number {
    return this.decisions.length + this.decidedAccepted.length;
  }

  promise(config: ConfigId, ballot: Ballot): void {
    this.promises.set(config, ballot);
    this.dirty = true;
  }

  accept(pv: PValue): void {
    this.accepted.set(pv.slot, pv);
    this.dirty = true;
  }

  decide(d: Decided): void {
    this.decisions.push(d);
    this.dirty = true;
  }

  /** Slot `slot` is decided with the value of the pvalue accepted there (StorageBatch). */
  decideAccepted(slot: Slot): void {
    this.decidedAccepted.push(slot);
    this.dirty = true;
  }

  setSnapshot(s: Snapshot, truncateBelow: Slot): void {
    this.snapshot = s;
    this.truncateBelow = Math.max(this.truncateBelow ?? 0, truncateBelow);
    this.dirty = true;
  }

  setWatermark(w: Slot): void {
    this.watermark = Math.max(this.watermark ?? 0, w);
    // pvalues below the watermark are gone: do not write them either.
    for (const slot of this.accepted.keys()) if (slot < w) this.accepted.delete(slot);
    this.dirty = true;
  }

  dropPromises(below: ConfigId): void {
    this.dropPromisesBelow = Math.max(this.dropPromisesBelow ?? 0, below);
    for (const c of this.promises.keys()) if (c < below) this.promises.delete(c);
    this.dirty = true;
  }

  setIncarnation(inc: number): void {
    this.incarnation = inc;
    this.dirty = true;
  }

  setAmnesia(why: string): void {
    this.amnesia = why;
    this.dirty = true;
  }

  /** The batch, or null when nothing changed; resets the builder. */
  take(): StorageBatch | null {
    if (!this.dirty) return null;
    const b: StorageBatch = {};
    if (this.incarnation !== undefined) b.incarnation = this.incarnation;
    if (this.amnesia !== undefined) b.amnesia = this.amnesia;
    if (this.promises.size > 0) {
      b.promises = [...this.promises].map(([config, ballot]) => ({ config, ballot }));
    }
    if (this.accepted.size > 0) b.accepted = [...this.accepted.values()];
    if (this.decisions.length > 0) {
      const below = this.truncateBelow ?? 0;
      const kept = this.decisions.filter((d) => d.slot >= below);
      if (kept.length > 0) b.decisions = kept;
    }
    if (this.decidedAccepted.length > 0) {
      const below = this.truncateBelow ?? 0;
      const kept = this.decidedAccepted.filter((s) => s >= below);
      if (kept.length > 0) b.decidedAccepted = kept;
    }
    if (this.snapshot !== undefined) b.snapshot = this.snapshot;
    if (this.truncateBelow !== undefined) b.truncateDecisionsBelow = this.truncateBelow;
    if (this.watermark !== undefined) b.watermark = this.watermark;
    if (this.dropPromisesBelow !== undefined) b.dropPromisesBelow = this.dropPromisesBelow;
    this.promises = new Map();
    this.accepted = new Map();
    this.decisions = [];
    this.decidedAccepted = [];
    this.snapshot = undefined;
    this.truncateBelow = undefined;
    this.watermark = undefined;
    this.dropPromisesBelow = undefined;
    this.incarnation = undefined;
    this.amnesia = undefined;
    this.dirty = false;
    return b;
  }
}
