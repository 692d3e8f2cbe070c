/**
 * `synod edit --base <version>` from two peers at once (real `synod start` processes): both
 * users edited the version `synod show` printed; edits of different lines both survive (the
 * second is rebased), overlapping ones refuse the second with a conflict naming both versions
 * and change nothing. Without --base the new body replaces the current one (last writer wins).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { synod, type SynodPeer, synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-edit-base-');
let alice: SynodPeer;
let bob: SynodPeer;

beforeAll(async () => {
  [alice, bob] = await root.cluster(['alice', 'bob'], { title: 'Edits' });
  await alice.api.append({ title: 'Plan', body: 'mon: rest\ntue: rest\nwed: rest' });
}, 180_000);

/** What `synod show 1` on `p`'s peer prints: the version, human and JSON alike. */
async function showVersion(p: SynodPeer): Promise<number> {
  const human = await synodOk(['show', '1', '--data', p.dataDir]);
  const json = JSON.parse(await synodOk(['show', '1', '--json', '--data', p.dataDir])) as {
    version: number;
  };
  expect(human).toMatch(new RegExp(`^#1 v${json.version} Plan$`, 'm'));
  return json.version;
}

const edit = (p: SynodPeer, base: number | string, body: string) =>
  synod(['edit', '1', '--base', String(base), '--body', body, '--data', p.dataDir]);

describe('synod edit --base', () => {
  it('keeps both edits of different lines made on the same version, from two peers at once', async () => {
    const [a, b] = await Promise.all([showVersion(alice), showVersion(bob)]);
    expect([a, b]).toEqual([1, 1]);
    const [ra, rb] = await Promise.all([
      edit(alice, a, 'mon: gym\ntue: rest\nwed: rest'),
      edit(bob, b, 'mon: rest\ntue: rest\nwed: swim'),
    ]);
    expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
    // Whichever the log decided second was made on version 1 and rebased over the first.
    const lines = [ra.stdout, rb.stdout].sort();
    expect(lines).toEqual([
      'edited entry #1: now version 2\n',
      'edited entry #1: now version 3 (rebased from version 1 over a concurrent edit)\n',
    ]);
    for (const p of [alice, bob]) {
      expect((await p.api.entry({ id: 1 })).body).toBe('mon: gym\ntue: rest\nwed: swim');
    }
  }, 60_000);

  it('refuses the second of two overlapping edits with a conflict, and changes nothing', async () => {
    const v = await showVersion(alice);
    expect(await showVersion(bob)).toBe(v);
    const first = await edit(alice, v, 'mon: gym\ntue: tennis\nwed: swim');
    expect(first).toMatchObject({ code: 0, stdout: `edited entry #1: now version ${v + 1}\n` });
    const second = await edit(bob, v, 'mon: gym\ntue: chess\nwed: swim');
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(
      `entry 1 is at version ${v + 1}, and the edit made against ${v} changes text that changed since`,
    );
    expect(second.stderr).toMatch(/conflict.*nothing changed.*--base/);
    const now = await bob.api.entry({ id: 1 });
    expect({ version: now.version, body: now.body }).toEqual({
      version: v + 1,
      body: 'mon: gym\ntue: tennis\nwed: swim',
    });
  }, 60_000);

  it('refuses a --base that is not a version before sending anything (exit 2)', async () => {
    const before = (await alice.api.entry({ id: 1 })).version;
    for (const bad of ['0', '-1', 'x', '1.5']) {
      const r = await edit(alice, bad, 'nothing');
      expect({ bad, code: r.code, stderr: r.stderr }).toEqual({
        bad,
        code: 2,
        stderr: 'synod edit: --base must be an integer >= 1\n',
      });
    }
    // A version not decided yet: the peer says so, nothing is written.
    const ahead = await edit(alice, before + 5, 'nothing');
    expect(ahead.code).toBe(1);
    expect(ahead.stderr).toContain(`its version ${before + 5} is not decided yet`);
    expect((await alice.api.entry({ id: 1 })).version).toBe(before);
  }, 60_000);

  it('without --base, still replaces the current body (last writer wins), as the help says', async () => {
    expect(await synodOk(['edit', '--help'])).toMatch(/--base <version>\s+the version you edited/);
    const v = (await bob.api.entry({ id: 1 })).version;
    expect(
      await synodOk([
        'edit',
        '1',
        '--body',
        'mon: rest\ntue: rest\nwed: rest',
        '--data',
        alice.dataDir,
      ]),
    ).toBe(`edited entry #1: now version ${v + 1}\n`);
  }, 60_000);
});
