/**
 * The fuzz soak (test/fuzz/README.md), short: 20,000 cases over the wire decoder, the frame
 * stream, the message handlers and mutated frames through both, so that `npm run fuzz:soak`
 * (a million cases) keeps working. A failure prints the replay command. The seed is fixed here
 * (replayable); the soak itself draws a random one.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('./soak.mjs', import.meta.url));

describe('fuzz soak (short)', () => {
  it('20,000 cases: nothing throws, every target runs', async () => {
    // A fixed seed in `npm test` (FUZZ_SEED overrides it); `npm run fuzz:soak` draws random ones.
    const seed = Number(process.env.FUZZ_SEED ?? 20_261_203);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const p = spawn(
          process.execPath,
          [SOAK, '--cases', '20000', '--seed', String(seed), '--json', '--quiet'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (code) => resolve({ code, stdout, stderr }));
      },
    );
    const context = `seed ${seed}\n${r.stderr.slice(-10_000)}`;
    expect(r.code, context).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      ok: boolean;
      counts: Record<string, number>;
      stepped: number;
    };
    expect(summary.ok, context).toBe(true);
    for (const t of ['wire', 'stream', 'handlers', 'pipeline']) {
      expect(summary.counts[t], t).toBeGreaterThan(0);
    }
    expect(summary.stepped).toBeGreaterThan(1000);
  }, 180_000);
});
