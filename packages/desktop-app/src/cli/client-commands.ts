/**
 * The client subcommands: each talks to the peer running on the data directory through the
 * local API (connect.ts), prints a line or a table (or JSON with --json), and fails with one
 * line (cli-error.ts).
 */
import { readFileSync } from 'node:fs';
import type { ApiClient } from '../api/client.js';
import { CliError } from './cli-error.js';
import { connect, dataDirOf } from './connect.js';
import { formatEntries, formatHistory, formatStatus } from './format.js';
import { parseDuration } from './durations.js';
import { waitCaughtUp } from './progress.js';

interface Common {
  data?: string;
  json?: boolean;
}

function out(text: string): void {
  if (text !== '') process.stdout.write(text + '\n');
}

function note(text: string): void {
  process.stderr.write(text + '\n');
}

/** Refuse a write that cannot commit now, saying how many acceptors are reachable. */
async function requireMajority(client: ApiClient): Promise<void> {
  const s = await client.status();
  if (s.state !== 'running') {
    throw new CliError(
      s.state === 'setup'
        ? `this peer is not part of a log yet (synod join <invite>, or synod init)`
        : `the peer is ${s.state}`,
    );
  }
  const m = s.majority;
  if (m !== null && !m.ok) {
    throw new CliError(
      `no majority reachable: ${m.reachable} of ${m.total} acceptors reachable, need ${m.needed} (nothing was written; add --wait to queue it until a majority is back)`,
    );
  }
}

export async function invite(o: Common & { ttl?: string; qr?: boolean }): Promise<void> {
  const ttlMs = o.ttl !== undefined ? parseDuration(o.ttl, '--ttl') : undefined;
  const client = connect(dataDirOf(o.data));
  const inv = await client.invite(ttlMs !== undefined ? { ttlMs } : {});
  if (o.json === true) return out(JSON.stringify(inv));
  out(o.qr === true ? inv.qr : inv.text);
  note(
    `single use, valid until ${new Date(inv.expiresAt).toISOString()}; on the new peer: synod join '<invite>'`,
  );
}

export async function join(text: string, o: Common & { timeout?: string }): Promise<void> {
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : 600_000;
  const dataDir = dataDirOf(o.data);
  const client = connect(dataDir);
  note('joining…');
  const s = await client.join({ invite: text.trim() });
  note(`joined log ${s.logId} as ${s.id} (${s.name}); receiving the log`);
  const done = await waitCaughtUp(() => client.status(), 'catching up', timeoutMs);
  if (o.json === true) return out(JSON.stringify(done));
  out(
    `joined log ${done.logId}: caught up at slot ${(done.protocol?.slotOut ?? 1) - 1}, ${done.log?.entries ?? 0} entries`,
  );
}

export async function status(o: Common): Promise<void> {
  const s = await connect(dataDirOf(o.data)).status();
  out(o.json === true ? JSON.stringify(s, null, 2) : formatStatus(s));
}

export async function append(
  title: string,
  bodyArg: string | undefined,
  o: Common & { file?: string; wait?: boolean; timeout?: string },
): Promise<void> {
  const timeoutMs =
    o.timeout !== undefined
      ? parseDuration(o.timeout, '--timeout')
      : o.wait === true
        ? 86_400_000
        : 15_000;
  let body = bodyArg ?? '';
  if (o.file !== undefined) {
    if (bodyArg !== undefined)
      throw new CliError('give the body as an argument or --file, not both', 2);
    body = readFileSync(o.file === '-' ? 0 : o.file, 'utf8');
  }
  const client = connect(dataDirOf(o.data));
  if (o.wait !== true) await requireMajority(client);
  const r = await client.append({ title, body, timeoutMs });
  out(o.json === true ? JSON.stringify(r) : `appended entry #${r.id}`);
}

export async function log(
  o: Common & { limit?: string; after?: string; all?: boolean; local?: boolean },
): Promise<void> {
  const read = o.local === true ? 'local' : 'linearizable';
  const limit = o.limit !== undefined ? positiveInt(o.limit, '--limit') : 50;
  const afterArg = o.after !== undefined ? positiveInt(o.after, '--after', 0) : undefined;
  const client = connect(dataDirOf(o.data));
  let after: number;
  if (afterArg !== undefined) after = afterArg;
  else if (o.all === true) after = 0;
  else {
    const head = await client.history({ limit: 1, read });
    after = Math.max(0, head.operations - limit);
  }
  const records = [];
  for (;;) {
    const page = await client.history({ after, limit: o.all === true ? 1000 : limit, read });
    records.push(...page.records);
    const last = page.records[page.records.length - 1];
    if (o.all !== true || last === undefined) break;
    after = last.n;
  }
  out(o.json === true ? JSON.stringify(records) : formatHistory(records));
}

export async function list(o: Common & { deleted?: boolean; local?: boolean }): Promise<void> {
  const r = await connect(dataDirOf(o.data)).entries({
    read: o.local === true ? 'local' : 'linearizable',
    ...(o.deleted === true ? { deleted: true } : {}),
  });
  if (o.json === true) return out(JSON.stringify(r));
  if (r.title) out(`# ${r.title}`);
  out(formatEntries(r.entries));
}

export async function remove(peer: string, o: Common): Promise<void> {
  const client = connect(dataDirOf(o.data));
  await requireMajority(client);
  const r = await client.removePeer({ peer });
  out(o.json === true ? JSON.stringify(r) : `removed ${r.removed}`);
}

export async function leave(o: Common): Promise<void> {
  const dataDir = dataDirOf(o.data);
  const client = connect(dataDir);
  const before = await client.status();
  if (before.state === 'running') await requireMajority(client);
  const s = await client.leave();
  if (o.json === true) return out(JSON.stringify(s));
  out(
    `left log ${before.logId ?? '?'}; the old store is in ${dataDir}/left/ and this peer can join or create another log`,
  );
}

function positiveInt(text: string, what: string, min = 1): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) {
    throw new CliError(`${what} must be an integer >= ${min}`, 2);
  }
  return Number(text);
}
