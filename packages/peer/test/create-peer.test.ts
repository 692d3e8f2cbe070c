/**
 * createPeer on real SQLite files and real libp2p links (127.0.0.1, mDNS off), two or three
 * peers in this process.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKvResult, encodeKv, KvStateMachine } from '@synod/core/testing';
import {
  AlreadyMemberError,
  createPeer,
  hasStore,
  inspectDataDir,
  InvalidPeerOptionsError,
  NotInitializedError,
  OtherLogError,
  type Peer,
  type PeerOptions,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'synod-peer-test-'));
const running: Peer<KvStateMachine>[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  rmSync(root, { recursive: true, force: true });
});

function dir(name: string): string {
  return join(root, name);
}

async function peer(
  name: string,
  extra: Partial<PeerOptions<KvStateMachine>> = {},
): Promise<Peer<KvStateMachine>> {
  const p = await createPeer({
    dataDir: dir(name),
    stateMachine: new KvStateMachine(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    operationTimeoutMs: 20_000,
    ...extra,
  });
  running.push(p);
  return p;
}

async function stop(p: Peer<KvStateMachine>): Promise<void> {
  await p.stop();
  running.splice(running.indexOf(p), 1);
}

const put = (key: string, value: string) => encodeKv({ op: 'append', key, value });

describe('createPeer', () => {
  it('creates a log, admits joiners with invites, commits from every peer, and reloads', async () => {
    const a = await peer('a', { name: 'alpha', logId: 'team' });
    expect(a.created).toBe(true);
    expect(a.logId).toBe('team');
    expect(a.name()).toBe('alpha');

    const b = await peer('b', { join: (await a.invite()).text });
    expect(b.created).toBe(false);
    expect(b.logId).toBe('team');
    expect(b.joined?.inviter).toBe(a.id);
    // A join right after creation decides two slots in a's SQLite file: the change and one skip
    // to where it governs (before skips: the change and WINDOW - 1 = 63 no-ops). The skip's
    // decision is written with the next write, within a heartbeat interval.
    const window = a.node.status().config!.start - 1;
    expect(a.node.status().slotOut).toBe(1 + window);
    const decided = async () => (await a.storage.load()).decisions.map((d) => d.slot);
    for (const end = Date.now() + 5000; (await decided()).length < 2 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    expect(await decided()).toEqual([1, 2]);
    const c = await peer('c', { join: (await b.invite()).text });

    for (const [i, p] of [a, b, c].entries()) await p.node.propose(put('k', `${i},`));
    const values = await Promise.all([a, b, c].map((p) => p.node.read((sm) => sm.get('k'))));
    expect(values[0]!.split(',').filter(Boolean).sort()).toEqual(['0', '1', '2']);
    expect(new Set(values).size).toBe(1);
    expect([...a.node.status().config!.acceptors].sort()).toEqual([a.id, b.id, c.id].sort());

    // Restart b from its directory: same id, same log, no invite needed.
    const bId = b.id;
    await stop(b);
    const offline = await inspectDataDir(dir('b'));
    expect(offline).toMatchObject({ logId: 'team', member: 'team', peerId: bId });
    const b2 = await peer('b');
    expect(b2.id).toBe(bId);
    expect(b2.created).toBe(false);
    const r = decodeKvResult(await b2.node.propose(put('k', 'again,')));
    expect(r.endsWith('again,')).toBe(true);
  }, 90_000);

  it('a peer that leaves can no longer write; the others go on', async () => {
    const a = await peer('l-a', { logId: 'l-log' });
    const b = await peer('l-b', { join: (await a.invite()).text });
    const c = await peer('l-c', { join: (await a.invite()).text });
    await c.node.propose(put('k', 'c,'));
    await c.leave();
    expect(c.node.status().removed).toBe(true);
    await expect(c.node.propose(put('k', 'late,'))).rejects.toMatchObject({ code: 'removed' });
    expect([...a.node.status().config!.acceptors].sort()).toEqual([a.id, b.id].sort());
    await b.node.propose(put('k', 'b,'));
    expect(await a.node.read((sm) => sm.get('k'))).toBe('c,b,');
  }, 60_000);

  it('refuses what it cannot do, with typed errors, and leaves the directory usable', async () => {
    const a = await peer('x', { logId: 'x-log' });
    // A second opener of a running peer's directory.
    await expect(peer('x')).rejects.toMatchObject({ code: 'storage-locked' });
    // A directory with no log, when creating one is not allowed.
    await expect(peer('empty', { init: false })).rejects.toBeInstanceOf(NotInitializedError);
    // A member asked to join.
    await expect(peer('x', { join: (await a.invite()).text })).rejects.toMatchObject({
      code: 'storage-locked',
    });
    await stop(a);
    await expect(peer('x', { join: (await inviteFrom('y')).text })).rejects.toBeInstanceOf(
      AlreadyMemberError,
    );
    await expect(peer('x', { logId: 'other' })).rejects.toBeInstanceOf(OtherLogError);
    // A damaged invite changes nothing on disk.
    await expect(peer('fresh', { join: 'synod:not-an-invite' })).rejects.toMatchObject({
      code: 'invalid-invite',
    });
    expect(hasStore(dir('fresh'))).toBe(false);
  }, 60_000);

  it('refuses options of the wrong type, bad timeouts and unknown keys before touching the disk', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['no state machine', { stateMachine: undefined }],
      ['a state machine that is none', { stateMachine: {} }],
      ['operationTimeoutMs NaN', { operationTimeoutMs: NaN }],
      ['operationTimeoutMs -1', { operationTimeoutMs: -1 }],
      ['operationTimeoutMs as text', { operationTimeoutMs: '100' }],
      ['joinTimeoutMs 0', { joinTimeoutMs: 0 }],
      ['logId a number', { logId: 5 }],
      ['join a number', { join: 5 }],
      ['bootstrap a string', { bootstrap: '/ip4/127.0.0.1/tcp/1' }],
      ['listen a string', { listen: '/ip4/127.0.0.1/tcp/0' }],
      ['init as text', { init: 'no' }],
      ['mdns as text', { mdns: 'yes' }],
      ['admit as text', { admit: 'yes' }],
      ['joinRoles as text', { joinRoles: 'all' }],
      ['durability unknown', { durability: 'fast' }],
      ['a typo', { mdsn: false }],
    ];
    for (const [i, [what, extra]] of bad.entries()) {
      const where = dir(`bad-${i}`);
      const err = await peer(`bad-${i}`, extra as Partial<PeerOptions<KvStateMachine>>).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(InvalidPeerOptionsError);
      expect((err as InvalidPeerOptionsError).code, what).toBe('invalid-peer-options');
      expect(existsSync(where), `${what}: the directory was created`).toBe(false);
    }
  });

  it('a refused join leaves no store behind; a used invite is refused', async () => {
    const a = await peer('r', { logId: 'r-log' });
    const invite = await a.invite();
    await peer('r1', { join: invite.text });
    // (With no invite outstanding the inviter would not even let a stranger connect: the
    // refusal would arrive as join-failed. Another invite keeps it listening to strangers.)
    await a.invite();
    await expect(peer('r2', { join: invite.text })).rejects.toMatchObject({
      code: 'already-used',
    });
    expect(existsSync(join(dir('r2'), 'peer.db'))).toBe(false);
    // The directory can create its own log afterwards (the refused log id was not recorded).
    const own = await peer('r2', { logId: 'r2-own' });
    expect(own.logId).toBe('r2-own');
  }, 60_000);
});

/** An invite of a peer of another log, stopped afterwards. */
async function inviteFrom(name: string) {
  const p = await peer(name, { logId: `${name}-log` });
  const invite = await p.invite();
  await stop(p);
  return invite;
}
