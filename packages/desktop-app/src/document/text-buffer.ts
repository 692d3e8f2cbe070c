/**
 * An entry's text as a gap buffer of UTF-16 code units. A person types where they typed last,
 * so an edit costs about the length of the edit plus the distance the cursor moved, not the
 * length of the document (a slice-and-concat per keystroke copies the whole body: fine for a
 * note, not for replaying the 260k edits of a paper).
 */
import { isHighSurrogate, isLowSurrogate } from './text.js';

const CHUNK = 8192;

export class TextBuffer {
  private buf: Uint16Array;
  private gapStart = 0;
  private gapEnd: number;

  constructor(initial = '') {
    this.buf = new Uint16Array(Math.max(64, initial.length * 2));
    this.gapEnd = this.buf.length;
    this.insert(initial);
  }

  get length(): number {
    return this.buf.length - (this.gapEnd - this.gapStart);
  }

  /** The code unit at `i` (0 <= i < length). */
  codeAt(i: number): number {
    return i < this.gapStart ? this.buf[i]! : this.buf[i + (this.gapEnd - this.gapStart)]!;
  }

  /** Whether cutting the text at `pos` would split a surrogate pair in two. */
  splitsPair(pos: number): boolean {
    return (
      pos > 0 &&
      pos < this.length &&
      isHighSurrogate(this.codeAt(pos - 1)) &&
      isLowSurrogate(this.codeAt(pos))
    );
  }

  /**
   * Replace `del` code units at `pos` by `ins`; returns what was deleted (to undo with). The
   * caller checks the range: pos + del <= length.
   */
  splice(pos: number, del: number, ins: string): string {
    this.moveGap(pos);
    const removed = del === 0 ? '' : decode(this.buf, this.gapEnd, this.gapEnd + del);
    this.gapEnd += del;
    this.insert(ins);
    return removed;
  }

  slice(from: number, to: number): string {
    if (to <= this.gapStart) return decode(this.buf, from, to);
    const gap = this.gapEnd - this.gapStart;
    if (from >= this.gapStart) return decode(this.buf, from + gap, to + gap);
    return decode(this.buf, from, this.gapStart) + decode(this.buf, this.gapEnd, to + gap);
  }

  toString(): string {
    return this.slice(0, this.length);
  }

  private insert(s: string): void {
    if (s.length === 0) return;
    this.grow(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.gapStart++] = s.charCodeAt(i);
  }

  private moveGap(pos: number): void {
    if (pos < this.gapStart) {
      const n = this.gapStart - pos;
      this.buf.copyWithin(this.gapEnd - n, pos, this.gapStart);
      this.gapStart -= n;
      this.gapEnd -= n;
    } else if (pos > this.gapStart) {
      const n = pos - this.gapStart;
      this.buf.copyWithin(this.gapStart, this.gapEnd, this.gapEnd + n);
      this.gapStart += n;
      this.gapEnd += n;
    }
  }

  private grow(need: number): void {
    if (this.gapEnd - this.gapStart >= need) return;
    const size = Math.max(this.buf.length * 2, this.length + need + 64);
    const next = new Uint16Array(size);
    next.set(this.buf.subarray(0, this.gapStart), 0);
    const tail = this.buf.length - this.gapEnd;
    next.set(this.buf.subarray(this.gapEnd), size - tail);
    this.gapEnd = size - tail;
    this.buf = next;
  }
}

function decode(buf: Uint16Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i += CHUNK) {
    out += String.fromCharCode(...buf.subarray(i, Math.min(to, i + CHUNK)));
  }
  return out;
}
