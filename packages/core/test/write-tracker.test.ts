/**
 * The core's side of persist before send (src/write-tracker.ts): what reports acceptor state
 * waits for the write that holds it, this peer's own votes included; what depends on no write
 * leaves at once; decisions alone wait for the next write, a heartbeat interval at most.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../src/messages.js';
import { PersistBuilder } from '../src/persist-builder.js';
import { WriteTracker } from '../src/write-tracker.js';

const HB = 100;
const p2b: Message = {
  type: 'p2b',
  config: 0,
  ballot: { round: 1, leader: 'p2' },
  proposal: { round: 1, leader: 'p2' },
  slot: 1,
};
const p2a: Message = {
  type: 'p2a',
  config: 0,
  ballot: { round: 1, leader: 'p1' },
  slot: 2,
  value: new Uint8Array([1]),
};

function tracker(): { w: WriteTracker; persist: PersistBuilder } {
  const persist = new PersistBuilder();
  return { w: new WriteTracker(persist, 'p1', HB), persist };
}

describe('WriteTracker', () => {
  it('ties a vote to the write that holds it; to this peer itself it waits here', () => {
    const { w, persist } = tracker();
    persist.accept({ config: 0, ballot: { round: 1, leader: 'p2' }, slot: 1, value: p2a.value });
    w.send('p2', p2b, true);
    w.send('p1', p2b, true); // this peer's own vote, for its own leader
    w.send('p3', p2a, false);
    const t = w.take(true, 0, undefined);
    expect(t.persist?.accepted).toHaveLength(1);
    expect(t.writeId).toBe(1);
    expect(t.messages.map((e) => e.to)).toEqual(['p3']);
    expect(t.afterPersist.map((e) => e.to)).toEqual(['p2']);
    expect(w.nextSelf()).toBeUndefined();
    // A vote in a later turn that wrote nothing waits for the newest write in flight.
    w.send('p2', p2b, true);
    const t2 = w.take(true, 0, undefined);
    expect([t2.persist, t2.writeId, t2.afterPersist.length]).toEqual([null, 1, 1]);
    expect(w.persisted(1)).toEqual({ snapshots: [], self: [p2b] });
    expect(w.persisted(1)).toBeUndefined(); // durable already
    expect(() => w.persisted(2)).toThrow(/never handed out/);
  });

  it('lets what waits for no write leave at once, and steps own votes at once then', () => {
    const { w } = tracker();
    w.send('p2', p2b, true);
    w.send('p1', p2b, true);
    expect(w.takeUnheldSelf()).toEqual([p2b]);
    const t = w.take(true, 0, undefined);
    expect([t.persist, t.writeId]).toEqual([null, 0]);
    expect(t.messages.map((e) => e.to)).toEqual(['p2']);
    expect(t.afterPersist).toEqual([]);
  });

  it('keeps the state and what waits for it while no write may start', () => {
    const { w, persist } = tracker();
    persist.promise(0, { round: 2, leader: 'p2' });
    w.send('p2', p2b, true);
    w.send('p3', p2a, false);
    expect(w.takeUnheldSelf()).toBeUndefined();
    const held = w.take(false, 0, undefined);
    expect([held.persist, held.writeId, held.afterPersist.length]).toEqual([null, 0, 0]);
    expect(held.messages.map((e) => e.to)).toEqual(['p3']);
    const t = w.take(true, 0, undefined);
    expect(t.persist?.promises).toHaveLength(1);
    expect([t.writeId, t.afterPersist.length]).toEqual([1, 1]);
  });

  it('holds decisions alone for the next write, a heartbeat interval or 256 decisions at most', () => {
    const { w, persist } = tracker();
    persist.decide({ slot: 1, value: p2a.value });
    expect(w.take(true, 1000, undefined).persist).toBeNull();
    expect(w.nextDeadline()).toBe(1000 + HB);
    expect(w.take(true, 1000 + HB - 1, undefined).persist).toBeNull();
    expect(w.take(true, 1000 + HB, undefined).persist?.decisions).toHaveLength(1);
    expect(w.nextDeadline()).toBe(Infinity);
    for (let s = 2; s < 2 + 256; s++) persist.decide({ slot: s, value: p2a.value });
    expect(w.take(true, 2000, undefined).persist?.decisions).toHaveLength(256);
    // With acceptor state beside them they go in its write at once.
    persist.decide({ slot: 300, value: p2a.value });
    persist.promise(0, { round: 3, leader: 'p2' });
    expect(w.take(true, 3000, undefined).persist?.decisions).toHaveLength(1);
  });

  it('releases the incarnation and a snapshot’s slot with their writes, in order', () => {
    const { w, persist } = tracker();
    persist.setIncarnation(4);
    w.take(true, 0, 7);
    persist.promise(0, { round: 5, leader: 'p1' });
    w.take(true, 0, 9);
    expect(w.incarnationDurable).toBe(false);
    expect(w.lastIssued).toBe(2);
    expect(w.persisted(1)).toEqual({ snapshots: [7], self: [] });
    expect(w.incarnationDurable).toBe(true);
    expect(w.persisted(2)).toEqual({ snapshots: [9], self: [] });
  });
});
