/**
 * An acceptor with amnesia (DESIGN.md §3 item 9; docs/protocol.md): the rule that judges store
 * stamps, and a peer whose store is restored from an older copy, in a simulated cluster. It is
 * found out at its first contact, never votes or leads again under its id, and says why; with
 * the injected bug `amnesia-votes` it goes unnoticed.
 */
import { describe, expect, it } from 'vitest';
import type { BugName } from '../src/bugs.js';
import { judgeStore, type RunRecord } from '../src/store-runs.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

const run = (r: number, start: number, seq: number): RunRecord => ({ run: r, start, seq });

describe('judging store stamps (store-runs.ts)', () => {
  it('a store that restarts goes on: never rolled back, and old runs are stale', () => {
    // Run 1 started at 0 and reported up to 40; run 2 started at 41 (after run 1's last write).
    expect(judgeStore([run(1, 0, 40)], { run: 2, start: 41, seq: 41 }).kind).toBe('ok');
    expect(judgeStore([run(2, 41, 50)], { run: 1, start: 0, seq: 40 }).kind).toBe('stale');
    expect(judgeStore([run(1, 0, 40), run(2, 41, 45)], { run: 2, start: 41, seq: 50 }).kind).toBe(
      'ok',
    );
  });

  it('a copy started after the original ran on is rolled back', () => {
    // Same start, another run: the same copy started twice.
    expect(judgeStore([run(1, 10, 30)], { run: 9, start: 10, seq: 11 }).kind).toBe('rolled-back');
    // It starts below a write an earlier run reported.
    expect(judgeStore([run(1, 10, 30)], { run: 9, start: 20, seq: 21 }).kind).toBe('rolled-back');
    // A wiped store: stale at first, rolled back once it reports past a later run's start.
    expect(judgeStore([run(1, 10, 30)], { run: 9, start: 0, seq: 3 }).kind).toBe('stale');
    expect(judgeStore([run(1, 10, 30)], { run: 9, start: 0, seq: 12 }).kind).toBe('rolled-back');
  });
});

/** p3's store is copied, the log moves on, the copy is restored and p3 started on it. */
function restoredPeer(bugs: BugName[] = []) {
  const members = ['p1', 'p2', 'p3'];
  const c = new SimCluster({ seed: 7, bugs: new Set(bugs), protocol: { window: 4 } });
  const snap = SimCluster.initialSnapshot({
    replicas: members,
    leaders: members,
    acceptors: members,
  });
  for (const id of members) {
    c.addPeer(id, snap);
    c.start(id);
  }
  c.runFor(2000);
  const copy = c.peer('p3').storage.loadSync();
  for (let i = 0; i < 20; i++)
    c.invoke(i % 2 === 0 ? 'p1' : 'p2', { op: 'append', key: 'k', value: `v${i}.` });
  c.runFor(2000);
  c.crash('p3');
  c.peer('p3').storage.restore(copy);
  c.start('p3');
  c.runFor(2000);
  return c;
}

describe('a peer whose store is restored from an older copy', () => {
  it('is found out, stops voting and leading, says why, and nothing is lost', () => {
    const c = restoredPeer();
    const p3 = c.peer('p3').node!;
    expect(p3.amnesia).toMatch(/went back in time .* remove it from the log/);
    expect(p3.status().leader.active).toBe(false);
    // Durable: it stays rolled back across a restart.
    c.crash('p3');
    c.start('p3');
    expect(c.peer('p3').node!.amnesia).not.toBeNull();
    // The others go on: every write is there, on every replica (p3 still learns).
    c.invoke('p1', { op: 'append', key: 'k', value: 'after.' });
    c.runFor(3000);
    const states = ['p1', 'p2', 'p3'].map((id) => c.peer(id).sm!.get('k'));
    expect(states[0]!.endsWith('after.')).toBe(true);
    for (let i = 0; i < 20; i++) expect(states[0]).toContain(`v${i}.`);
    expect(new Set(states).size).toBe(1);
    expect(c.violations).toEqual([]);
  });

  it("a rolledBack that does not name the receiver's current run changes nothing", () => {
    // A garbled, replayed or misaddressed accusation (a member's bug, a frame mutated on the
    // way): acting on it would stop a healthy peer for good.
    const members = ['p1', 'p2', 'p3'];
    const c = new SimCluster({ seed: 11, protocol: { window: 4 } });
    const snap = SimCluster.initialSnapshot({
      replicas: members,
      leaders: members,
      acceptors: members,
    });
    for (const id of members) {
      c.addPeer(id, snap);
      c.start(id);
    }
    c.runFor(2000);
    for (const id of members) {
      for (const run of [0, 1, 2 ** 32 - 1]) {
        c.receive('p2', id, {
          type: 'rolledBack',
          why: 'a stray accusation',
          store: { run, start: 0, seq: 0 },
        });
      }
    }
    c.invoke('p1', { op: 'append', key: 'k', value: 'still.' });
    c.runFor(3000);
    for (const id of members) {
      expect(c.peer(id).node!.amnesia).toBeNull();
      expect(c.peer(id).sm!.get('k')).toBe('still.');
    }
    expect(c.violations).toEqual([]);
  });

  it('with amnesia-votes, it votes as before and is never found out', () => {
    const c = restoredPeer(['amnesia-votes']);
    expect(c.peer('p3').node!.amnesia).toBeNull();
  });
});
