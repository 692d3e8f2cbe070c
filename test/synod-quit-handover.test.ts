/**
 * Quitting the app hands leadership over: the leader's `synod start` process, sent SIGTERM (what
 * the desktop app's launcher and a system shutdown send; Electron's quit runs the same suspend
 * and stop of the peer service), names the peer it handed over to before it exits, and that
 * peer leads. Three real processes (SQLite files in a tmp dir, libp2p on 127.0.0.1, mDNS off).
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-quit-handover-');

describe('a synod process that quits while it leads', () => {
  it('hands leadership over before it exits, and says to whom', async () => {
    const peers = await root.cluster(['alice', 'bob', 'carol'], { title: 'Quit' });
    const leaderId = await eventually('every peer to agree on a leader', async () => {
      const all = await Promise.all(peers.map((p) => p.status()));
      const ids = new Set(all.map((s) => s.protocol?.activeLeader ?? null));
      const [id] = ids;
      return ids.size === 1 && id !== null ? id : undefined;
    });
    const statuses = await Promise.all(peers.map((p) => p.status()));
    const leader = peers[statuses.findIndex((s) => s.id === leaderId)]!;
    const others = peers.filter((p) => p !== leader);

    const from = leader.child.lines.length;
    const said = leader.child.waitFor(
      /^synod: log .*: (handed leadership over to (\S+) in (\d+) ms|leaving without.*|handing leadership over.*)$/,
      30_000,
      from,
    );
    expect(await leader.stop('SIGTERM')).toBe(0);
    const line = await said;
    expect(line[1]).toMatch(/^handed leadership over/);
    const to = line[2]!;
    const otherIds = await Promise.all(others.map(async (p) => (await p.status()).id));
    expect(otherIds).toContain(to);
    console.log(`[handover] synod process quit: ${line[0]}`);

    // The others name the new leader and write through it.
    await eventually(`the others to see ${to} lead`, async () => {
      const all = await Promise.all(others.map((p) => p.status()));
      return all.every((s) => s.protocol?.activeLeader === to) ? true : undefined;
    });
    await others[0]!.api.append({ title: 'after the quit', body: '', timeoutMs: 30_000 });
  }, 180_000);
});
