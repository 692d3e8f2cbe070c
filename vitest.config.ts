import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files (a full run at load 6, longest first). vitest runs the files that took
 * longest last time first, from its cache in node_modules/.vite; a clean clone (CI) has none,
 * and it then runs larger files first, which put the chaos run (a small file driving 75 s of
 * processes) near the end, alone on one worker while the other had nothing left to do.
 */
const LONGEST = [
  'test/chaos/chaos.test.ts',
  'test/e2e/desktop-ui.test.ts',
  'test/pack/pack-install.test.ts',
  'test/synod-cluster.test.ts',
  'test/attacks/other-log.test.ts',
  'packages/storage-sqlite/test/power-cut.test.ts',
  'test/synod-trace.test.ts',
  // 72 s at load 17, and it started last there: the run's tail (testtime4).
  'packages/storage-sqlite/test/conformance.test.ts',
  // The docs' shell blocks, 16 CLI commands: 4-7 s at load 2-12, 28-77 s at load 10-18 (docs7).
  'test/doc-shell-run.test.ts',
];

/** vitest's order (failed first, then longest by its cache, else largest), LONGEST before it. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((path) => f.moduleId.endsWith(path));
      return i < 0 ? LONGEST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i, rank: rank(f) }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map((x) => x.f);
  }
}

/**
 * Files that touch nothing outside their own process (no child processes, sockets, databases,
 * browsers): they run one after another in a reused worker (isolate: false). A fresh worker per
 * file costs ~0.25 s of CPU (node, vitest, the modules again); for these 33 files that was 9 s
 * of 36 (vitest run of them alone, isolated against not, load 6). The others keep a worker each.
 */
const IN_PROCESS = [
  'packages/core/test/**/*.test.ts',
  'packages/desktop-app/test/{concurrent-edits,document,entry-index,renderer-format,trace}.test.ts',
  'packages/storage-sqlite/test/codec.test.ts',
  'packages/transport-libp2p/test/{codec,frame-decoder,encode-once,schema,units}.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'in-process', include: IN_PROCESS, isolate: false } },
      {
        extends: true,
        test: {
          name: 'processes',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...IN_PROCESS],
        },
      },
    ],
    testTimeout: 30_000,
    pool: 'forks',
    // Four files at once, also on 2 cores (vitest's default there is one): the files mostly wait
    // on the processes they start, and on a busy machine the run's share of the CPU follows how
    // many runnable threads it has (CFS). Fresh-clone npm test at load 17 (spinners holding the
    // runnable count there), same CPU (383-394 s): 2 workers 1037 s, 4 workers 455 s (415 s with
    // prettier beside the type check). One worker to two was 693 s -> 611 s at load 9-15.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    // Property tests start from a fixed seed (replayable; random seeds only in the soaks).
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
