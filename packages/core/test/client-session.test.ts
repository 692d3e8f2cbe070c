/**
 * This peer's client (src/client-session.ts) tells replicas which outcomes it has: every
 * command's `ack` is the seq just below its oldest pending command (all of them settled, when
 * none is pending). Checked on random runs of proposals and settlements in any order.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientSession } from '../src/client-session.js';
import { ClientTable } from '../src/client-table.js';
import type { Command } from '../src/command.js';
import type { NodeContext } from '../src/context.js';

describe('client session', () => {
  it('acks exactly the seqs below the oldest pending command', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(-1), fc.nat({ max: 40 })), { maxLength: 600 }),
        (steps) => {
          const ctx = { id: 'p1', now: () => 0, opts: { requestRetryMs: 1000 } };
          const s = new ClientSession(ctx as unknown as NodeContext, 1);
          const pending = new Set<number>();
          let next = 1;
          for (const x of steps) {
            if (x === -1 || pending.size === 0) {
              // Propose: its ack names the outcomes this client holds.
              const seq = s.proposeApp(new Uint8Array(0));
              expect(seq).toBe(next);
              const [c] = s.drain();
              const oldest = pending.size === 0 ? seq : Math.min(...pending);
              expect(c!.ack).toBe(oldest - 1);
              pending.add(seq);
              next++;
            } else {
              // Settle one pending command, not necessarily the oldest.
              const seq = [...pending].sort((a, b) => a - b)[x % pending.size]!;
              expect(s.settled(seq)).toBe(true);
              expect(s.settled(seq)).toBe(false);
              pending.delete(seq);
            }
          }
        },
      ),
      { numRuns: 200, seed: 13256 },
    );
  });

  it('answers from a snapshot’s client table what took effect inside it, once', () => {
    const ctx = { id: 'p1', now: () => 0, opts: { requestRetryMs: 1000 } };
    const s = new ClientSession(ctx as unknown as NodeContext, 7);
    for (let i = 0; i < 4; i++) s.proposeApp(new Uint8Array([i]));
    const sent: Command[] = s.drain();
    // Seq 1 was answered before the snapshot; 2 and 3 took effect in it, and the table kept
    // only 3's outcome (2's was acknowledged by 3's ack, as the replicas saw it); 4 did not.
    s.applied(sent[0]!, { ok: true, result: new Uint8Array([1]) });
    const table = new ClientTable();
    table.record(sent[1]!, { ok: true, result: new Uint8Array([2]) });
    table.record({ ...sent[2]!, ack: 2 }, { ok: true, result: new Uint8Array([3]) });
    s.settleFrom(table.get('p1'));
    const results = s.takeResults();
    expect(results.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(results[0]!.outcome).toEqual({ ok: true, result: new Uint8Array([1]) });
    expect(results[1]!.outcome).toMatchObject({ ok: false, code: 'outcome-lost' });
    expect(results[2]!.outcome).toEqual({ ok: true, result: new Uint8Array([3]) });
    expect([...s.pending.keys()]).toEqual([4]);
    // Answered once: a later apply of 3 (a duplicate decision) and another install say nothing.
    s.applied(sent[2]!, { ok: true, result: new Uint8Array([3]) });
    s.settleFrom(table.get('p1'));
    expect(s.takeResults()).toEqual([]);
    // Another incarnation's entry is not ours.
    const other = new ClientSession(ctx as unknown as NodeContext, 8);
    other.proposeApp(new Uint8Array(0));
    other.settleFrom(table.get('p1'));
    expect(other.takeResults()).toEqual([]);
  });
});
