import { describe, it } from 'vitest';
import { MemoryStorage, type MemoryStorageOptions } from '../src/index.js';
import { storageConformanceCases } from '../src/testing/index.js';

/** A batch no MemoryStorage of these tests can write: it fails as a full disk would. */
const FAILING = { decisions: [{ slot: 999_999, value: new Uint8Array(1) }] };
const failWhen = (b: { decisions?: { slot: number }[] }) =>
  b.decisions?.some((d) => d.slot === 999_999) === true;

for (const [title, options] of [
  ['writes applied at once', {}],
  ['writes completing later, in order (writeDelayMs 1)', { writeDelayMs: 1 }],
] as const satisfies readonly (readonly [string, MemoryStorageOptions])[]) {
  describe(`MemoryStorage conformance: ${title}`, () => {
    const cases = storageConformanceCases({
      create: () => Promise.resolve(new MemoryStorage(options)),
      reopen: async (s) => {
        await s.close();
        (s as MemoryStorage).reopen();
        return s;
      },
      createFailing: () =>
        Promise.resolve({
          storage: new MemoryStorage({ ...options, failWhen }),
          failingBatch: FAILING,
        }),
    });
    for (const c of cases) it(c.name, c.run);
  });
}
