/**
 * Text checks shared by the state machine and its clients. Positions are UTF-16 code units (as
 * in JavaScript strings and the editing trace). A command's text travels as UTF-8, and
 * `strictUtf8` refuses any byte sequence that is not UTF-8 (encoded surrogates included), so
 * decoded text is always well-formed; the one way left to make ill-formed text is to cut a
 * surrogate pair with a patch boundary (TextBuffer.splitsPair).
 */

/** A UTF-8 decoder that throws instead of substituting U+FFFD. */
export const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Whether `s` is well-formed UTF-16 (no lone surrogates). Only such text survives encoding:
 * TextEncoder would silently turn a lone surrogate into U+FFFD.
 */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (isLowSurrogate(c)) return false;
    if (i + 1 >= s.length || !isLowSurrogate(s.charCodeAt(i + 1))) return false;
    i++;
  }
  return true;
}
