/**
 * One `synod` subcommand per operation of the peer, each run for real against a two-peer log
 * (`synod start` processes: SQLite files, libp2p on 127.0.0.1, mDNS off): show, edit, edits,
 * delete, restore, rename, name, discovered, protocol, suspend, resume, leave — and the help
 * lists a subcommand for every operation of the table. (init, start, invite, join, status, append,
 * log, list and remove: synod-cluster, synod-cli-errors and synod-cli-output.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATION_COMMANDS } from '../packages/desktop-app/src/cli/operation-commands.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type SynodPeer, synod, synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-commands-');
let alice: SynodPeer;
let bob: SynodPeer;

beforeAll(async () => {
  [alice, bob] = await root.cluster(['alice', 'bob'], { title: 'Commands' });
  await alice.api.append({ title: 'Agenda', body: 'one\ntwo\nthree' });
}, 180_000);

/** `synod <args> --data <alice> [--json]`, parsed when JSON. */
async function cli(args: string[], json = false): Promise<string> {
  return synodOk([...args, '--data', alice.dataDir, ...(json ? ['--json'] : [])]);
}

describe('a subcommand for every operation', () => {
  it('synod --help lists one subcommand per operation, with its summary', async () => {
    const help = await synodOk(['--help']);
    const commands = Object.values(OPERATION_COMMANDS).map((c) => c.command);
    expect(new Set(commands).size).toBe(commands.length);
    for (const c of commands) expect(help).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(await synodOk(['delete', '--help'])).toMatch(
      /^Usage: synod delete \[options\] <id>\n\ndelete an entry/,
    );
    // The summaries name request fields and operations as the API does; the help as typed.
    expect(help).not.toContain('`');
    expect(await synodOk(['show', '--help'])).toContain('its body at --at-version');
    expect(await synodOk(['delete', '--help'])).toContain('refused unless at --version');
    expect(await synodOk(['close', '--help'])).toContain('(synod open starts it again)');
  });

  it('show, edit (a diff of the body), edits, delete, restore', async () => {
    expect(await cli(['show', '1'])).toMatch(/^#1 v1 Agenda\nby alice; .*\n\none\ntwo\nthree$/m);
    const file = join(root.dir, 'agenda.txt');
    writeFileSync(file, 'one\n2\nthree\nfour');
    expect(await cli(['edit', '1', '--file', file, '--title', 'Agenda (v2)'])).toBe(
      'edited entry #1: now version 2\n',
    );
    // Two changed places: two patches, the text between them untouched.
    const edit = (await alice.api.history({ limit: 1 })).records[0]!;
    expect({ type: edit.type, inserted: edit.inserted, deleted: edit.deleted }).toEqual({
      type: 'edit',
      inserted: 6,
      deleted: 3,
    });
    const burst = JSON.stringify([
      { version: 2, patches: [[0, 0, 'A: ']] },
      { version: 3, patches: [[0, 0, '>']] },
    ]);
    expect(await cli(['edits', '1', '--edits', burst])).toBe(
      'edit 1: version 3\nedit 2: version 4\n',
    );
    const shown = JSON.parse(await cli(['show', '1'], true)) as { body: string; title: string };
    expect(shown).toMatchObject({ title: 'Agenda (v2)', body: '>A: one\n2\nthree\nfour' });
    expect(await cli(['delete', '1', '--version', '4'])).toBe('deleted entry #1 (now version 5)\n');
    expect((await alice.api.entry({ id: 1 })).deleted).toBe(true);
    expect(await cli(['restore', '1'])).toBe('restored entry #1 (now version 6)\n');
    expect((await bob.api.entry({ id: 1 })).deleted).toBe(false);
  }, 60_000);

  it('rename, name, discovered, protocol', async () => {
    expect(await cli(['rename', 'Team notes'])).toBe('renamed the log to "Team notes"\n');
    expect((await bob.api.entries({ bodies: false })).title).toBe('Team notes');
    expect(await cli(['name', 'Alice'])).toBe('this peer is now called "Alice"\n');
    await eventually('bob to see the new name', async () =>
      (await bob.status()).peers.some((p) => p.name === 'Alice') ? true : undefined,
    );
    const discovered = JSON.parse(await cli(['discovered'], true)) as { peers: unknown[] };
    expect(Array.isArray(discovered.peers)).toBe(true);
    const protocol = JSON.parse(await cli(['protocol', '--limit', '5'], true)) as {
      self: string;
    };
    expect(protocol.self).toBe((await alice.status()).id);
  }, 60_000);

  it('answer-request: without --accept it declines (a flag is a choice, never a required option)', async () => {
    // No such request here: the peer answers for both choices, so both reached it.
    for (const choice of [[], ['--accept']]) {
      const r = await synod(['answer-request', '99', ...choice, '--data', alice.dataDir]);
      expect(r.stderr).toMatch(/^synod answer-request: .*\(unknown-invite-request\)\n$/);
      expect(r.code).toBe(1);
    }
    expect(await synodOk(['answer-request', '--help'])).toMatch(/--accept +let the peer in/);
  });

  it('suspend and resume, then leave', async () => {
    expect(await synodOk(['suspend', '--data', bob.dataDir])).toMatch(/^suspended: the peer is /);
    expect(await synodOk(['resume', '--data', bob.dataDir])).toMatch(/^resumed: the peer is /);
    await eventually('bob to run again with a majority', async () => {
      const s = await bob.status();
      return s.state === 'running' && s.majority?.ok === true ? true : undefined;
    });
    expect(await synodOk(['leave', '--data', bob.dataDir])).toMatch(/^left log \S+; the old store/);
    expect((await alice.status()).protocol?.config?.acceptors).toEqual([(await alice.status()).id]);
  }, 90_000);
});
