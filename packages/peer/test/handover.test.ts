/**
 * A planned departure hands leadership over: when the leader stops or leaves while a client at
 * another peer writes, that client's writes wait for the handover (a round trip or two), not for
 * an election timeout. The election timeout is long here (4 s) so that the two cannot be
 * confused on a loaded machine. Three real peers in this process: real SQLite files, real
 * libp2p links on 127.0.0.1, mDNS off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { membersOf } from '@synod/core';
import { encodeKv, KvStateMachine, until } from '@synod/core/testing';
import { createPeer, type Peer } from '../src/index.js';

/** This file's waits are longer than until's default: real peers on a busy machine. */
const wait = (what: string, cond: () => boolean, ms = 20_000) => until(what, cond, ms);

const ELECTION_TIMEOUT_MS = 4000;
/** A write at a remaining peer must commit within this, all through the departure. */
const BOUND_MS = ELECTION_TIMEOUT_MS / 2;

const root = mkdtempSync(join(tmpdir(), 'synod-peer-handover-'));
const running = new Set<Peer<KvStateMachine>>();
afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function peer(name: string, join_?: string): Promise<Peer<KvStateMachine>> {
  const p = await createPeer({
    dataDir: join(root, name),
    stateMachine: new KvStateMachine(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    operationTimeoutMs: 30_000,
    protocol: {
      electionTimeoutMs: ELECTION_TIMEOUT_MS,
      maxElectionTimeoutMs: 2 * ELECTION_TIMEOUT_MS,
    },
    ...(join_ !== undefined ? { join: join_ } : {}),
  });
  running.add(p);
  return p;
}

async function stop(p: Peer<KvStateMachine>): Promise<void> {
  await p.stop();
  running.delete(p);
}

/** `n` peers; the creator (the first) leads: it led alone, and added the others itself. */
async function cluster(tag: string, n = 3): Promise<Peer<KvStateMachine>[]> {
  const a = await peer(`${tag}-0`);
  const peers = [a];
  for (let i = 1; i < n; i++) peers.push(await peer(`${tag}-${i}`, (await a.invite()).text));
  await wait(`${tag}: the first peer leads and every peer knows it`, () =>
    peers.every((p) => p.node.status().activeLeader === a.id),
  );
  return peers;
}

/** Poll `cond` until it holds, failing with `what` after `ms`. */
/** A client at `p` writing one command after another, timing each. */
function writer(p: Peer<KvStateMachine>) {
  const writes: { start: number; end: number }[] = [];
  let stopped = false;
  let failure: unknown;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const start = performance.now();
      try {
        await p.node.propose(encodeKv({ op: 'append', key: 'k', value: `${i},` }));
      } catch (err) {
        failure = err;
        return;
      }
      writes.push({ start, end: performance.now() });
    }
  })();
  return {
    writes,
    /** Wait until a write that started after `t` has committed. */
    async committedAfter(t: number): Promise<void> {
      await wait(
        'a write after the departure commits',
        () => {
          if (failure !== undefined) throw failure as Error;
          return writes.some((w) => w.start >= t);
        },
        3 * ELECTION_TIMEOUT_MS,
      );
    },
    /** The longest a write took that was under way at some instant in [from, to]. */
    worstAround(from: number, to: number): number {
      return Math.max(
        ...writes.filter((w) => w.end >= from && w.start <= to).map((w) => w.end - w.start),
      );
    },
    async stop(): Promise<void> {
      stopped = true;
      await done;
      if (failure !== undefined) throw failure as Error;
    },
  };
}

function report(what: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(
    ([k, v]) => `${k} ${typeof v === 'number' ? Math.round(v) : v}`,
  );
  console.log(
    `[handover] ${what}: ${parts.join(', ')} (election timeout ${ELECTION_TIMEOUT_MS} ms)`,
  );
}

describe('a planned departure hands leadership over', () => {
  it('the leader stops while a client at another peer writes: writes wait well under an election timeout', async () => {
    const [a, b, c] = await cluster('s');
    const w = writer(b!);
    await wait('b commits through a', () => w.writes.length >= 5);

    const t0 = performance.now();
    await stop(a!);
    const t1 = performance.now();
    await w.committedAfter(t1);
    await w.stop();

    const outcome = a!.lastHandover;
    expect(outcome).toMatchObject({ kind: 'handed-over' });
    const to = outcome?.kind === 'handed-over' ? outcome.to : '';
    expect([b!.id, c!.id]).toContain(to);
    expect(b!.node.status().activeLeader).toBe(to);
    const worst = w.worstAround(t0, performance.now());
    report('leader stopped', {
      'handover ms': outcome?.kind === 'handed-over' ? outcome.ms : NaN,
      'stop ms': t1 - t0,
      'worst write at b ms': worst,
    });
    expect(worst).toBeLessThan(BOUND_MS);
  }, 90_000);

  it('the leader leaves while a client at another peer writes: the removal completes and writes wait well under an election timeout', async () => {
    // Four peers, and the first leader of the configuration without a (leaders are sorted by
    // id) is down: had a proposed its removal first, the new configuration would wait an
    // election timeout for a leader (only its first leader runs at once, and that one cannot);
    // handed over first, the new leader carries on into it.
    const [a, ...rest] = await cluster('l', 4);
    const [first, c, d] = [...rest].sort((x, y) => (x.id < y.id ? -1 : 1));
    await stop(first!);
    await wait('a sees it gone', () =>
      a!.node.status().links.every((l) => l.peer !== first!.id || !l.connected),
    );
    const w = writer(c!);
    await wait('c commits through a', () => w.writes.length >= 5);

    const t0 = performance.now();
    await a!.leave();
    const t1 = performance.now();
    await w.committedAfter(t1);
    await w.stop();

    expect(a!.lastHandover).toMatchObject({ kind: 'handed-over' });
    expect(a!.node.status().removed).toBe(true);
    for (const p of [c!, d!]) {
      const s = p.node.status();
      expect([...s.config!.acceptors].sort()).toEqual([first!.id, c!.id, d!.id].sort());
      expect([c!.id, d!.id]).toContain(s.activeLeader);
    }
    const worst = w.worstAround(t0, performance.now());
    const handover = a!.lastHandover?.kind === 'handed-over' ? a!.lastHandover.ms : NaN;
    report('leader left', {
      'handover ms': handover,
      'leave ms': t1 - t0,
      'worst write at c ms': worst,
    });
    expect(worst).toBeLessThan(BOUND_MS);
    await stop(a!);
  }, 90_000);

  it('a leader with no other peer connected stops at once, without throwing', async () => {
    const [a, b, c] = await cluster('n');
    await Promise.all([stop(b!), stop(c!)]);
    await wait('a sees b and c gone', () => a!.node.status().links.every((l) => !l.connected));
    // Still leading: it notices the lost majority only after an election timeout.
    expect(a!.node.status().leader.active).toBe(true);

    const t0 = performance.now();
    await stop(a!);
    const ms = performance.now() - t0;
    expect(a!.lastHandover).toMatchObject({ kind: 'no-target' });
    report('leader stopped alone', { 'stop ms': ms });
    expect(ms).toBeLessThan(BOUND_MS);
  }, 60_000);

  it('a whole cluster stopped at once stops promptly: a leader does not wait for a target that stops too', async () => {
    const peers = await cluster('w');
    const t0 = performance.now();
    const times = await Promise.all(
      peers.map(async (p) => {
        await stop(p);
        return performance.now() - t0;
      }),
    );
    const a = peers[0]!;
    report('whole cluster stopped at once', {
      'slowest stop ms': Math.max(...times),
      'the leader': a.lastHandover?.line ?? 'none',
    });
    expect(Math.max(...times)).toBeLessThan(BOUND_MS);
  }, 60_000);

  it('a leave waits out a membership change another member made a moment earlier', async () => {
    const [a, b, , d] = await cluster('p', 4);
    // The leader removes d; b leaves at once. b's removal reaches the log after d's, which it
    // would find pending (core: ReconfigPendingError, "another membership change won").
    const removal = a!.node.removePeer(d!.id);
    await b!.leave();
    await removal;
    await wait('a governs without b and d', () => {
      const cfg = a!.node.status().config;
      return cfg !== null && !membersOf(cfg).includes(b!.id) && !membersOf(cfg).includes(d!.id);
    });
    expect(b!.node.status().removed).toBe(true);
  }, 60_000);
});
