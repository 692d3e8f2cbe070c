/** "90s", "30m", "24h", "7d" or plain milliseconds, for --ttl and --timeout. */
import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) throw new CliError(`${what} must be a duration like 30s, 10m, 24h or 7d`, 2);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  if (!(ms >= 1) || ms > 30 * 86_400_000) throw new CliError(`${what} is out of range`, 2);
  return ms;
}
