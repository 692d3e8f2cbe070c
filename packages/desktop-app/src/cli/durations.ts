/**
 * Durations for --ttl and --timeout, always with a unit: "90s", "15m", "24h", "7d", "500ms".
 * A bare number is refused: "--ttl 5" could mean seconds, minutes or milliseconds.
 */
import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_MS = 30 * 86_400_000;

export function parseDuration(text: string, what: string): number {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) {
    throw new CliError(`${what} needs a unit: ${t}s, ${t}m, ${t}h or ${t}d (or ${t}ms)`, 2);
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t);
  if (m === null) throw new CliError(`${what} must be a duration like 90s, 15m, 24h or 7d`, 2);
  const ms = Math.round(Number(m[1]) * UNITS[m[2]!]!);
  if (!(ms >= 1) || ms > MAX_MS) throw new CliError(`${what} must be between 1ms and 30d`, 2);
  return ms;
}
