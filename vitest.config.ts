import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    // Two test files at once even on 2 cores (vitest's default there is cores - 1 = one): most of
    // the time goes to files that wait on real processes (peers, Chromium, npm, power-cut disks),
    // so a second file fills the idle time. Measured on the shared 2-core machine at load 16-19:
    // the whole vitest run took 610 s with two at once (its files' times add up to 1,066 s).
    // More cores: the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Property tests start from a fixed seed (replayable; random seeds only in the soaks).
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
