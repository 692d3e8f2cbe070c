/** What `synod status` prints (src/cli/format.ts) for a removed peer whose hand-over is pending. */
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../src/cli/format.js';
import { NO_NODE } from '../src/service/status.js';
import type { ServiceStatus } from '../src/service/types.js';

const removed: ServiceStatus = {
  ...NO_NODE,
  state: 'removed',
  dataDir: '/data',
  name: 'bob',
  id: '12D3KooWbob',
  logId: null,
  logName: null,
};

describe('synod status of a removed peer', () => {
  it('says to keep it running while its hand-over is pending', () => {
    const text = formatStatus({ ...removed, handover: { start: 12, done: false } });
    expect(text).toMatch(
      /^handover {2}pending: no member that stays has confirmed it holds the slots before 12; keep this peer running/m,
    );
  });

  it('says nothing of it once done, or when there is none', () => {
    expect(formatStatus({ ...removed, handover: { start: 12, done: true } })).not.toMatch(
      /handover/,
    );
    expect(formatStatus(removed)).not.toMatch(/handover/);
  });
});
