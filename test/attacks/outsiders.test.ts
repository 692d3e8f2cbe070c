/**
 * Peers outside the configuration (issue 9, "attacks from the network"), end to end with real
 * SynodNodes on SQLite and libp2p: a stranger running a node of its own that believes it is a
 * member, a peer removed from the log that keeps trying, and joiners with replayed, expired and
 * forged invites. The transport's own tests (packages/transport-libp2p/test/gating.test.ts,
 * invites.test.ts) check the same gates on bare transports; here the question is whether anything
 * reaches the *core* of a running cluster, and whether the cluster goes on.
 */
import { encodeInvite } from '../../packages/transport-libp2p/src/invite.js';
import { decodeInvite, JoinRefusedError } from '@synod/transport-libp2p';
import { encodeKv } from '@synod/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitFor,
  freshPeer,
  sleep,
  startCluster,
  waitFor,
  type Cluster,
  type Member,
} from './cluster.js';

let cluster: Cluster;
const others: Member[] = [];
/** The invite the joiner was admitted with. */
let joinedWith = '';

beforeAll(async () => {
  cluster = await startCluster(3);
}, 60_000);

afterAll(async () => {
  for (const o of others) await o.node.stop().catch(() => undefined);
  await cluster?.stop();
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JoinRefusedError) return err.code;
    return `not a refusal: ${String(err)}`;
  }
  return 'admitted';
}

const configIds = () => {
  const c = cluster.members[0]!.node.status().config!;
  return new Set([...c.replicas, ...c.leaders, ...c.acceptors]);
};

describe('peers outside the configuration', () => {
  it('a stranger running its own node, told every address and believing itself a member, reaches no core', async () => {
    const stranger = await freshPeer(cluster.dir, 'stranger', { ownLog: true });
    others.push(stranger);
    const ids = cluster.members.map((m) => m.transport.id);
    for (const m of cluster.members)
      await stranger.transport.addPeerAddress(m.transport.multiaddrs()[0]!);
    // Its transport dials and sends to the cluster's peers as if they were members.
    stranger.transport.setMembers([stranger.transport.id, ...ids]);
    const denied = cluster.members.map((m) => m.transport.getMetrics().connectionsDenied);
    let accepted = 0;
    const commits = commitFor(cluster.members[0]!.node, 3000);
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      for (const id of ids) {
        if (stranger.transport.send(id, [{ type: 'readIndexReq', id: 1 }])) accepted++;
        if (
          stranger.transport.send(id, [
            {
              type: 'p1a',
              config: 0,
              ballot: { round: 1e9, leader: stranger.transport.id },
              fromSlot: 0,
              probe: false,
            },
          ])
        )
          accepted++;
      }
      await sleep(20);
    }
    const r = await commits;
    expect(accepted).toBe(0);
    for (const [i, m] of cluster.members.entries()) {
      expect(m.senders.has(stranger.transport.id)).toBe(false);
      expect(m.transport.getMetrics().connectionsDenied).toBeGreaterThan(denied[i]!);
    }
    expect(r.failed).toBe(0);
    expect(r.ok).toBeGreaterThan(0);
    expect(configIds().has(stranger.transport.id)).toBe(false);
  }, 30_000);

  it('joining needs a valid invite: forged, expired and replayed ones are refused, and the refused stay out', async () => {
    const a = cluster.members[0]!.transport;
    const real = await a.createInvite({ ttlMs: 60_000 });
    const joiner = await freshPeer(cluster.dir, 'joiner');
    const intruder = await freshPeer(cluster.dir, 'intruder');
    others.push(joiner, intruder);
    // Forged: the right inviter, log and addresses, a secret of the intruder's choosing.
    const forged = encodeInvite({ ...decodeInvite(real.text), secret: new Uint8Array(16).fill(1) });
    expect(await refusal(intruder.transport.join(forged.text, { timeoutMs: 10_000 }))).toBe(
      'unknown-invite',
    );
    // Expired (the member checks its own record of the expiry).
    const short = await a.createInvite({ ttlMs: 300 });
    await sleep(400);
    const extended = encodeInvite({
      ...decodeInvite(short.text),
      expiresAt: Date.now() + 3600_000,
    });
    expect(await refusal(intruder.transport.join(extended.text, { timeoutMs: 10_000 }))).toBe(
      'expired',
    );
    // The real one admits the joiner into the configuration, once.
    await joiner.transport.join(real.text, { timeoutMs: 20_000 });
    joinedWith = real.text;
    await waitFor(() => configIds().has(joiner.transport.id), 'the joiner in the configuration');
    await waitFor(() => joiner.node.status().initialized, 'the joiner to catch up', 20_000);
    // Replayed by someone else (another invite is out, so the intruder may connect to try).
    await a.createInvite({ ttlMs: 60_000 });
    expect(await refusal(intruder.transport.join(real.text, { timeoutMs: 10_000 }))).toBe(
      'already-used',
    );
    expect(configIds().has(intruder.transport.id)).toBe(false);
    for (const m of cluster.members) expect(m.senders.has(intruder.transport.id)).toBe(false);
    // The admitted joiner takes part: its proposals commit.
    await joiner.node.propose(encodeKv({ op: 'put', key: 'joined', value: 'yes' }));
    await waitFor(
      () => cluster.members.every((m) => m.node.stateMachine.get('joined') === 'yes'),
      'the joiner command everywhere',
    );
  }, 60_000);

  it('a removed peer can no longer take part: its proposals are refused, no message of it but its catch-up requests reaches a core, the others go on', async () => {
    const joiner = others.find((o) => configIds().has(o.transport.id))!;
    expect(joiner).toBeDefined();
    const id = joiner.transport.id;
    await cluster.members[0]!.node.removePeer(id);
    await waitFor(() => joiner.node.status().removed, 'the removed peer to learn it', 20_000);
    await expect(
      joiner.node.propose(encodeKv({ op: 'put', key: 'ghost', value: 'boo' })),
    ).rejects.toMatchObject({ code: 'removed' });
    // Until its last configuration is compacted away (its slots all decided, then a snapshot),
    // the peer is still one of that configuration's acceptors and learners, and the members'
    // transports still take its frames (docs/security.md). Commit until they no longer do.
    const trusted = () =>
      cluster.members.filter((m) => m.transport.peers().some((p) => p.peer === id)).length;
    const deadline = Date.now() + 30_000;
    while (trusted() > 0 && Date.now() < deadline) await commitFor(cluster.members[0]!.node, 200);
    expect(trusted(), 'members still trusting the removed peer').toBe(0);
    const removedAt = Date.now();
    await sleep(300);
    // It keeps trying to talk, as a confused or hostile removed peer would. It is a former member
    // now: it may connect and ask for the members' progress (its hand-over, and its catch-up, do),
    // and nothing else of it reaches a core; its transport drops the rest.
    const ids = cluster.members.map((m) => m.transport.id);
    joiner.transport.setMembers([id, ...ids]);
    const dropped = () =>
      cluster.members.reduce((n, m) => n + m.transport.getMetrics().formerMessages.dropped, 0);
    const droppedBefore = dropped();
    const commits = commitFor(cluster.members[1]!.node, 3000);
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      for (const to of ids)
        joiner.transport.send(to, [{ type: 'request', commands: new Uint8Array(4), hops: 0 }]);
      await sleep(20);
    }
    const r = await commits;
    expect(r.failed).toBe(0);
    expect(r.ok).toBeGreaterThan(0);
    for (const m of cluster.members) {
      const last = m.beyondAsks.get(id) ?? 0;
      expect(last, 'a message from the removed peer reached a core').toBeLessThan(removedAt);
    }
    expect(dropped()).toBeGreaterThan(droppedBefore);
    expect(cluster.members.every((m) => m.node.stateMachine.get('ghost') === '')).toBe(true);
    // Its old invite does not let it back in (another invite is out, so it may connect to try).
    await cluster.members[0]!.transport.createInvite({ ttlMs: 60_000 });
    expect(await refusal(joiner.transport.join(joinedWith, { timeoutMs: 10_000 }))).toBe(
      'already-used',
    );
    expect(trusted()).toBe(0);
  }, 60_000);
});
