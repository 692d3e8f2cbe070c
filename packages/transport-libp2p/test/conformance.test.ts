import { transportConformanceCases } from '@synod/core/testing';
import { describe, it } from 'vitest';
import { introducedTransports } from './helpers.js';

describe('libp2p transport conformance (127.0.0.1, mDNS off)', () => {
  const cases = transportConformanceCases({ create: (count) => introducedTransports(count) });
  for (const c of cases) it(c.name, c.run, 30_000);
});
