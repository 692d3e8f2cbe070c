import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    // Property tests start from a fixed seed (replayable; random seeds only in the soaks).
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
