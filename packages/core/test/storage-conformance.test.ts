import { describe, it } from 'vitest';
import { MemoryStorage } from '../src/index.js';
import { storageConformanceCases } from '../src/testing/index.js';

describe('MemoryStorage conformance', () => {
  const cases = storageConformanceCases({
    create: () => Promise.resolve(new MemoryStorage()),
    reopen: async (s) => {
      await s.close();
      (s as MemoryStorage).reopen();
      return s;
    },
  });
  for (const c of cases) it(c.name, c.run);
});
