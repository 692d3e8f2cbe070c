/**
 * The rolling upgrade of issue 16 (test/chaos/rolling-upgrade.mjs): 3 peer processes of release
 * N with clients writing and reading all along, upgraded one by one to a release N+1 built by the
 * test (the transport's simulated next release: wire version 3, a new field, a new message type
 * and a new frame field in every frame it sends), then back one by one. Nothing acknowledged is
 * lost, states and applied logs are identical, the history is linearizable (the chaos suite's
 * checker), two N+1 peers speak 3 and mixed pairs 2, and the old release skips what it does not
 * know without counting a single bad frame.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './helpers/child.js';

const RUN = fileURLToPath(new URL('./chaos/rolling-upgrade.mjs', import.meta.url));

interface Summary {
  error?: string;
  ops?: { ok: number; unknown: number; reads: number; history: number };
  inconclusiveKeys?: number;
  steps?: { releases: ('N' | 'N+1')[]; protocols: Record<string, number> }[];
  skipped?: { unknownMessages: number; badFrames: number };
  violations?: { kind: string; detail: string }[];
}

describe('rolling upgrade', () => {
  it('3 peers go from release N to N+1 and back one by one under writes: nothing lost, linearizable', async () => {
    const seed = 1 + (Date.now() % 100_000);
    const r = await run(process.execPath, [RUN, '--seed', String(seed)], { timeoutMs: 170_000 });
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Summary;
    const context = `seed ${seed}; replay: node test/chaos/rolling-upgrade.mjs --seed ${seed}\n${r.stdout}\n${r.stderr.slice(-20_000)}`;
    expect(summary.error, context).toBeUndefined();
    expect(summary.violations, context).toEqual([]);
    expect(r.code, context).toBe(0);
    expect(summary.inconclusiveKeys, context).toBe(0);
    expect(summary.ops!.ok, context).toBeGreaterThan(100);

    // N, then each upgraded in turn, then each back in turn.
    const releases = summary.steps!.map((s) => s.releases.join(','));
    expect(releases, context).toEqual([
      'N,N,N',
      'N+1,N,N',
      'N+1,N+1,N',
      'N+1,N+1,N+1',
      'N,N+1,N+1',
      'N,N,N+1',
      'N,N,N',
    ]);
    // The newest version both ends speak: 3 between two N+1 peers, 2 otherwise.
    for (const step of summary.steps!) {
      for (const [pair, version] of Object.entries(step.protocols)) {
        const [a, b] = pair.split('-').map((p) => step.releases[Number(p.slice(1))]);
        expect(version, `${pair} at ${step.releases.join(',')}`).toBe(
          a === 'N+1' && b === 'N+1' ? 3 : 2,
        );
      }
    }
    // The old release met N+1's new message type and skipped it; no frame was ever dropped as bad.
    expect(summary.skipped!.unknownMessages, context).toBeGreaterThan(0);
    expect(summary.skipped!.badFrames, context).toBe(0);
  }, 180_000);
});
