/**
 * The invite-request protocol (src/invite-request.ts) between a member transport and a LanAsker
 * on 127.0.0.1 (mDNS off: the asker is told the member's address; mDNS itself is tested in
 * network namespaces, test/e2e/lan-first-run.test.ts): the member's handler decides, an
 * accepted asker joins with the invite it got, refusals are typed, and a member that takes no
 * requests does not even let the asker connect.
 */
import { MemoryStorage } from '@synod/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateIdentity,
  InviteRequestFailedError,
  InviteRequestRefusedError,
  LanAsker,
  type InviteRequestInfo,
  type Libp2pTransport,
} from '../src/index.js';
import { loopbackTransport } from './helpers.js';

let open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

async function member(): Promise<Libp2pTransport> {
  const t = await loopbackTransport({ logId: 'log-1' });
  open.push(t);
  await t.start(() => undefined);
  t.setMembers([t.id]);
  t.onJoinRequest(() => undefined);
  return t;
}

async function asker(of: Libp2pTransport): Promise<LanAsker> {
  const a = await LanAsker.start({ identity: await generateIdentity(), mdns: false });
  open.push(a);
  await a.addPeerAddress(of.multiaddrs()[0]!);
  return a;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof InviteRequestRefusedError) return err.code;
    throw err;
  }
  throw new Error('the request was not refused');
}

describe('asking a member for an invite', () => {
  it('the member decides: accepted, the asker joins with the invite it got', async () => {
    const m = await member();
    const asked: InviteRequestInfo[] = [];
    m.setInviteRequestHandler((req) => {
      asked.push(req);
      return true;
    });
    const a = await asker(m);
    expect(a.peers().map((p) => p.peer)).toEqual([m.id]);
    const invite = await a.requestInvite(m.id, { name: 'bob' });
    expect(asked).toEqual([{ peer: a.id, name: 'bob' }]);
    // The invite is an ordinary single-use one: a peer with the asker's identity joins with it.
    const joiner = await loopbackTransport({ storage: new MemoryStorage() });
    open.push(joiner);
    await joiner.start(() => undefined);
    expect((await joiner.join(invite)).inviter).toBe(m.id);
  });

  it('declined, busy while undecided, and withdrawn when the asker gives up: typed refusals', async () => {
    const m = await member();
    let calls = 0;
    let release: (accept: boolean) => void = () => undefined;
    const withdrawn: string[] = [];
    m.setInviteRequestHandler(
      (req, signal) =>
        new Promise<boolean>((resolve) => {
          calls++;
          if (req.name === 'no') return resolve(false);
          release = resolve;
          signal.addEventListener('abort', () => withdrawn.push(req.name));
        }),
    );
    const a = await asker(m);
    expect(await refusal(a.requestInvite(m.id, { name: 'no' }))).toBe('declined');
    // A request waits for the user; a second one from the same peer meanwhile is `busy`.
    const first = a.requestInvite(m.id, { name: 'wait' });
    await expect.poll(() => calls).toBe(2);
    expect(await refusal(a.requestInvite(m.id, { name: 'again' }))).toBe('busy');
    release(false);
    expect(await refusal(first)).toBe('declined');
    // An asker that gives up: the member's decision is aborted (its UI drops the request).
    const gaveUp = new AbortController();
    const third = a.requestInvite(m.id, { name: 'gives up', signal: gaveUp.signal });
    await expect.poll(() => calls).toBe(3);
    gaveUp.abort();
    await expect(third).rejects.toBeInstanceOf(InviteRequestFailedError);
    await expect.poll(() => withdrawn, { timeout: 5000 }).toEqual(['gives up']);
  });

  it('a member taking no requests (and holding no invite) lets no stranger connect', async () => {
    const m = await member();
    const a = await asker(m);
    await expect(a.requestInvite(m.id, { name: 'bob' })).rejects.toBeInstanceOf(
      InviteRequestFailedError,
    );
    // Taking requests: the same asker gets in, and is told why not when the app stops deciding.
    m.setInviteRequestHandler(() => {
      throw new Error('nobody is at the keyboard');
    });
    expect(await refusal(a.requestInvite(m.id, { name: 'bob' }))).toBe('not-accepting');
    expect(m.getMetrics().connectionsDenied).toBeGreaterThan(0);
  });
});
