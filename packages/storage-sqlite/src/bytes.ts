/**
 * Conversions between the Uint8Arrays the core uses and the Buffers better-sqlite3 binds and
 * returns, without copying where the bytes are only read.
 */

/** A Buffer over the same memory (better-sqlite3 binds Buffers as BLOBs). */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * A plain Uint8Array over the same memory. Handing the core plain arrays keeps Buffer's
 * different `slice` semantics (a view, not a copy) out of code that expects Uint8Array's.
 */
export function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** `data` cut into views of at most `size` bytes (at least one, possibly empty, chunk). */
export function chunksOf(data: Uint8Array, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) {
    out.push(asBuffer(data.subarray(off, Math.min(off + size, data.length))));
  }
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}
