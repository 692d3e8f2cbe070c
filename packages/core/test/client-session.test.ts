/**
 * This peer's client (src/client-session.ts) tells replicas which outcomes it has: every
 * command's `ack` is the seq just below its oldest pending command (all of them settled, when
 * none is pending). Checked on random runs of proposals and settlements in any order.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientSession } from '../src/client-session.js';
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
});
