/** Text helpers of the UI: times, peer ids. */

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

/** Dates as people read them here (one formatter: building one per call costs more than the row). */
const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** A date and time as people read it here (the proposer's clock: informational). */
export function dateTime(ms: number): string {
  return ms <= 0 ? '' : DATE_TIME.format(ms);
}

/** What went wrong, in words: never `[object Event]` (a failed connection throws an Event). */
/**
 * Whether a write that failed with `err` may still be decided: its answer was lost with the
 * link to the peer, or the peer stopped waiting for it (no majority, a timeout, a stop) after
 * proposing it. Not "not saved": the user would write it again (a second copy of an append).
 */
export function mayStillCommit(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'unreachable' || code === 'no-majority' || code === 'timeout' || code === 'stopped'
  );
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof Event !== 'undefined' && err instanceof Event) {
    return `the connection failed (${err.type})`;
  }
  if (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { message?: unknown }).message === 'string'
  ) {
    return (err as { message: string }).message;
  }
  return typeof err === 'string' ? err : 'an unknown error';
}
