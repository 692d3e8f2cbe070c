// The state machine of the cluster benchmarks: it counts commands and folds every command's bytes
// into a hash (so that replicas can be compared), and optionally keeps the last value written to
// each of `keyspace` keys (the first 4 bytes of a command pick its key), so that the app state and
// its snapshots have a realistic size. Its results are empty: the benchmarks measure Synod, not
// the app.

const EMPTY = new Uint8Array(0);

export class BenchStateMachine {
  /** @param {number} [keyspace] 0: keep no values */
  constructor(keyspace = 0) {
    this.keyspace = keyspace;
    this.count = 0;
    this.hash = 0x811c9dc5;
    /** @type {Map<number, Uint8Array>} */
    this.values = new Map();
  }

  /** @param {Uint8Array} cmd @returns {Uint8Array} */
  apply(cmd) {
    this.count++;
    // FNV-1a's step over 32-bit words, then the odd bytes: every byte counts, at a quarter of
    // the multiplications of a byte-wise loop (this runs on every replica for every command,
    // and its CPU counts in Synod's).
    let h = this.hash;
    const n = cmd.length;
    let i = 0;
    for (; i + 4 <= n; i += 4)
      h = Math.imul(
        h ^ (cmd[i] | (cmd[i + 1] << 8) | (cmd[i + 2] << 16) | (cmd[i + 3] << 24)),
        0x01000193,
      );
    for (; i < n; i++) h = Math.imul(h ^ cmd[i], 0x01000193);
    this.hash = h >>> 0;
    if (this.keyspace > 0 && cmd.length >= 4) {
      const key = (cmd[0] | (cmd[1] << 8) | (cmd[2] << 16) | (cmd[3] << 24)) >>> 0;
      this.values.set(key % this.keyspace, cmd.slice());
    }
    return EMPTY;
  }

  /** @returns {Uint8Array} */
  snapshot() {
    let size = 16;
    for (const v of this.values.values()) size += 8 + v.length;
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    dv.setFloat64(0, this.count);
    dv.setUint32(8, this.hash);
    dv.setUint32(12, this.values.size);
    let o = 16;
    for (const [k, v] of this.values) {
      dv.setUint32(o, k);
      dv.setUint32(o + 4, v.length);
      out.set(v, o + 8);
      o += 8 + v.length;
    }
    return out;
  }

  /** @param {Uint8Array} snap */
  restore(snap) {
    const dv = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
    this.count = dv.getFloat64(0);
    this.hash = dv.getUint32(8);
    const n = dv.getUint32(12);
    this.values = new Map();
    let o = 16;
    for (let i = 0; i < n; i++) {
      const k = dv.getUint32(o);
      const len = dv.getUint32(o + 4);
      this.values.set(k, snap.slice(o + 8, o + 8 + len));
      o += 8 + len;
    }
  }
}

/** 0, 1, ..., 255, 0, 1, ...: byte i of a command is (n + i) & 0xff, a slice of this. */
const RAMP = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);

/**
 * A command of `size` bytes whose first 8 bytes are a number (its key is the low 32 bits), the
 * rest (n + i) & 0xff. The load generator runs in the leader's process and its CPU counts in
 * Synod's: the bytes are copied from a ramp, not computed one by one (half the cost).
 * @param {number} n @param {number} size
 */
export function benchCommand(n, size) {
  const b = new Uint8Array(size);
  const lo = n >>> 0;
  const hi = Math.floor(n / 2 ** 32);
  b[0] = lo;
  b[1] = lo >>> 8;
  b[2] = lo >>> 16;
  b[3] = lo >>> 24;
  b[4] = hi;
  b[5] = hi >>> 8;
  b[6] = hi >>> 16;
  b[7] = hi >>> 24;
  const from = (n + 8) & 0xff;
  if (size - 8 <= RAMP.length - 256) b.set(RAMP.subarray(from, from + size - 8), 8);
  else for (let i = 8; i < size; i++) b[i] = (n + i) & 0xff;
  return b;
}
