import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildPeer, FIXTURES } from './child.js';

/**
 * mDNS discovery between two processes, each in a network namespace this test creates and
 * joins with a veth pair: the multicast stays between the two namespaces and never reaches the
 * machine's own network (mDNS is never run in the default namespace). Skipped, with the reason
 * printed, where namespaces cannot be made (no root, no `ip`).
 */
const tag = `sy${process.pid % 100_000}`;
const NS = [`${tag}-a`, `${tag}-b`];
const IFACES = [`${tag}a`, `${tag}b`];
const ADDRS = ['10.231.77.1/24', '10.231.77.2/24'];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Create the namespaces and the link between them; returns why not, if it cannot. */
function setUp(): string | undefined {
  try {
    ip('netns', 'add', NS[0]!);
  } catch (err) {
    return `cannot create a network namespace (${String((err as Error).message).split('\n')[0]})`;
  }
  try {
    ip('netns', 'add', NS[1]!);
    // Both ends are created inside the namespaces: nothing appears in the default one.
    ip(
      '-n',
      NS[0]!,
      'link',
      'add',
      IFACES[0]!,
      'type',
      'veth',
      'peer',
      'name',
      IFACES[1]!,
      'netns',
      NS[1]!,
    );
    for (let i = 0; i < 2; i++) {
      ip('-n', NS[i]!, 'addr', 'add', ADDRS[i]!, 'dev', IFACES[i]!);
      ip('-n', NS[i]!, 'link', 'set', 'lo', 'up');
      ip('-n', NS[i]!, 'link', 'set', IFACES[i]!, 'up');
      ip('-n', NS[i]!, 'route', 'add', '224.0.0.0/4', 'dev', IFACES[i]!);
    }
  } catch (err) {
    tearDown();
    return `cannot set up the namespaces' link (${String((err as Error).message).split('\n')[0]})`;
  }
  return undefined;
}

function tearDown(): void {
  for (const ns of NS) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // Not created.
    }
  }
}

describe('mDNS discovery in network namespaces', () => {
  const peers: ChildPeer[] = [];
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    tearDown();
  });

  it('two processes find each other on the LAN and link up, with no address given', async (ctx) => {
    const reason = setUp();
    if (reason !== undefined) {
      console.warn(`mDNS discovery test skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    for (const ns of NS) {
      peers.push(
        new ChildPeer(['ip', 'netns', 'exec', ns, process.execPath, `${FIXTURES}mdns-peer.mjs`]),
      );
    }
    const ready = await Promise.all(peers.map((p) => p.ready));
    const ids = ready.map((r) => r.id as string);
    for (const p of peers) await p.request('members', { ids });
    await Promise.all(
      peers.map((p, i) => p.request('greet', { peer: ids[1 - i], timeoutMs: 20_000 }, 30_000)),
    );
    for (let i = 0; i < 2; i++) {
      const s = await peers[i]!.request('state');
      const found = (s.discovered as { peer: string; addrs: string[]; member: boolean }[]).find(
        (d) => d.peer === ids[1 - i],
      );
      expect(found, `peer ${i} discovered the other`).toBeDefined();
      expect(found!.member).toBe(true);
      expect(found!.addrs.some((a) => a.includes(ADDRS[1 - i]!.split('/')[0]!))).toBe(true);
    }
    // Each got the other's greeting.
    for (let i = 0; i < 2; i++) {
      let got: { from: string }[] = [];
      for (let k = 0; k < 100 && got.length === 0; k++) {
        got = (await peers[i]!.request('state')).received as { from: string }[];
        if (got.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(got.map((g) => g.from)).toContain(ids[1 - i]);
    }
  }, 60_000);

  it('a peer that leaves the LAN is no longer listed (mDNS sends no goodbye)', async (ctx) => {
    if (peers.length < 2) {
      ctx.skip('the namespaces were not set up (see above)');
      return;
    }
    const gone = String((await peers[1]!.ready).id);
    const listed = async () =>
      ((await peers[0]!.request('state')).discovered as { peer: string }[]).some(
        (d) => d.peer === gone,
      );
    expect(await listed()).toBe(true);
    // Killed, as a laptop leaving the LAN: no goodbye, no clean close of anything.
    peers[1]!.proc.kill('SIGKILL');
    // The fixture announces every 500 ms: an entry not re-announced for 3 intervals goes.
    const deadline = Date.now() + 15_000;
    while (await listed()) {
      if (Date.now() > deadline) throw new Error(`${gone} still listed 15 s after it went`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 30_000);
});
