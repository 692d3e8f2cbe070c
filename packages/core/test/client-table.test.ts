/**
 * The client table (src/client-table.ts) keeps, per client, the outcomes of the commands the
 * client has not acknowledged: after every record, exactly the seqs above the client's ack (and
 * the new one). Checked against that rule on random runs: clients, restarts (a new
 * incarnation), acks that lag or jump, and a snapshot's table installed midway.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientTable, type ClientEntry } from '../src/client-table.js';
import type { Command, Outcome } from '../src/command.js';
import { SeqMap } from '../src/seq-map.js';

const ok = (seq: number): Outcome => ({ ok: true, result: new Uint8Array([seq & 0xff]) });

function seqMap<V>(entries: [number, V][]): SeqMap<V> {
  const m = new SeqMap<V>();
  for (const [k, v] of entries) m.set(k, v);
  return m;
}

type Step = { kind: 'record'; client: number; lag: number; restart: boolean } | { kind: 'install' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      client: fc.integer({ min: 0, max: 2 }),
      // How far the ack lags the new seq: 1 is "everything before acknowledged"; 0 or less, an
      // ack at or past the command itself (a client that should not, kept all the same).
      lag: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.integer({ min: 5, max: 400 })),
      restart: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('install' as const) }) },
);

describe('client table', () => {
  it('keeps exactly the outcomes above each client ack', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 1500 }),
        fc.integer({ min: 0, max: 50 }),
        (steps, restartEvery) => {
          const table = new ClientTable();
          /** The model: per client, its incarnation, last seq and the seqs kept. */
          const model = new Map<string, { inc: number; seq: number; kept: Set<number> }>();
          let n = 0;
          for (const s of steps) {
            if (s.kind === 'install') {
              // A snapshot's table: fresh entries with the same contents, in seq order.
              const copy: [string, ClientEntry][] = [...model].map(([client, m]) => [
                client,
                {
                  inc: m.inc,
                  seq: m.seq,
                  outcomes: seqMap([...m.kept].sort((a, b) => a - b).map((q) => [q, ok(q)])),
                },
              ]);
              table.replaceAll(copy);
              continue;
            }
            const client = `c${s.client}`;
            let m = model.get(client);
            if (m === undefined || (s.restart && restartEvery > 0 && ++n % restartEvery === 0))
              model.set(client, (m = { inc: (m?.inc ?? 0) + 1, seq: 0, kept: new Set() }));
            const seq = m.seq + 1;
            const ack = Math.max(0, seq - s.lag);
            const c: Command = { kind: 'app', client, inc: m.inc, seq, ack, op: new Uint8Array(0) };
            expect(table.admit(c).kind).toBe('apply');
            table.record(c, ok(seq));
            m.seq = seq;
            for (const q of [...m.kept]) if (q <= ack) m.kept.delete(q);
            m.kept.add(seq);
            const e = table.get(client)!;
            expect(e.inc).toBe(m.inc);
            expect(e.seq).toBe(seq);
            expect([...e.outcomes.keys()].sort((a, b) => a - b)).toEqual(
              [...m.kept].sort((a, b) => a - b),
            );
          }
        },
      ),
      { numRuns: 200, seed: 13256 },
    );
  });

  it("refuses an older incarnation's command, whatever its seq (a peer's client before its restart)", () => {
    // A command of the client's previous run, decided late (it was in flight when the peer
    // restarted): applied, it would take effect after commands the new run was already answered
    // for, and its seq says nothing about the new run's (each run counts from 1).
    const table = new ClientTable();
    const cmd = (inc: number, seq: number): Command => ({
      kind: 'app',
      client: 'c',
      inc,
      seq,
      ack: 0,
      op: new Uint8Array(0),
    });
    table.record(cmd(1, 1), ok(1));
    table.record(cmd(2, 1), ok(1));
    for (const seq of [1, 2, 3]) expect(table.admit(cmd(1, seq)).kind).toBe('stale');
    expect(table.admit(cmd(2, 2)).kind).toBe('apply');
  });

  it('takes a retry of the latest command for a duplicate, answered with its outcome', () => {
    const table = new ClientTable();
    const c: Command = { kind: 'app', client: 'c', inc: 1, seq: 1, ack: 0, op: new Uint8Array(0) };
    table.record(c, ok(1));
    expect(table.admit(c)).toEqual({ kind: 'duplicate', outcome: ok(1) });
  });
});
