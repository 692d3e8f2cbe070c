/**
 * Whether this peer was removed (src/removal.ts): once it has been a member and a configuration
 * without it governs; not while it replays a history from before it joined; not for good.
 */
import { describe, expect, it } from 'vitest';
import { ConfigHistory, type Configuration } from '../src/configuration.js';
import { Removal } from '../src/removal.js';
import { testContext } from './helpers.js';

const cfg = (id: number, start: number, members: string[]): Configuration => ({
  id,
  start,
  replicas: members,
  leaders: members,
  acceptors: members,
});

describe('Removal', () => {
  it('says removed once a configuration without this peer governs, then member again', () => {
    const r = new Removal(testContext('p3'));
    const h = new ConfigHistory([cfg(0, 1, ['p1', 'p2', 'p3'])]);
    expect(r.update(h, 1)).toBe(false);
    h.add(cfg(1, 9, ['p1', 'p2']));
    // Decided, not governing yet: p3 still takes part in slots 1..8.
    expect(r.update(h, 5)).toBe(false);
    expect(r.removed).toBe(false);
    expect(r.update(h, 9)).toBe(true);
    expect(r.removed).toBe(true);
    expect(r.update(h, 10)).toBe(false); // said once
    expect(r.removed).toBe(true);
    h.add(cfg(2, 20, ['p1', 'p2', 'p3']));
    expect(r.update(h, 12)).toBe(false); // named again by a later configuration
    expect(r.removed).toBe(false);
  });

  it('does not call a joining peer removed while it replays configurations from before it', () => {
    const r = new Removal(testContext('p4'));
    const h = new ConfigHistory([cfg(0, 1, ['p1']), cfg(1, 5, ['p1', 'p2'])]);
    expect(r.update(h, 6)).toBe(false);
    expect(r.removed).toBe(false);
    // Once it learned of a configuration with it, one without it that governs removes it.
    const joined = cfg(2, 9, ['p1', 'p4']);
    h.add(joined);
    r.configAdded(joined);
    h.add(cfg(3, 12, ['p1']));
    expect(r.update(h, 12)).toBe(true);
  });
});
