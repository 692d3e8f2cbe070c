/**
 * The docs' shell blocks that a person runs on one machine, run as written by bash against real
 * `synod` processes on 127.0.0.1: the README's three peers and two logs, and docs/api.md's curl
 * of the status and of the event stream, whose output is held to the page's example of it; then
 * alice's data directory is held to docs/many-logs.md's layout of the files. (The README's prose
 * then stops and restarts carol: synod-cluster.test.ts does that; here it would double this
 * file's time on a busy machine. doc-commands.test.ts checks those commands.)
 *
 * What differs from a person's terminal, and only that: `npx synod` is the repository's bin (an
 * `npx` earlier in PATH, not npm's resolution: 0.5 s less per command), `/tmp/synod` is a temp
 * dir, each fixed port (tcp/7001…) a free one, and `~` (api.md's default data directory) is a
 * temp home whose `.synod` is alice's directory. A block meant for a terminal of its own
 * (`synod start`) runs in the background; every other line must exit 0.
 *
 * The other shell blocks cannot run here, and doc-commands.test.ts checks their commands: the
 * machines' blocks (several machines, mDNS on a LAN: test/e2e/lan-first-run.test.ts runs peers
 * on a LAN of network namespaces), `npm start` (Electron), `npm install`/`npm ci` (the network),
 * and the sims, chaos and fuzz soaks (minutes to hours; `npm test` runs short ones).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, run } from './helpers/child.js';
import { shellBlocks, type ShellLine } from './helpers/doc-shell.js';
import { ROOT, SYNOD_CLI } from './helpers/paths.js';
import { eventually, freePort } from './helpers/synod-cli.js';

const root = mkdtempSync(join(tmpdir(), 'synod-doc-sh-'));
const home = join(root, 'home');
const bin = join(root, 'bin');
const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home, SYNOD_DATA: undefined };
/** A doc's fixed port -> the free port used for it here. */
const ports = new Map<string, number>();
/** Running `synod start`s by their data directory. */
const peers = new Map<string, Child>();
const children: Child[] = [];

beforeAll(async () => {
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = synod ] || { echo "npx $1: not run by this test" >&2; exit 127; }\n` +
      `shift\nexec "${process.execPath}" "${SYNOD_CLI}" "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  mkdirSync(join(root, 'synod'));
  mkdirSync(home);
  symlinkSync(join(root, 'synod', 'alice'), join(home, '.synod'));
  for (const block of shellBlocks('README.md')) {
    for (const { text } of block.lines) {
      for (const m of text.matchAll(/\/tcp\/(\d+)/g)) {
        if (m[1] !== '0' && !ports.has(m[1]!)) ports.set(m[1]!, await freePort());
      }
    }
  }
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  rmSync(root, { recursive: true, force: true });
});

/** A line of a doc as this test runs it (see the top). */
function here(text: string): string {
  return text
    .replaceAll('/tmp/synod', join(root, 'synod'))
    .replace(/\/tcp\/(\d+)/g, (all, port: string) =>
      ports.has(port) ? `/tcp/${ports.get(port)!}` : all,
    );
}

const dataOf = (text: string) => /--data (\S+)/.exec(text)?.[1];

/** Run a line (or a script of lines) with bash to its end; it must exit 0. Its stdout. */
async function sh(where: string, script: string): Promise<string> {
  const r = await run('bash', ['-c', here(script)], { cwd: ROOT, env, timeoutMs: 90_000 });
  expect({ where, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({
    where,
    code: 0,
    stderr: '',
  });
  return r.stdout;
}

/** A `synod start` line, in the background, once its local API is up. */
async function start({ where, text }: ShellLine): Promise<void> {
  const c = new Child(where, 'bash', ['-c', `exec ${here(text)}`], { cwd: ROOT, env });
  children.push(c);
  await c.waitFor(/^synod: local API on http:/, 60_000);
  peers.set(dataOf(text)!, c);
}

/** The lines of a doc's ```sh blocks under `heading`, in order. */
function linesUnder(doc: string, heading: string): ShellLine[] {
  const lines = shellBlocks(doc)
    .filter((b) => b.heading === heading)
    .flatMap((b) => b.lines);
  expect(lines.length, `${doc}: no sh block under "${heading}"`).toBeGreaterThan(0);
  return lines;
}

/**
 * Run lines in order, the others to their end, `synod start` in the background: the starts
 * of one stretch at once, as in their own terminals (and quicker on a busy machine).
 */
async function runLines(lines: readonly ShellLine[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let starting: Promise<void>[] = [];
  for (const line of lines) {
    if (/^npx synod start\b/.test(line.text)) {
      starting.push(start(line));
      continue;
    }
    await Promise.all(starting);
    starting = [];
    out.set(line.text, await sh(line.where, line.text));
  }
  await Promise.all(starting);
  return out;
}

/** The stdout of the one line whose text matches `re`. */
function outputOf(out: Map<string, string>, re: RegExp): string {
  const hits = [...out].filter(([text]) => re.test(text));
  expect(hits.length, String(re)).toBe(1);
  return hits[0]![1];
}

describe('the shell blocks of the docs, run', () => {
  it('README "Run three peers on one machine": init, start, invite, join, append, log', async () => {
    const lines = linesUnder('README.md', 'Run three peers on one machine');
    const out = await runLines(lines);
    expect(peers.size).toBe(3);
    const log = outputOf(out, /^npx synod log\b/);
    expect(log).toMatch(/Hello/);
    expect(log).toMatch(/Agenda/);
    const list = outputOf(out, /^npx synod list\b/);
    expect(list).toMatch(/Hello/);
    expect(outputOf(out, /^npx synod show 1\b/)).toMatch(/^#1 v1 Hello\n/);
    expect(outputOf(out, /^npx synod edit .*carol/)).toBe(
      'edited entry #1: now version 3 (rebased from version 1 over a concurrent edit)\n',
    );
    expect(
      await sh('README: the entry edited twice', 'npx synod show 1 --json --data /tmp/synod/bob'),
    ).toMatch(/"body": ?"hi, from bob!"/);
    // "peers, leader, ballot, slot_in/slot_out, majority"
    const status = outputOf(out, /^npx synod status\b/);
    expect(status).toMatch(/majority +3 of 3 acceptors reachable/);
    expect(status).toMatch(/slot_in \d+, slot_out \d+, leader 12D3KooW\S+, ballot \S+/);
    expect(status.match(/^ {2}(alice|bob|carol) +12D3KooW\S+ {2}/gm)?.length).toBe(3);
    expect(status).toMatch(/LEADER/);
  }, 120_000);

  it('docs/api.md: the status with curl; the event stream as its example shows it (and many-logs.md: the files)', async () => {
    const [status, events] = shellBlocks('docs/api.md').map((b) => b.lines.map((l) => l.text));
    expect(status!.at(-1)).toMatch(/^curl .*\/api\/status$/);
    const body = JSON.parse(await sh('docs/api.md: status', status!.join('\n'))) as {
      state: string;
    };
    expect(body.state).toBe('running');

    // The stream, with the variables the block above sets; then a second log and a write.
    expect(events).toEqual([expect.stringMatching(/^curl -N .*\/api\/events$/)]);
    const setup = status!.filter((l) => /^\w+=/.test(l));
    const curl = new Child(
      'curl',
      'bash',
      ['-c', here([...setup, `exec ${events![0]}`].join('\n'))],
      {
        env,
      },
    );
    children.push(curl);
    await curl.waitFor(/^event: status$/);
    const out = await runLines(linesUnder('README.md', 'Two logs, shared with different peers'));
    expect(outputOf(out, /^npx synod logs\b/)).toMatch(
      /trip[\s\S]*Team notes|Team notes[\s\S]*trip/,
    );
    const example = sseExample();
    const seen = await eventually('an event of each type the example shows', () => {
      const got = sse(curl.lines.join('\n'));
      return example.events.every((e) => got.events.some((g) => g.event === e.event))
        ? got
        : undefined;
    });
    await curl.kill('SIGTERM');
    expect(seen.retry).toBe(example.retry);
    const wrong = example.events.flatMap((e) => {
      const real = seen.events.filter((g) => g.event === e.event).map((g) => g.data);
      // Some event of the type has the example's shape (an applied event without an entry
      // change has no entryView, say).
      const diffs = real.map((r) => shapeDiffs(e.data, r, e.event));
      return diffs.some((d) => d.length === 0) ? [] : diffs[0]!;
    });
    expect(wrong).toEqual([]);

    // docs/many-logs.md's layout of the data directory: a log created by a host (both of
    // alice's here) is `logs/<h>.db`, <h> the first 128 bits of SHA-256(log id) in hex.
    const layout = readFileSync(join(ROOT, 'docs/many-logs.md'), 'utf8');
    expect(layout).toMatch(
      /<dataDir>\/peer\.db[\s\S]*<dataDir>\/logs\/<h>\.db +every other log; <h> = the first 128 bits of SHA-256\(log id\), hex/,
    );
    const logs = seen.events.filter((e) => e.event === 'logs').at(-1)!.data as {
      logs: { logId: string }[];
    };
    expect(logs.logs.length).toBe(2);
    const alice = join(root, 'synod', 'alice');
    const hashed = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 32);
    expect(existsSync(join(alice, 'peer.db'))).toBe(true);
    expect(
      readdirSync(join(alice, 'logs'))
        .filter((f) => f.endsWith('.db'))
        .sort(),
    ).toEqual(logs.logs.map((l) => `${hashed(l.logId)}.db`).sort());
  }, 60_000);
});

interface Sse {
  retry: string | undefined;
  events: { event: string; data: unknown }[];
}

/** Server-Sent Events text: its `retry` and its events, data parsed as JSON. */
function sse(text: string): Sse {
  const retry = /^retry: (\d+)$/m.exec(text)?.[1];
  const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({
    event: m[1]!,
    data: JSON.parse(m[2]!) as unknown,
  }));
  return { retry, events };
}

/**
 * The example stream that follows api.md's `curl -N` block, with its elisions made JSON: `…`
 * inside a string stays; `{…}` and `, ...` mark an object of which only some fields are shown
 * (key "..."), `[...]` an array whose elements are not shown.
 */
function sseExample(): Sse {
  const text = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  const block = /```sh\ncurl -N [^\n]*\n```\n\n```\n([\s\S]*?)\n```/.exec(text);
  expect(block, 'docs/api.md: the example stream after curl -N').not.toBeNull();
  return sse(
    block![1]!
      .replaceAll('{…}', '{"...":0}')
      .replaceAll(', ...}', ',"...":0}')
      .replaceAll('[...]', '["..."]'),
  );
}

/** Where `real` lacks a field the example shows, or has one a complete example object lacks. */
function shapeDiffs(example: unknown, real: unknown, path: string): string[] {
  if (example === null || real === null) return [];
  if (Array.isArray(example)) {
    if (!Array.isArray(real)) return [`${path}: not an array`];
    if (example[0] === '...' || real.length === 0) return [];
    return shapeDiffs(example[0], real[0], `${path}[0]`);
  }
  if (typeof example === 'object') {
    if (typeof real !== 'object' || Array.isArray(real)) return [`${path}: not an object`];
    const ex = example as Record<string, unknown>;
    const re = real as Record<string, unknown>;
    const missing = Object.keys(ex)
      .filter((k) => k !== '...')
      .flatMap((k) =>
        k in re ? shapeDiffs(ex[k], re[k], `${path}.${k}`) : [`${path}.${k}: missing`],
      );
    const extra = '...' in ex ? [] : Object.keys(re).filter((k) => !(k in ex));
    return [...missing, ...extra.map((k) => `${path}.${k}: not in the example`)];
  }
  return typeof example === typeof real ? [] : [`${path}: ${typeof real}, not ${typeof example}`];
}
