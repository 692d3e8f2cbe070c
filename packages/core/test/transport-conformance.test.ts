import { describe, it } from 'vitest';
import { MemoryNetwork } from '../src/index.js';
import { transportConformanceCases } from '../src/testing/index.js';

describe('MemoryNetwork transport conformance', () => {
  const cases = transportConformanceCases({
    create: (count) => {
      const net = new MemoryNetwork();
      return Promise.resolve(Array.from({ length: count }, (_, i) => net.connect(`peer-${i}`)));
    },
  });
  for (const c of cases) it(c.name, c.run);
});
