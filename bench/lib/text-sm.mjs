// A minimal replicated text document for the `trace` suite, used until the desktop app's
// document-log state machine (issue 6) is available: one document, and commands that are edits
// [pos, del, ins] (positions in UTF-16 code units, as the editing trace's are). The text lives in
// a gap buffer, so that a typist's local edits cost O(length of the edit), not O(document).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encode an edit as a command: pos (u32), del (u32), then the inserted text in UTF-8. */
export function encodeEdit(/** @type {number} */ pos, /** @type {number} */ del, ins = '') {
  const text = encoder.encode(ins);
  const b = new Uint8Array(8 + text.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, pos, true);
  dv.setUint32(4, del, true);
  b.set(text, 8);
  return b;
}

const EMPTY = new Uint8Array(0);

export class TextStateMachine {
  constructor(initial = '') {
    this.buf = new Uint16Array(Math.max(1024, initial.length * 2));
    this.gapStart = 0;
    this.gapEnd = this.buf.length;
    this.edits = 0;
    this.insertText(initial);
  }

  /** Edits applied (the benchmarks' progress counter). */
  get count() {
    return this.edits;
  }

  get length() {
    return this.buf.length - (this.gapEnd - this.gapStart);
  }

  /** @param {number} pos */
  moveGap(pos) {
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

  /** @param {number} need */
  grow(need) {
    if (this.gapEnd - this.gapStart >= need) return;
    const len = this.length;
    const size = Math.max(this.buf.length * 2, len + need + 1024);
    const b = new Uint16Array(size);
    b.set(this.buf.subarray(0, this.gapStart), 0);
    const tail = this.buf.length - this.gapEnd;
    b.set(this.buf.subarray(this.gapEnd), size - tail);
    this.gapEnd = size - tail;
    this.buf = b;
  }

  /** @param {string} s */
  insertText(s) {
    this.grow(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.gapStart++] = s.charCodeAt(i);
  }

  /** @param {Uint8Array} cmd @returns {Uint8Array} */
  apply(cmd) {
    const dv = new DataView(cmd.buffer, cmd.byteOffset, cmd.byteLength);
    const pos = dv.getUint32(0, true);
    const del = dv.getUint32(4, true);
    if (pos + del > this.length)
      throw new Error(`edit out of range: ${pos}+${del} > ${this.length}`);
    this.moveGap(pos);
    this.gapEnd += del;
    if (cmd.length > 8) this.insertText(decoder.decode(cmd.subarray(8)));
    this.edits++;
    return EMPTY;
  }

  text() {
    let out = '';
    const chunk = 8192;
    for (const [from, to] of [
      [0, this.gapStart],
      [this.gapEnd, this.buf.length],
    ]) {
      for (let i = from; i < to; i += chunk) {
        out += String.fromCharCode(...this.buf.subarray(i, Math.min(to, i + chunk)));
      }
    }
    return out;
  }

  /** @returns {Uint8Array} */
  snapshot() {
    const text = encoder.encode(this.text());
    const b = new Uint8Array(8 + text.length);
    new DataView(b.buffer).setFloat64(0, this.edits, true);
    b.set(text, 8);
    return b;
  }

  /** @param {Uint8Array} snap */
  restore(snap) {
    this.edits = new DataView(snap.buffer, snap.byteOffset, snap.byteLength).getFloat64(0, true);
    const text = decoder.decode(snap.subarray(8));
    this.buf = new Uint16Array(Math.max(1024, text.length * 2));
    this.gapStart = 0;
    this.gapEnd = this.buf.length;
    this.insertText(text);
  }
}
