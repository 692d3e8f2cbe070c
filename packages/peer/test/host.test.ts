/**
 * PeerHost: many logs in one peer over one libp2p node, each in its own SQLite file, created,
 * joined, closed, opened and left at run time; a directory of the release before (one log in
 * peer.db) opens unchanged. Real SQLite files, real libp2p on 127.0.0.1, mDNS off.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost, createPeer, logDbPath, proposeJson, type PeerHost } from '../src/index.js';
import { counter } from './counter.js';

const root = mkdtempSync(join(tmpdir(), 'synod-host-test-'));
const hosts: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const h of hosts) await h.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

async function host(name: string, named = true): Promise<PeerHost> {
  const h = await createHost({
    dataDir: join(root, name),
    ...(named ? { name } : {}),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    transport: { backoffMaxMs: 500 },
  });
  hosts.push(h);
  return h;
}

const LOG = { operationTimeoutMs: 20_000 } as const;

describe('PeerHost', () => {
  it('runs several logs on one node, each with its own members, file, name and core', async () => {
    const [a, b, c] = [await host('a'), await host('b'), await host('c')];
    const team = await a.createLog({ ...LOG, logName: 'team', stateMachine: counter() });
    const journal = await a.createLog({ ...LOG, logName: 'journal', stateMachine: counter() });
    expect(team.host).toBe(a);
    expect(team.id).toBe(a.id);
    expect(journal.id).toBe(a.id);
    expect(existsSync(logDbPath(a.dataDir, team.logId))).toBe(true);
    expect(existsSync(logDbPath(a.dataDir, journal.logId))).toBe(true);

    // b joins the team, c the journal: each is a member of one log of a's.
    const bTeam = await b.joinLog({
      ...LOG,
      invite: (await team.invite()).text,
      stateMachine: counter(),
    });
    const cJournal = await c.joinLog({
      ...LOG,
      invite: (await journal.invite()).text,
      logName: 'mine',
      stateMachine: counter(),
    });
    await proposeJson(team.node, 2);
    await proposeJson(bTeam.node, 3);
    await proposeJson(journal.node, 40);
    await proposeJson(cJournal.node, 50);
    expect(await bTeam.node.read((sm) => sm.state.total)).toBe(5);
    expect(await cJournal.node.read((sm) => sm.state.total)).toBe(90);
    expect(await team.node.read((sm) => sm.state.total)).toBe(5);
    expect(await journal.node.read((sm) => sm.state.total)).toBe(90);
    expect([...team.node.status().config!.acceptors].sort()).toEqual([a.id, b.id].sort());
    expect([...journal.node.status().config!.acceptors].sort()).toEqual([a.id, c.id].sort());
    // One libp2p node: a's logs share its id and addresses.
    expect(team.addresses()).toEqual(journal.addresses());

    expect((await a.logs()).map((e) => [e.logName, e.open, e.member])).toEqual([
      ['journal', true, true],
      ['team', true, true],
    ]);
    expect((await c.logs()).map((e) => e.logName)).toEqual(['mine']);

    // Close and reopen a log at run time, by name; the other runs on.
    await a.closeLog('journal');
    expect(journal.node.status().failure ?? 'stopped').toBeTruthy();
    expect((await a.logs()).find((e) => e.logName === 'journal')?.open).toBe(false);
    await proposeJson(team.node, 1);
    const journal2 = await a.openLog({ ...LOG, log: 'journal', stateMachine: counter() });
    expect(await journal2.node.read((sm) => sm.state.total)).toBe(90);
    await proposeJson(cJournal.node, 10);
    expect(await journal2.node.read((sm) => sm.state.total)).toBe(100);
    await expect(a.openLog({ ...LOG, log: 'nope', stateMachine: counter() })).rejects.toMatchObject(
      {
        code: 'unknown-log',
      },
    );

    // b leaves the team: out of its configuration, its file set aside, its node still up.
    await b.leaveLog(bTeam.logId);
    expect([...team.node.status().config!.acceptors]).toEqual([a.id]);
    expect(await b.logs()).toEqual([]);
    expect(readdirSync(join(b.dataDir, 'left')).length).toBe(1);
    await proposeJson(team.node, 1);
    expect(await team.node.read((sm) => sm.state.total)).toBe(7);

    // Joining it again under the same peer id would be a store gone back in time to the team
    // (store-rolled-back: it would never vote): refused at once, nothing created.
    const again = await team.invite();
    await expect(
      b.joinLog({ ...LOG, invite: again.text, stateMachine: counter() }),
    ).rejects.toMatchObject({ code: 'left-before' });
    expect(await b.logs()).toEqual([]);
    expect([...team.node.status().config!.acceptors]).toEqual([a.id]);
  });

  it('opens a directory of the release before (one log in peer.db) unchanged, and adds logs beside it', async () => {
    const dir = join(root, 'old');
    const fixture = fileURLToPath(new URL('./fixtures/release-1-dir', import.meta.url));
    cpSync(fixture, dir, { recursive: true });
    const OLD_ID = '12D3KooWPMNJFi9k683vTebGvr4ke2oPpJukNJ6T9WWjJfRkKhgB';

    // As a host: the same identity, its log listed as the home log, and opened by id.
    const h = await host('old', false);
    expect(h.id).toBe(OLD_ID);
    expect(await h.name()).toBe('old-peer');
    expect(await h.logs()).toMatchObject([
      { logId: 'release-1-log', home: true, open: false, member: true },
    ]);
    const old = await h.openLog({ ...LOG, log: 'release-1-log', stateMachine: counter() });
    expect(await old.node.read((sm) => sm.state.total)).toBe(15);
    await proposeJson(old.node, 1);
    const other = await h.createLog({ ...LOG, logName: 'new', stateMachine: counter() });
    await proposeJson(other.node, 7);
    expect((await h.logs()).map((e) => e.logName ?? e.logId)).toEqual(['new', 'release-1-log']);
    await h.stop();
    hosts.splice(hosts.indexOf(h), 1);

    // As createPeer (the one-log API) it opens the home log as before.
    const p = await createPeer({
      dataDir: dir,
      stateMachine: counter(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    hosts.push(p);
    expect(p.id).toBe(OLD_ID);
    expect(p.logId).toBe('release-1-log');
    expect(await p.node.read((sm) => sm.state.total)).toBe(16);
    // ...and its host still sees the other log.
    expect((await p.host.logs()).map((e) => e.logName ?? e.logId)).toEqual([
      'new',
      'release-1-log',
    ]);
  });

  it('refuses a log of bad options before making its file', async () => {
    const h = await host('bad-options');
    const bad = [
      () => h.createLog({ stateMachine: counter(), operationTimeoutMs: NaN }),
      () => h.createLog({ stateMachine: counter(), logId: 7 as unknown as string }),
      () => h.createLog({ stateMachine: undefined as unknown as ReturnType<typeof counter> }),
      () => h.joinLog({ stateMachine: counter(), invite: 5 as unknown as string }),
    ];
    for (const call of bad) {
      await expect(call()).rejects.toMatchObject({ code: 'invalid-peer-options' });
    }
    expect(existsSync(join(h.dataDir, 'logs'))).toBe(false);
  });

  it('joins several logs of one host at once', async () => {
    const [a, b] = [await host('many-a'), await host('many-b')];
    const logs = await Promise.all(
      [1, 2, 3, 4].map((i) => a.createLog({ ...LOG, logName: `l${i}`, stateMachine: counter() })),
    );
    const invites = await Promise.all(logs.map(async (l) => (await l.invite()).text));
    const joined = await Promise.all(
      invites.map((invite) => b.joinLog({ ...LOG, invite, stateMachine: counter() })),
    );
    expect(joined.map((j) => j.logId).sort()).toEqual(logs.map((l) => l.logId).sort());
  });
});
