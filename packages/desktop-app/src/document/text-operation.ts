/**
 * Operational transformation of plain-text edits, for rebasing an edit made against an older
 * version of an entry over the edits decided since (the approach and the algorithm of ot.js,
 * Tim Baumann's implementation of Jupiter/Google Wave OT: an operation is a run of retain,
 * insert and delete components spanning the whole document).
 *
 * The log decides a total order, so a rebase is one transform of "ours" over the composition of
 * "theirs" — done inside the state machine, deterministically, identically on every replica.
 */
import type { Patch } from './types.js';

/** A component: a positive number retains, a negative one deletes, a string inserts. */
type Component = number | string;

export class TextOperation {
  readonly ops: Component[] = [];
  /** Length of the document the operation applies to. */
  baseLength = 0;
  /** Length of the document it produces. */
  targetLength = 0;

  retain(n: number): this {
    if (n === 0) return this;
    this.baseLength += n;
    this.targetLength += n;
    const last = this.ops[this.ops.length - 1];
    if (typeof last === 'number' && last > 0) this.ops[this.ops.length - 1] = last + n;
    else this.ops.push(n);
    return this;
  }

  insert(s: string): this {
    if (s.length === 0) return this;
    this.targetLength += s.length;
    const ops = this.ops;
    const last = ops[ops.length - 1];
    if (typeof last === 'string') {
      ops[ops.length - 1] = last + s;
    } else if (typeof last === 'number' && last < 0) {
      // Keep inserts before deletes at one position: one canonical form.
      const before = ops[ops.length - 2];
      if (typeof before === 'string') ops[ops.length - 2] = before + s;
      else {
        ops[ops.length - 1] = s;
        ops.push(last);
      }
    } else {
      ops.push(s);
    }
    return this;
  }

  delete(n: number): this {
    if (n === 0) return this;
    this.baseLength += n;
    const last = this.ops[this.ops.length - 1];
    if (typeof last === 'number' && last < 0) this.ops[this.ops.length - 1] = last - n;
    else this.ops.push(-n);
    return this;
  }

  /** The operation of one patch on a document of `length` code units (range already checked). */
  static fromPatch(length: number, [pos, del, ins]: Patch): TextOperation {
    return new TextOperation()
      .retain(pos)
      .delete(del)
      .insert(ins)
      .retain(length - pos - del);
  }

  /**
   * The operation of patches applied one after the other to a document of `length` code units,
   * or undefined if a patch falls outside the document it applies to.
   */
  static fromPatches(length: number, patches: readonly Patch[]): TextOperation | undefined {
    let op = new TextOperation().retain(length);
    for (const p of patches) {
      const [pos, del] = p;
      if (pos + del > op.targetLength) return undefined;
      op = op.compose(TextOperation.fromPatch(op.targetLength, p));
    }
    return op;
  }

  /** The operation as patches to apply one after the other (positions in the changing text). */
  toPatches(): Patch[] {
    const out: [number, number, string][] = [];
    let pos = 0;
    for (const c of this.ops) {
      if (typeof c === 'string') {
        out.push([pos, 0, c]);
        pos += c.length;
      } else if (c > 0) {
        pos += c;
      } else {
        // Canonical form puts an insert before a delete at one place: together, one patch.
        const last = out[out.length - 1];
        if (last !== undefined && last[1] === 0 && last[0] + last[2].length === pos) last[1] = -c;
        else out.push([pos, -c, '']);
      }
    }
    return out;
  }

  /**
   * Where this operation changes its base document: one closed range [start, end] per run of
   * deletes and inserts, in base coordinates (an insert alone is [pos, pos]). Two operations
   * made against the same document whose ranges meet anywhere (overlap, or touch at a point)
   * changed the same text, or text next to each other's change, so neither one's intent is
   * clear once both apply: see `overlaps`.
   */
  changedRanges(): [start: number, end: number][] {
    const out: [number, number][] = [];
    let pos = 0;
    let open: [number, number] | undefined;
    for (const c of this.ops) {
      if (typeof c === 'number' && c > 0) {
        open = undefined;
        pos += c;
        continue;
      }
      const del = typeof c === 'number' ? -c : 0;
      if (open === undefined) {
        open = [pos, pos];
        out.push(open);
      }
      pos += del;
      open[1] = pos;
    }
    return out;
  }

  /**
   * Whether two operations on the same document change the same text or text that touches:
   * their changed ranges meet. Two replacements of one word ("Friday" to "Monday" and to
   * "Tuesday"), two inserts at one place (which first?), an insert inside or at the edge of a
   * deleted range: each is a conflict, never a splice. Disjoint changes both apply exactly.
   */
  static overlaps(a: TextOperation, b: TextOperation): boolean {
    const x = a.changedRanges();
    const y = b.changedRanges();
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      const [s1, e1] = x[i]!;
      const [s2, e2] = y[j]!;
      if (s1 <= e2 && s2 <= e1) return true;
      if (e1 < s2) i++;
      else j++;
    }
    return false;
  }

  /** This operation followed by `next` (ot.js compose). */
  compose(next: TextOperation): TextOperation {
    if (this.targetLength !== next.baseLength) {
      throw new RangeError('compose: the second operation does not apply to the first result');
    }
    const out = new TextOperation();
    const ops1 = this.ops;
    const ops2 = next.ops;
    let i1 = 0;
    let i2 = 0;
    let op1 = ops1[i1++];
    let op2 = ops2[i2++];
    for (;;) {
      if (op1 === undefined && op2 === undefined) break;
      if (typeof op1 === 'number' && op1 < 0) {
        out.delete(-op1);
        op1 = ops1[i1++];
        continue;
      }
      if (typeof op2 === 'string') {
        out.insert(op2);
        op2 = ops2[i2++];
        continue;
      }
      if (op1 === undefined || op2 === undefined) {
        throw new RangeError('compose: operations of different lengths');
      }
      if (typeof op1 === 'number' && op2 > 0) {
        // retain / retain
        if (op1 > op2) {
          out.retain(op2);
          op1 -= op2;
          op2 = ops2[i2++];
        } else if (op1 === op2) {
          out.retain(op1);
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          out.retain(op1);
          op2 -= op1;
          op1 = ops1[i1++];
        }
      } else if (typeof op1 === 'string' && op2 < 0) {
        // insert / delete: they cancel out
        if (op1.length > -op2) {
          op1 = op1.slice(-op2);
          op2 = ops2[i2++];
        } else if (op1.length === -op2) {
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          op2 += op1.length;
          op1 = ops1[i1++];
        }
      } else if (typeof op1 === 'string') {
        // insert / retain
        if (op1.length > op2) {
          out.insert(op1.slice(0, op2));
          op1 = op1.slice(op2);
          op2 = ops2[i2++];
        } else if (op1.length === op2) {
          out.insert(op1);
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          out.insert(op1);
          op2 -= op1.length;
          op1 = ops1[i1++];
        }
      } else {
        // retain / delete
        if (op1 > -op2) {
          out.delete(-op2);
          op1 += op2;
          op2 = ops2[i2++];
        } else if (op1 === -op2) {
          out.delete(-op2);
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          out.delete(op1);
          op2 += op1;
          op1 = ops1[i1++];
        }
      }
    }
    return out;
  }

  /**
   * ot.js transform: for `a` and `b` made against the same document, returns [a', b'] with
   * apply(apply(doc, a), b') = apply(apply(doc, b), a'). At one position, `a`'s insert comes
   * first: pass the operation decided first as `a`.
   */
  static transform(a: TextOperation, b: TextOperation): [TextOperation, TextOperation] {
    if (a.baseLength !== b.baseLength) {
      throw new RangeError('transform: the operations apply to different documents');
    }
    const aPrime = new TextOperation();
    const bPrime = new TextOperation();
    const ops1 = a.ops;
    const ops2 = b.ops;
    let i1 = 0;
    let i2 = 0;
    let op1 = ops1[i1++];
    let op2 = ops2[i2++];
    for (;;) {
      if (op1 === undefined && op2 === undefined) break;
      if (typeof op1 === 'string') {
        aPrime.insert(op1);
        bPrime.retain(op1.length);
        op1 = ops1[i1++];
        continue;
      }
      if (typeof op2 === 'string') {
        aPrime.retain(op2.length);
        bPrime.insert(op2);
        op2 = ops2[i2++];
        continue;
      }
      if (op1 === undefined || op2 === undefined) {
        throw new RangeError('transform: operations of different lengths');
      }
      let min: number;
      if (op1 > 0 && op2 > 0) {
        if (op1 > op2) {
          min = op2;
          op1 -= op2;
          op2 = ops2[i2++];
        } else if (op1 === op2) {
          min = op2;
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          min = op1;
          op2 -= op1;
          op1 = ops1[i1++];
        }
        aPrime.retain(min);
        bPrime.retain(min);
      } else if (op1 < 0 && op2 < 0) {
        // Both delete the same text: it is gone once.
        if (-op1 > -op2) {
          op1 -= op2;
          op2 = ops2[i2++];
        } else if (op1 === op2) {
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          op2 -= op1;
          op1 = ops1[i1++];
        }
      } else if (op1 < 0) {
        // delete / retain
        if (-op1 > op2) {
          min = op2;
          op1 += op2;
          op2 = ops2[i2++];
        } else if (-op1 === op2) {
          min = op2;
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          min = -op1;
          op2 += op1;
          op1 = ops1[i1++];
        }
        aPrime.delete(min);
      } else {
        // retain / delete
        if (op1 > -op2) {
          min = -op2;
          op1 += op2;
          op2 = ops2[i2++];
        } else if (op1 === -op2) {
          min = op1;
          op1 = ops1[i1++];
          op2 = ops2[i2++];
        } else {
          min = op1;
          op2 += op1;
          op1 = ops1[i1++];
        }
        bPrime.delete(min);
      }
    }
    return [aPrime, bPrime];
  }
}
