import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';
import { MemberSet } from '../src/members.js';

describe('reconnect backoff', () => {
  it('doubles from the first delay to the cap, with up to half of each delay random', () => {
    const lo = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const hi = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    const low = Array.from({ length: 7 }, () => lo.next());
    const high = Array.from({ length: 7 }, () => hi.next());
    expect(low).toEqual([50, 100, 200, 400, 500, 500, 500]);
    high.forEach((h, i) => {
      expect(h).toBeGreaterThan(low[i]!);
      expect(h).toBeLessThanOrEqual(low[i]! * 2);
    });
    lo.reset();
    expect(lo.next()).toBe(50);
  });
});

describe('member set', () => {
  it('trusts provisional peers until the runtime names the members, then exactly those', () => {
    const now = 0;
    const m = new MemberSet('me', ['boot'], () => now);
    expect(m.isAllowed('boot')).toBe(true);
    expect(m.isAllowed('me')).toBe(false);
    expect(m.configured).toBe(false);
    const lost = m.set(['me', 'a']);
    expect(lost).toEqual(['boot']);
    expect(m.isAllowed('boot')).toBe(false);
    expect(m.isAllowed('a')).toBe(true);
    // Provisional peers no longer count once members are set.
    m.addProvisional(['x']);
    expect(m.isAllowed('x')).toBe(false);
  });

  it('admits a joined peer for a while, and lets join targets be dialled only', () => {
    let now = 0;
    const m = new MemberSet('me', [], () => now);
    m.set(['me']);
    m.admit('j', 1000);
    expect(m.isAllowed('j')).toBe(true);
    expect([...m.allowedPeers()]).toEqual(['j']);
    now = 1001;
    expect(m.isAllowed('j')).toBe(false);
    m.addJoinTarget('inviter');
    expect(m.mayDial('inviter')).toBe(true);
    expect(m.isAllowed('inviter')).toBe(false);
    m.removeJoinTarget('inviter');
    expect(m.mayDial('inviter')).toBe(false);
  });

  it('admits no member (an admission would outlive its membership), and knows who was removed', () => {
    const now = 0;
    const m = new MemberSet('me', [], () => now);
    m.set(['me', 'j']);
    m.admit('j', 10_000); // the join hook waited for the configuration that adds j
    expect(m.wasRemoved('j')).toBe(false);
    m.set(['me']);
    expect(m.isAllowed('j')).toBe(false);
    expect(m.wasRemoved('j')).toBe(true);
    expect(m.wasRemoved('never')).toBe(false);
  });

  it('shuts a banned peer out for a while, member or not', () => {
    let now = 0;
    const m = new MemberSet('me', [], () => now);
    m.set(['me', 'a', 'b']);
    m.ban('a', 1000);
    expect(m.isAllowed('a')).toBe(false);
    expect(m.mayDial('a')).toBe(false);
    expect([...m.allowedPeers()]).toEqual(['b']);
    now = 1001;
    expect(m.isAllowed('a')).toBe(true);
    expect([...m.allowedPeers()].sort()).toEqual(['a', 'b']);
  });
});
