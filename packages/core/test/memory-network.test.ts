/**
 * The in-process test network: `dropWhere` drops exactly the messages its rule picks (by sender,
 * receiver and message), where `partition` cuts whole links; `dropWhere(undefined)` ends it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryNetwork, type Message } from '../src/index.js';
import { until } from '../src/testing/index.js';

const hb = (seq: number): Message => ({
  type: 'heartbeat',
  config: 0,
  ballot: { round: 1, leader: 'a' },
  seq,
  slotOut: 1,
  snapshotSlot: 0,
});

describe('MemoryNetwork', () => {
  it('drops the messages dropWhere picks, in the direction it picks, until it is cleared', async () => {
    const net = new MemoryNetwork();
    const got: string[] = [];
    const [a, b] = [net.connect('a'), net.connect('b')];
    await a.start((from, ms) =>
      ms.forEach((m) => got.push(`${from}>a ${(m as { seq: number }).seq}`)),
    );
    await b.start((from, ms) =>
      ms.forEach((m) => got.push(`${from}>b ${(m as { seq: number }).seq}`)),
    );

    net.dropWhere((from, _to, m) => from === 'a' && m.type === 'heartbeat' && m.seq % 2 === 0);
    a.send('b', [hb(1), hb(2), hb(3)]);
    b.send('a', [hb(4)]);
    // Delivered in send order: b's batch, sent last, arrives last.
    await until('both batches delivered', () => got.includes('b>a 4'));
    expect(got.sort()).toEqual(['a>b 1', 'a>b 3', 'b>a 4']);

    net.dropWhere(undefined);
    a.send('b', [hb(6)]);
    await until('the cleared rule drops nothing', () => got.includes('a>b 6'));
  });
});
