/**
 * The `synod` command as a person runs it, three real processes on one machine (SQLite files
 * in a tmp dir, libp2p on 127.0.0.1, mDNS off): create a log, invite and join two more peers,
 * append from each; SIGKILL the leader and go on; restart it and see it catch up; remove a
 * peer and see that it can no longer write while the others go on.
 *
 * The steps share one cluster and run in order (each needs the one before).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '@synod/desktop-app';
import { eventually, type SynodPeer, synod, synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-cluster-');
/** The running peers by name (SynodRoot stops them). */
const peers = new Map<string, SynodPeer>();

function peer(name: string): SynodPeer {
  const p = peers.get(name);
  if (p === undefined) throw new Error(`no peer ${name}`);
  return p;
}

/**
 * Every running peer's history, once they all have at least `operations` operations and the
 * same number (a peer may propose its name again when it restarts, so counts are not exact).
 */
async function histories(
  names: string[],
  operations: number,
): Promise<(readonly HistoryRecord[])[]> {
  return eventually(`${names.join(', ')} to apply the same ${operations}+ operations`, async () => {
    const all = await Promise.all(
      names.map((n) => peer(n).api.history({ read: 'local', limit: 10_000 })),
    );
    const counts = new Set(all.map((h) => h.operations));
    return counts.size === 1 && all[0]!.operations >= operations
      ? all.map((h) => h.records)
      : undefined;
  });
}

describe('three synod processes', () => {
  it('init, invite and join two peers, append from each: identical histories', async () => {
    const alice = join(root.dir, 'alice');
    const init = await synodOk(['init', '--data', alice, '--name', 'alice', '--title', 'Notes']);
    expect(init).toMatch(/^created log \S+ in /);
    // A second init refuses: the directory holds a log.
    const again = await synod(['init', '--data', alice]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds log/);

    const names = ['alice', 'bob', 'carol', 'dave'];
    for (const p of await Promise.all(names.map((n) => root.start(n)))) {
      peers.set(p.name, p);
    }
    expect((await peer('bob').status()).state).toBe('setup');
    // A second peer on a directory in use is refused.
    const twice = await synod(['start', '--data', peer('bob').dataDir, '--no-mdns']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is in use by another running peer/);
    const garbage = await synod(['join', 'synod:not-an-invite', '--data', peer('dave').dataDir]);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/^synod join: not a valid invite/m);

    const invites: string[] = [];
    for (let i = 0; i < 2; i++) invites.push((await synodOk(['invite', '--data', alice])).trim());
    for (const [i, name] of ['bob', 'carol'].entries()) {
      const invite = invites[i]!;
      expect(invite).toMatch(/^synod:/);
      const joined = await synod(['join', invite, '--data', peer(name).dataDir]);
      expect(joined.code, joined.stderr).toBe(0);
      expect(joined.stdout).toMatch(/^joined log \S+: caught up at slot \d+/);
      expect(joined.stderr).toMatch(/catching up \|/); // the progress bar
      // An invite is single use.
      const reused = await synod(['join', invite, '--data', peer('dave').dataDir]);
      expect(reused.code).toBe(1);
      expect(reused.stderr).toMatch(
        i === 0
          ? /^synod join: the invite was refused \(already-used\)/m
          : // With no invite of its out, the inviter does not even let a stranger connect.
            /^synod join: could not join through \S+: the inviter closed the connection without answering: the invite is probably used or expired/m,
      );
    }
    expect((await peer('dave').status()).state).toBe('setup');
    await peer('dave').stop();
    peers.delete('dave');

    const logId = (await peer('alice').status()).logId;
    for (const name of ['alice', 'bob', 'carol']) {
      const s = await peer(name).status();
      expect(s.logId).toBe(logId);
      expect(s.protocol?.config?.acceptors).toHaveLength(3);
      const out = await synodOk([
        'append',
        `from ${name}`,
        `hello from ${name}`,
        '--data',
        s.dataDir,
      ]);
      expect(out).toMatch(/^appended entry #\d+/);
    }

    // alice: rename; bob and carol: their names; three appends.
    const [a, b, c] = await histories(['alice', 'bob', 'carol'], 6);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a!.filter((r) => r.type === 'append').map((r) => r.author)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    // `synod log` prints the same history from any peer.
    const logs = await Promise.all(
      ['alice', 'bob', 'carol'].map((n) => synodOk(['log', '--data', peer(n).dataDir, '--all'])),
    );
    expect(logs[1]).toBe(logs[0]);
    expect(logs[2]).toBe(logs[0]);
    expect(logs[0]).toMatch(/append #3 "from carol"/);
    const status = await synodOk(['status', '--data', peer('carol').dataDir]);
    expect(status).toMatch(/majority +3 of 3 acceptors reachable, need 2/);
  }, 300_000);

  it('SIGKILL the leader: the others elect a new one and commit; restarted, it catches up', async () => {
    const s = await peer('bob').status();
    const leaderId = s.protocol!.activeLeader!;
    const leader = s.peers.find((p) => p.id === leaderId)!.name;
    const others = ['alice', 'bob', 'carol'].filter((n) => n !== leader);
    const killed = peer(leader);
    expect(await killed.stop('SIGKILL')).toBe(null);

    // A new leader is elected and the log goes on, from both survivors.
    for (const [i, name] of others.entries()) {
      await peer(name).api.append({
        title: `after the crash ${i}`,
        body: `by ${name}`,
        timeoutMs: 20_000,
      });
    }
    const next = await peer(others[0]!).status();
    expect(next.protocol!.activeLeader).not.toBe(leaderId);
    expect(next.majority).toMatchObject({ reachable: 2, total: 3, needed: 2, ok: true });
    expect(next.peers.find((p) => p.id === leaderId)!.online).toBe(false);

    // Its data directory is free again (the OS dropped the lock with the process).
    peers.set(leader, await root.restart(killed));
    const [h0, h1, h2] = await histories([...others, leader], 8);
    expect(h1).toEqual(h0);
    expect(h2).toEqual(h0);
    // Restarted, it writes too.
    await peer(leader).api.append({ title: 'back', body: `by ${leader}`, timeoutMs: 20_000 });
    await histories(['alice', 'bob', 'carol'], 9);
  }, 180_000);

  it('remove a peer: it can no longer write, the others go on', async () => {
    const removed = await synod(['remove', 'carol', '--data', peer('alice').dataDir]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^removed 12D3/);

    const carol = peer('carol');
    await eventually('carol to learn it was removed', async () =>
      (await carol.status()).state === 'removed' ? true : undefined,
    );
    const refused = await synod(['append', 'still here?', 'x', '--data', carol.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^synod append: the peer is removed/);
    await expect(carol.api.append({ title: 'direct', body: 'x' })).rejects.toMatchObject({
      status: 410,
      code: 'removed',
    });

    for (const name of ['alice', 'bob']) {
      await synodOk(['append', `without carol ${name}`, 'x', '--data', peer(name).dataDir]);
    }
    const [a, b] = await histories(['alice', 'bob'], 11);
    expect(b).toEqual(a);
    const s = await peer('alice').status();
    expect(s.protocol!.config!.acceptors).toHaveLength(2);
    expect(s.majority).toMatchObject({ reachable: 2, total: 2, needed: 2 });
    expect(a!.some((r) => r.text === 'still here?')).toBe(false);
  }, 180_000);
});
