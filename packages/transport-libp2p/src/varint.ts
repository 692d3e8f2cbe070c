/**
 * Unsigned LEB128 varints for frame headers. @libp2p/utils' LengthPrefixedDecoder costs
 * 8-10 µs per chunk (it throws and catches at every chunk end); these helpers cost a fraction of
 * a microsecond, which matters at a million messages a second.
 */

/** The most bytes a header varint may take: 8 bytes hold 56 bits, beyond any frame we skip. */
export const MAX_VARINT_BYTES = 8;

export function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}

/** Write `n` (a safe non-negative integer) at `offset`; returns the offset after it. */
export function writeVarint(buf: Uint8Array, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[offset++] = n;
  return offset;
}
