/**
 * Two logs of one peer shared with different peers, with real `synod` processes (issue 16): alice
 * shares `team` with bob and `trip` with carol over one libp2p node. `--log` picks the log (and
 * is required once there are two); bob, a member of team, then attacks trip: through his own
 * API, with a tampered invite, and on the wire from a process with his identity
 * (other-log-attacker.mjs: streams naming trip, a frame of team naming trip, joins with team's
 * invite turned into trip's). Everything is refused, alike for a log that does not exist, and
 * trip's members, entries and history stay alice's and carol's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/child.js';
import { caughtUp, eventually, synod, synodOk, SynodPeer } from '../helpers/synod-cli.js';

const root = mkdtempSync(join(tmpdir(), 'synod-other-log-'));
const peers: SynodPeer[] = [];
const ATTACKER = fileURLToPath(new URL('./other-log-attacker.mjs', import.meta.url));

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop('SIGKILL').catch(() => undefined)));
  rmSync(root, { recursive: true, force: true });
});

async function start(name: string, port?: number): Promise<SynodPeer> {
  const p = await SynodPeer.start(root, name, port !== undefined ? { port } : {});
  peers.push(p);
  return p;
}

describe('two logs of one peer, shared with different peers (real synod processes)', () => {
  it('alice shares team with bob and trip with carol; bob can never read or write trip', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => start(n)));
    const team = await alice!.api.createLog({ title: 'Team', logName: 'team' });
    // A second log needs a name here; refused without one, and nothing is created.
    await expect(alice!.api.createLog({ title: 'Trip' })).rejects.toMatchObject({
      code: 'already-initialized',
    });
    const trip = await alice!.api.createLog({ title: 'Trip', logName: 'trip' });
    await bob!.api.join({ invite: (await alice!.api.invite({ log: 'team' })).text });
    await carol!.api.join({ invite: (await alice!.api.invite({ log: 'trip' })).text });
    for (const p of [bob!, carol!]) {
      await eventually(`${p.name} to catch up`, async () =>
        caughtUp(await p.status()) ? true : undefined,
      );
    }

    // The CLI: --log picks a log; without it, with two logs, a typed error listing them.
    const noLog = await synod(['status', '--data', alice!.dataDir]);
    expect(noLog.code).toBe(1);
    expect(noLog.stderr).toMatch(
      /^synod status: this peer has 2 logs: name one with --log NAME\|ID .*: team, trip \(log-required\)$/m,
    );
    const listed = await synodOk(['logs', '--data', alice!.dataDir]);
    expect(listed).toMatch(new RegExp(`^team  ${team.logId}  running  "Team"$`, 'm'));
    expect(listed).toMatch(new RegExp(`^trip  ${trip.logId}  running  "Trip"$`, 'm'));
    await synodOk(['append', 'Standup', 'at 10', '--log', 'team', '--data', alice!.dataDir]);
    await synodOk(['append', 'Tickets', 'booked', '--log', trip.logId!, '--data', alice!.dataDir]);
    const bad = await synod(['list', '--log', 'nope', '--data', alice!.dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^synod list: no log nope here \(logs: team, trip\) \(unknown-log\)$/m,
    );
    // Each member reads its own log only (the only one it has, no --log needed).
    expect(await synodOk(['list', '--data', bob!.dataDir])).toMatch(/Standup/);
    expect(await synodOk(['list', '--data', bob!.dataDir])).not.toMatch(/Tickets/);
    expect(await synodOk(['list', '--data', carol!.dataDir])).toMatch(/Tickets/);
    expect(await synodOk(['list', '--data', carol!.dataDir])).not.toMatch(/Standup/);
    // The API names the log in the path.
    const tripEntries = await alice!.api.entries({ log: 'trip' });
    expect(tripEntries.entries.map((e) => e.title)).toEqual(['Tickets']);

    // Bob through his own API: trip is no log of his, by id or by name.
    for (const ref of [trip.logId!, 'trip']) {
      const r = await synod(['list', '--log', ref, '--data', bob!.dataDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\(unknown-log\)$/m);
      await expect(bob!.api.append({ log: ref, title: 'x', body: 'y' })).rejects.toMatchObject({
        code: 'unknown-log',
        status: 404,
      });
    }

    // Bob's process on the wire, with his identity (his synod stopped: the directory is his).
    const spare = (await alice!.api.invite({ log: 'team' })).text;
    await bob!.stop();
    peers.splice(peers.indexOf(bob!), 1);
    const aliceAddr = (await alice!.api.status({ log: 'team' })).addresses.find((a) =>
      a.includes('127.0.0.1'),
    );
    const out = await run(process.execPath, [
      ATTACKER,
      bob!.dataDir,
      aliceAddr!,
      trip.logId!,
      team.logId!,
      spare,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const got = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    // Alice closes a stream naming trip exactly as one naming a log that does not exist.
    expect(got.streamToTrip).not.toBe('open');
    expect(got.streamToTrip).toBe(got.streamToNowhere);
    expect(got.forgedFrameSent).toBe(true);
    // Team's invite turned into trip's is refused, exactly as for a log that does not exist.
    expect(got.joinTrip).not.toBe('joined');
    expect(String(got.joinTrip).replace(trip.logId!, 'L')).toBe(
      String(got.joinNowhere).replace('no-such-log', 'L'),
    );
    expect(got.logs).toEqual([team.logId]);

    // Trip is untouched: its members are alice and carol, its entries and history theirs.
    const tripStatus = await alice!.api.status({ log: 'trip' });
    const bobId = (await alice!.api.status({ log: 'team' })).peers.find((p) => p.name === 'bob');
    expect(bobId).toBeDefined();
    expect(tripStatus.protocol!.config!.acceptors).not.toContain(bobId!.id);
    expect(tripStatus.peers.map((p) => p.name).sort()).toEqual(['alice', 'carol']);
    const history = await alice!.api.history({ log: 'trip' });
    expect(history.records.every((r) => r.author === 'alice' || r.author === 'carol')).toBe(true);
    expect((await alice!.api.entries({ log: 'trip' })).entries.map((e) => e.title)).toEqual([
      'Tickets',
    ]);

    // Bob back: team works as before; carol still writes trip.
    const bob2 = await start('bob', bob!.port);
    await synodOk(['append', 'Back', 'again', '--data', bob2.dataDir]);
    await synodOk(['append', 'Hotel', 'too', '--data', carol!.dataDir]);
    await eventually('alice to see both writes', async () => {
      const t = await alice!.api.entries({ log: 'team' });
      const r = await alice!.api.entries({ log: 'trip' });
      return t.entries.some((e) => e.title === 'Back') && r.entries.some((e) => e.title === 'Hotel')
        ? true
        : undefined;
    });

    // Alice restarted: both logs open again, each announced on her console.
    await alice!.stop();
    peers.splice(peers.indexOf(alice!), 1);
    const alice2 = await start('alice', alice!.port);
    expect((await alice2.api.logs()).logs.map((l) => [l.logName, l.state])).toEqual([
      ['team', 'running'],
      ['trip', 'running'],
    ]);
    for (const [log, name] of [
      [team.logId, 'team'],
      [trip.logId, 'trip'],
    ]) {
      expect(alice2.child.lines.some((l) => l.includes(`of log ${log} (${name} here)`))).toBe(true);
    }
    expect((await alice2.api.entries({ log: 'trip' })).entries.map((e) => e.title)).toEqual([
      'Tickets',
      'Hotel',
    ]);
  }, 240_000);
});
