/**
 * How the `synod` command fails: one clear line on stderr (`synod <command>: <what>`), nothing
 * on stdout, and a non-zero exit (2 for bad arguments, 1 otherwise). Real processes on real
 * data directories: bad arguments, no peer running, a data directory held by a running peer (its
 * lock), a data directory of another log, bad and expired invites, and no majority reachable,
 * told with the number reachable. (A used invite: synod-cluster.test.ts.)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type SynodPeer, synod, synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-errors-');
/** The peers by name (SynodRoot stops them). */
const running = new Map<string, SynodPeer>();

function peer(name: string): SynodPeer {
  return running.get(name)!;
}

/**
 * Run `synod args`; expect exit `code`, nothing on stdout, and one error line on stderr
 * (`synod <command>: …`, the last line) matching `line`. Progress notes may precede it.
 */
async function fails(
  args: string[],
  code: number,
  line: RegExp,
): Promise<{ line: string; stderr: string }> {
  const r = await synod(args);
  const lines = r.stderr.trimEnd().split('\n');
  const errors = lines.filter((l) => /^synod( \w+)?: /.test(l));
  expect({ args, code: r.code, stdout: r.stdout, errors: errors.length }).toEqual({
    args,
    code,
    stdout: '',
    errors: 1,
  });
  expect(lines[lines.length - 1]).toBe(errors[0]);
  expect(errors[0]).toMatch(line);
  return { line: errors[0]!, stderr: r.stderr };
}

beforeAll(async () => {
  // alice and bob share a log; zed has a log of its own; dave has none yet.
  const [cluster, zed, dave] = await Promise.all([
    root.cluster(['alice', 'bob']),
    root.start('zed'),
    root.start('dave'),
  ]);
  for (const p of [...cluster, zed, dave]) running.set(p.name, p);
  await zed.api.createLog({ title: 'zed only' });
}, 180_000);

describe('synod errors: one line and a non-zero exit', () => {
  it('bad arguments (exit 2), and no peer running on the directory (exit 1)', async () => {
    const empty = join(root.dir, 'empty');
    mkdirSync(empty);
    const data = peer('alice').dataDir;
    const latin1 = join(root.dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await Promise.all([
      fails(
        ['append'],
        2,
        /^synod append: missing required argument 'title' \(see synod append --help\)$/,
      ),
      fails(['frobnicate'], 2, /^synod: unknown command 'frobnicate'/),
      fails(['status', '--bogus'], 2, /^synod status: unknown option '--bogus'/),
      fails(
        ['start', '--data', empty, '--api', '0.0.0.0:7300'],
        2,
        /^synod start: --api must be 127\.0\.0\.1:<port>/,
      ),
      // Bad --listen, --bootstrap or --name: bad arguments too, refused before the peer starts.
      fails(
        ['start', '--data', empty, '--listen', '/ip4/127.0.0.1/tcp/99999'],
        2,
        /^synod start: listen address \/ip4\/127\.0\.0\.1\/tcp\/99999 is not a multiaddr/,
      ),
      fails(
        ['start', '--data', empty, '--bootstrap', 'nonsense'],
        2,
        /^synod start: --bootstrap nonsense is not a multiaddr ending in \/p2p\/<peer id>$/,
      ),
      fails(
        ['start', '--data', empty, '--bootstrap', '/ip4/127.0.0.1/tcp/4001'],
        2,
        /^synod start: --bootstrap \S+ is not a multiaddr ending in \/p2p\/<peer id>$/,
      ),
      fails(['start', '--data', empty, '--name', ''], 2, /^synod start: --name: a name must be/),
      fails(
        ['start', '--durability', 'none'],
        2,
        /^synod start: option '--durability <mode>' argument 'none' is invalid/,
      ),
      fails(
        ['log', '--data', data, '--limit', 'many'],
        2,
        /^synod log: --limit must be an integer >= 1$/,
      ),
      // Conflicting options: refused, not one of them silently dropped.
      fails(
        ['log', '--data', data, '--all', '--limit', '3'],
        2,
        /^synod log: option '--all' cannot be used with option '--limit <n>'/,
      ),
      fails(
        ['invite', '--data', data, '--ttl', 'forever'],
        2,
        /^synod invite: --ttl must be a duration like 90s, 15m, 24h or 7d$/,
      ),
      // A bare number could mean any unit: refused, with the spellings that are not.
      fails(
        ['invite', '--data', data, '--ttl', '5'],
        2,
        /^synod invite: --ttl needs a unit: 5s, 5m, 5h or 5d \(or 5ms\)$/,
      ),
      fails(
        ['append', 't', '--file', join(root.dir, 'no-such-file'), '--data', data],
        2,
        /^synod append: cannot read --file \S+no-such-file: no such file$/,
      ),
      // Not UTF-8 (Latin-1 "café"): refused, never committed with U+FFFD in place of the é.
      fails(
        ['append', 't', '--file', latin1, '--data', data],
        2,
        /^synod append: --file \S+latin1\.txt is not UTF-8 text \(invalid bytes at offset 3\)$/,
      ),
      fails(
        ['append', 't', 'body', '--file', 'x', '--data', data],
        2,
        /^synod append: give the body as an argument or --file, not both$/,
      ),
      fails(
        ['status', '--data', empty],
        1,
        /^synod status: no peer is running on \S+empty \(start one with: synod start --data /,
      ),
      fails(['append', 'title', '--data', empty], 1, /^synod append: no peer is running on /),
    ]);
  }, 120_000);

  it('values the peer refuses (invalid-argument) are bad arguments too: exit 2, named by their option', async () => {
    const data = peer('alice').dataDir;
    await Promise.all([
      fails(
        ['show', '1', '--at-version', '0', '--data', data],
        2,
        /^synod show: --at-version: the value must be an integer from 1 /,
      ),
      fails(['log', '--limit', '20000', '--data', data], 2, /^synod log: --limit: .*10000/),
      fails(['name', '', '--data', data], 2, /^synod name: name must not be empty/),
      fails(
        ['edits', '1', '--edits', '[{"version":1,"patches":[[0,0,5]]}]', '--data', data],
        2,
        /^synod edits: edits\.0\.patches\.0\.2: ins must be a string \(invalid-argument\)$/,
      ),
      // Whole numbers too long for the CLI's own check: the peer answers, not a false "must be >= 1".
      fails(['edit', '1234567890', '--body', 'x', '--data', data], 1, /no entry 1234567890/),
    ]);
  }, 120_000);

  it('a data directory held by a running peer: the lock', async () => {
    for (const name of ['alice', 'dave']) {
      await fails(
        ['start', '--data', peer(name).dataDir, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'],
        1,
        /^synod start: \S+ is in use by another running peer \(stop it first, or use another --data directory\)$/,
      );
    }
  }, 120_000);

  it('listen addresses it cannot use: said in words, not as libp2p text (a bad one: exit 2)', async () => {
    const dir = join(root.dir, 'listener');
    await synodOk(['init', '--data', dir, '--name', 'lis']);
    await fails(
      ['start', '--data', dir, '--no-mdns', '--listen', 'garbage'],
      2,
      /^synod start: listen address garbage is not a multiaddr \(like \/ip4\/0\.0\.0\.0\/tcp\/4001\)$/,
    );
    // A directory with no log yet listens only once it has one: the address is checked anyway.
    const fresh = join(root.dir, 'listener-setup');
    await fails(
      ['start', '--data', fresh, '--no-mdns', '--listen', 'garbage'],
      2,
      /^synod start: listen address garbage is not a multiaddr \(like \/ip4\/0\.0\.0\.0\/tcp\/4001\)$/,
    );
    expect(existsSync(fresh)).toBe(false);
    await fails(
      ['start', '--data', dir, '--no-mdns', '--listen', `/ip4/127.0.0.1/tcp/${peer('alice').port}`],
      1,
      /^synod start: cannot listen on \/ip4\/127\.0\.0\.1\/tcp\/\d+: the port is in use \(another program, or another peer, listens there\)$/,
    );
  }, 120_000);

  it('a data directory of another log', async () => {
    const zed = await peer('zed').status();
    const invite = (await synodOk(['invite', '--data', peer('alice').dataDir])).trim();
    await fails(
      ['join', invite, '--data', peer('zed').dataDir],
      1,
      new RegExp(
        `^synod join: this peer already belongs to log ${zed.logId}: give the new log a name \\(--log-name\\) to keep it beside \\(already-initialized\\)$`,
      ),
    );
    await fails(
      ['init', '--data', peer('zed').dataDir],
      1,
      new RegExp(
        `^synod init: this peer already belongs to log ${zed.logId}: give the new log a name \\(--log-name\\) to keep it beside \\(already-initialized\\)$`,
      ),
    );
    // Offline too: the store says which log it holds.
    const offline = join(root.dir, 'offline');
    await synodOk(['init', '--data', offline, '--name', 'olga']);
    await fails(['init', '--data', offline], 1, /^synod init: \S+offline already holds log \S+$/);
  }, 120_000);

  it('init with a bad name, log name or title: exit 2, and nothing made on disk', async () => {
    const fresh = join(root.dir, 'fresh-init');
    await Promise.all([
      fails(['init', '--data', fresh, '--name', ''], 2, /^synod init: a name must be 1 to 64/),
      fails(['init', '--data', fresh, '--log-name', ' '], 2, /^synod init: logName must not/),
      fails(
        ['init', '--data', fresh, '--title', 'x'.repeat(201)],
        2,
        /^synod init: title exceeds 200 code units$/,
      ),
    ]);
    expect(existsSync(fresh)).toBe(false);
    // An empty --data would be the working directory; a file where the directory should be.
    await fails(['init', '--data', ''], 2, /^synod init: --data must name a directory$/);
    const file = join(root.dir, 'a-file');
    writeFileSync(file, 'not a directory');
    await fails(
      ['init', '--data', join(file, 'sub')],
      1,
      /^synod init: \S+a-file\/sub is not a directory \(a file is in its way\)$/,
    );
  }, 60_000);

  it('invalid and expired invites', async () => {
    const dave = peer('dave').dataDir;
    await fails(['join', 'hello', '--data', dave], 1, /^synod join: not a valid invite: /);
    await fails(['join', 'synod:AAAA', '--data', dave], 1, /^synod join: not a valid invite: /);
    const expired = (
      await synodOk(['invite', '--data', peer('zed').dataDir, '--ttl', '1ms'])
    ).trim();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fails(
      ['join', expired, '--data', dave],
      1,
      /^synod join: (the invite was refused \(expired\)|could not join through \S+: the inviter closed the connection without answering)/,
    );
    expect((await peer('dave').status()).state).toBe('setup');
    // An inviter that is not running any more: said so, not as a socket error.
    const gone = await root.start('gone');
    await gone.api.createLog({});
    const orphan = (await gone.api.invite()).text;
    await gone.stop();
    await fails(
      ['join', orphan, '--data', dave],
      1,
      /^synod join: could not join through \S+: the inviter refused the connection: it is not running at the address in the invite/,
    );
  }, 120_000);

  it('no majority reachable: the number reachable; a queued write commits once it is back', async () => {
    const alice = peer('alice');
    const bob = peer('bob');
    expect(await bob.stop('SIGTERM')).toBe(0);
    running.delete('bob');
    await eventually('alice to see bob gone', async () =>
      (await alice.status()).majority?.ok === false ? true : undefined,
    );
    const data = alice.dataDir;
    const need = /no majority reachable: 1 of 2 acceptors reachable, need 2/;
    await fails(
      ['append', 'lonely', 'x', '--data', data],
      1,
      new RegExp(`^synod append: ${need.source} \\(nothing was written; add --wait`),
    );
    await fails(['remove', 'bob', '--data', data], 1, new RegExp(`^synod remove: ${need.source}`));
    // --wait queues it, says what it waits for; the timeout says why it is still pending.
    const waited = await fails(
      ['append', 'queued', 'x', '--data', data, '--wait', '--timeout', '1s'],
      1,
      new RegExp(
        `^synod append: ${need.source} \\(the operation is pending and may still commit\\) \\(no-majority\\)$`,
      ),
    );
    expect(waited.stderr).toMatch(
      /^waiting for a majority: 1 of 2 acceptors reachable, need 2 \(the write commits once enough peers are back/m,
    );
    const status = await synodOk(['status', '--data', data]);
    expect(status).toMatch(/majority +1 of 2 acceptors reachable, need 2/);

    running.set('bob', await root.restart(bob));
    const list = await eventually('the queued append to commit', async () => {
      const l = await alice.api.entries({ read: 'local', bodies: false });
      return l.entries.some((e) => e.title === 'queued') ? l : undefined;
    });
    expect(list.entries.some((e) => e.title === 'lonely')).toBe(false);
  }, 180_000);
});
