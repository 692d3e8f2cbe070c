/** Text helpers of the UI: times, peer ids, operations, and the patch of an edit. */
import type { Patch } from '../src/desktop/bridge-api.js';

export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-6)}` : id;
}

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

export function clock(ms: number): string {
  if (ms <= 0) return '';
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/**
 * One patch turning `from` into `to`: keep the common prefix and suffix, replace the middle.
 * Never cuts a surrogate pair (the peer refuses patches that would).
 */
export function diffPatch(from: string, to: string): Patch[] {
  if (from === to) return [];
  let start = 0;
  const max = Math.min(from.length, to.length);
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)
  ) {
    end++;
  }
  const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
  // Step back off the middle of a pair at either cut.
  if (start > 0 && isLow(from.charCodeAt(start))) start--;
  if (end > 0 && isLow(from.charCodeAt(from.length - end))) end--;
  return [[start, from.length - start - end, to.slice(start, to.length - end)]];
}
