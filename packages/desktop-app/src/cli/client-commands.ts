/**
 * The client subcommands: each talks to the peer running on the data directory through the
 * local API (connect.ts), prints a line or a table (or JSON with --json), and fails with one
 * line (cli-error.ts).
 */
import { readFileSync } from 'node:fs';
import { ApiError, type ApiClient } from '../api/client.js';
import type { ServiceStatus } from '../service/types.js';
import { CliError, fileError } from './cli-error.js';
import { connect, dataDirOf } from './connect.js';
import { formatEntries, formatHistory, formatLogs, formatStatus } from './format.js';
import { parseDuration } from './durations.js';

interface Common {
  data?: string;
  /** --log: the log to act on (default: the only log). */
  log?: string;
  json?: boolean;
}

/** A client of the peer on --data, acting on the log of --log. */
function connectTo(o: Common): ApiClient {
  return connect(dataDirOf(o.data), o.log);
}

function out(text: string): void {
  if (text !== '') process.stdout.write(text + '\n');
}

function note(text: string): void {
  process.stderr.write(text + '\n');
}

/** The peer's status, refused unless it runs in a log. */
async function requireRunning(client: ApiClient): Promise<ServiceStatus> {
  const s = await client.status();
  if (s.state !== 'running') {
    throw new CliError(
      s.state === 'setup'
        ? `this peer is not part of a log yet (synod join <invite>, or synod init)`
        : `the peer is ${s.state}`,
    );
  }
  return s;
}

/**
 * A majority back within this long was a blip, not an outage: a link redialling after a missed
 * ping on a busy machine, or a send buffer draining. The write goes ahead then.
 */
const MAJORITY_GRACE_MS = 2_000;
const MAJORITY_POLL_MS = 100;

/** Refuse a write that cannot commit now, saying how many acceptors are reachable. */
async function requireMajority(client: ApiClient): Promise<void> {
  const deadline = Date.now() + MAJORITY_GRACE_MS;
  for (;;) {
    const m = (await requireRunning(client)).majority;
    if (m === null || m.ok) return;
    if (Date.now() >= deadline) {
      throw new CliError(
        `no majority reachable: ${m.reachable} of ${m.total} acceptors reachable, need ${m.needed} (nothing was written; add --wait to queue it until a majority is back)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, MAJORITY_POLL_MS));
  }
}

export async function invite(o: Common & { ttl?: string; qr?: boolean }): Promise<void> {
  const ttlMs = o.ttl !== undefined ? parseDuration(o.ttl, '--ttl') : undefined;
  const client = connectTo(o);
  const inv = await client.invite(ttlMs !== undefined ? { ttlMs } : {});
  if (o.json === true) return out(JSON.stringify(inv));
  if (o.qr === true) {
    // The upper-case spelling: QR codes hold it in their compact alphanumeric mode. Light
    // modules are drawn as blocks, for a terminal's dark background.
    const { renderUnicodeCompact } = await import('uqr');
    out(renderUnicodeCompact(inv.qr, { ecc: 'M', border: 2 }));
    out(inv.qr);
  } else out(inv.text);
  note(
    `single use, valid until ${new Date(inv.expiresAt).toISOString()}; on the new peer: synod join '<invite>'`,
  );
}

export async function join(
  text: string,
  o: Common & { timeout?: string; logName?: string },
): Promise<void> {
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : 600_000;
  const dataDir = dataDirOf(o.data);
  const api = connect(dataDir);
  note('joining…');
  const s = await api.join({
    invite: text.trim(),
    ...(o.logName !== undefined ? { logName: o.logName } : {}),
  });
  const client = connect(dataDir, s.logId ?? undefined);
  note(`joined log ${s.logId} as ${s.id} (${s.name}); receiving the log`);
  const { waitCaughtUp } = await import('./progress.js');
  const done = await waitCaughtUp(() => client.status(), 'catching up', timeoutMs);
  if (o.json === true) return out(JSON.stringify(done));
  out(
    `joined log ${done.logId}: caught up at slot ${(done.protocol?.slotOut ?? 1) - 1}, ${done.log?.entries ?? 0} entries`,
  );
}

export async function status(o: Common): Promise<void> {
  const s = await connectTo(o).status();
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
    body = readBody(o.file);
  }
  const client = connectTo(o);
  const r =
    o.wait === true
      ? await whileWaiting(client, () => client.append({ title, body, timeoutMs }))
      : await requireMajority(client).then(() => client.append({ title, body, timeoutMs }));
  out(o.json === true ? JSON.stringify(r) : `appended entry #${r.id}`);
}

/** Refuses bytes that are not UTF-8, rather than reading them as U+FFFD (a garbled body). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A body from --file (`-`: stdin): UTF-8 text, as the local API takes it. */
function readBody(file: string): string {
  const name = file === '-' ? 'stdin' : file;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new CliError(fileError('--file', name, err), 2);
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new CliError(
      `--file ${name} is not UTF-8 text (invalid bytes at offset ${badByte(bytes)})`,
      2,
    );
  }
}

/** Where the first byte sequence that is not UTF-8 starts (read leniently, it is a U+FFFD). */
function badByte(bytes: Buffer): number {
  const text = bytes.toString('utf8');
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    // Everything before it was valid, so it takes the same bytes again.
    const at = Buffer.byteLength(text.slice(0, i));
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return at;
  }
  return 0;
}

/**
 * Change an entry's title or body: the patches are the difference from its body at the base
 * version (a real diff: an edit in two places is two patches), and the log rebases them over
 * the edits decided since, when those changed other text (else: a conflict, nothing changes).
 * The base is --base, the version the user edited (from `synod show`); without it, the current
 * version — then a concurrent edit of the same entry is reverted where the new body differs.
 */
export async function edit(
  idText: string,
  o: Common & { title?: string; body?: string; file?: string; base?: string; timeout?: string },
): Promise<void> {
  const id = positiveInt(idText, '<id>');
  const base = o.base !== undefined ? positiveInt(o.base, '--base') : undefined;
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : 15_000;
  if (o.body !== undefined && o.file !== undefined) {
    throw new CliError('give the body as --body or --file, not both', 2);
  }
  const body = o.file !== undefined ? readBody(o.file) : o.body;
  if (body === undefined && o.title === undefined) {
    throw new CliError('nothing to change: give --title, --body or --file', 2);
  }
  const client = connectTo(o);
  await requireMajority(client);
  // A conflict of either call, with --base: the version the user edited is not one the log
  // can rebase over (too old, not decided yet, or changed text that theirs changed).
  const redo = (err: unknown): never => {
    if (base === undefined || (err as { code?: unknown }).code !== 'conflict') throw err;
    throw new CliError(
      `not edited: ${(err as Error).message} (conflict); nothing changed — show the entry again, redo the change on its newest version, and give that version as --base`,
    );
  };
  const entry = await client
    .entry({ id, ...(base !== undefined ? { atVersion: base } : {}) })
    .catch(redo);
  const { diffPatches } = await import('../document/diff.js');
  const r = await client
    .edit({
      id,
      version: entry.version,
      patches: body === undefined ? [] : diffPatches(entry.body, body),
      ...(o.title !== undefined ? { title: o.title } : {}),
      rebase: true,
      timeoutMs,
    })
    .catch(redo);
  out(
    o.json === true
      ? JSON.stringify(r)
      : `edited entry #${id}: now version ${r.version}${r.rebased ? ` (rebased from version ${entry.version} over a concurrent edit)` : ''}`,
  );
}

/**
 * Run a write queued with --wait, saying on stderr what it waits for: a majority, how many
 * acceptors are reachable, and each change of that while it waits.
 */
async function whileWaiting<T>(client: ApiClient, write: () => Promise<T>): Promise<T> {
  let last: string | undefined; // the last line said
  const tell = (s: ServiceStatus): void => {
    const m = s.majority;
    if (m === null || (m.ok && last === undefined)) return; // never waited: nothing to say
    const line = m.ok
      ? `a majority is reachable again (${m.reachable} of ${m.total} acceptors): committing`
      : `waiting for a majority: ${m.reachable} of ${m.total} acceptors reachable, need ${m.needed} (the write commits once enough peers are back; Ctrl-C stops waiting, the write may still commit)`;
    if (line !== last) note(line);
    last = line;
  };
  tell(await requireRunning(client));
  let done = false;
  void (async () => {
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      const s = done ? undefined : await client.status().catch(() => undefined);
      if (s !== undefined && !done) tell(s);
    }
  })();
  try {
    return await write();
  } finally {
    done = true;
  }
}

/**
 * The history, oldest first, as the API pages it: the newest --limit records, or with --after
 * the first --limit after that number, or with --all every record kept.
 */
export async function log(
  o: Common & { limit?: string; after?: string; all?: boolean; local?: boolean },
): Promise<void> {
  const read = o.local === true ? 'local' : 'linearizable';
  const limit = o.limit !== undefined ? positiveInt(o.limit, '--limit') : 50;
  const after = o.after !== undefined ? positiveInt(o.after, '--after', 0) : undefined;
  const client = connectTo(o);
  if (o.all !== true) {
    const page = await client.history({ limit, read, ...(after !== undefined ? { after } : {}) });
    return out(o.json === true ? JSON.stringify(page.records) : formatHistory(page.records));
  }
  const records = [];
  for (let from = after ?? 0; ;) {
    const page = await client.history({ after: from, limit: 1000, read });
    records.push(...page.records);
    const last = page.records[page.records.length - 1];
    if (last === undefined) break;
    from = last.n;
  }
  out(o.json === true ? JSON.stringify(records) : formatHistory(records));
}

export async function list(o: Common & { deleted?: boolean; local?: boolean }): Promise<void> {
  const r = await connectTo(o).entries({
    read: o.local === true ? 'local' : 'linearizable',
    ...(o.deleted === true ? { deleted: true } : {}),
  });
  if (o.json === true) return out(JSON.stringify(r));
  if (r.title) out(`# ${r.title}`);
  out(formatEntries(r.entries));
}

export async function remove(peer: string, o: Common): Promise<void> {
  const client = connectTo(o);
  await requireMajority(client);
  const r = await client.removePeer({ peer });
  out(o.json === true ? JSON.stringify(r) : `removed ${r.removed}`);
}

/**
 * Leave, bounded (default 1 min): past it the command says why and exits 1, the peer runs on
 * (`handover-pending`: removed, but no member that stays has confirmed it holds the slots before;
 * keep the peer running, and run `synod leave` again to wait for that). `--force` sets the log
 * aside past `handover-pending` all the same: for a hand-over no member that stays can confirm
 * any more (they compacted past this peer's removal and refuse it).
 */
export async function leave(o: Common & { timeout?: string; force?: boolean }): Promise<void> {
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : 60_000;
  const dataDir = dataDirOf(o.data);
  const client = connect(dataDir, o.log);
  const before = await client.status();
  if (before.state === 'running') await requireMajority(client);
  const s = await client
    .leave(o.force === true ? { timeoutMs, force: true } : { timeoutMs })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError) || err.code !== 'handover-pending') throw err;
      // The way out when no member that stays will ever answer, named where the user meets it.
      throw new CliError(
        `${err.message} (handover-pending). Keep this peer running and run \`synod leave\` again; ` +
          `if no member that stays can answer any more (they compacted past this peer's removal), ` +
          `\`synod leave --force\` sets the log aside all the same`,
      );
    });
  if (o.json === true) return out(JSON.stringify(s));
  out(
    `left log ${before.logId ?? '?'}; the old store is in ${dataDir}/left/ and this peer can join or create another log`,
  );
}

/** This peer's logs, one a line: name, id, state, title. */
export async function logs(o: Common): Promise<void> {
  const view = await connect(dataDirOf(o.data)).logs();
  if (o.json === true) return out(JSON.stringify(view, null, 2));
  out(formatLogs(view));
}

/** A whole number of up to 15 digits (as the derived commands take); the peer checks the rest. */
function positiveInt(text: string, what: string, min = 1): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < min) {
    throw new CliError(`${what} must be an integer >= ${min}`, 2);
  }
  return Number(text);
}
