/**
 * The peer service over many logs (issue 16), in process, with real SQLite files and libp2p on
 * 127.0.0.1: a data directory of the release before (one log, in peer.db: made by
 * fixtures/make-release-1-desktop.mjs with that release's code) opens unchanged, as the only log;
 * logs are created, closed, opened and left beside it at run time; requests naming no log, an
 * unknown log or a log that is closed get typed errors and change nothing; the local API names
 * the log in the path, and the old paths still serve the only log.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client.js';
import { readToken } from '../src/api/credentials.js';
import { startHost } from '../src/host/host.js';
import { matchRoute, toHttp } from '../src/operations/http.js';
import { dispatch } from '../src/operations/validate.js';
import { PeerService } from '../src/service/peer-service.js';
import type { ServiceEvent } from '../src/service/types.js';

const root = mkdtempSync(join(tmpdir(), 'synod-many-logs-'));
const OLD_LOG = fileURLToPath(new URL('./fixtures/release-1-desktop', import.meta.url));
const OPTIONS = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false };

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the peer service over many logs', () => {
  it('opens a directory of the release before unchanged, then carries more logs beside it', async () => {
    const dataDir = join(root, 'old');
    cpSync(OLD_LOG, dataDir, { recursive: true });
    let service = await PeerService.open({ dataDir, ...OPTIONS });
    try {
      // The one log of before: the only log, so every request that names none goes to it.
      const [only] = service.logs().logs;
      expect(service.logs()).toMatchObject({ state: 'running', name: 'old-desk' });
      expect(only).toMatchObject({ logName: null, title: 'Old notes', state: 'running' });
      // Linearizable: the newest decisions of before the stop are re-decided by the new leader.
      const before = await service.entries();
      expect(before.entries.map((e) => [e.title, e.body])).toEqual([
        ['Groceries', 'milk, eggs'],
        ['Ideas', 'a shared log'],
      ]);
      expect(service.status().logId).toBe(only!.logId);
      await service.append({ title: 'After the upgrade', body: 'still here' });

      // A second log needs a name; refused without one (nothing created).
      await expect(service.createLog({ title: 'Trip' })).rejects.toMatchObject({
        code: 'already-initialized',
      });
      expect(service.logs().logs).toHaveLength(1);
      const trip = await service.createLog({ title: 'Trip', logName: 'trip' });
      // A name taken (by a name or an id) or blank: refused, nothing created.
      for (const logName of ['trip', only!.logId]) {
        await expect(service.createLog({ logName })).rejects.toMatchObject({
          code: 'invalid-peer-options',
        });
      }
      await expect(dispatch(service, 'createLog', { logName: '  ' })).rejects.toMatchObject({
        code: 'invalid-argument',
      });
      expect(service.logs().logs).toHaveLength(2);
      await service.append({ log: 'trip', title: 'Tickets', body: 'booked' });

      // Naming no log is now an error that lists them; an unknown one too; neither changes a thing.
      const ops = before.operations + 1;
      expect(() => service.status()).toThrow(
        expect.objectContaining({ code: 'log-required', logs: ['trip', only!.logId] }),
      );
      await expect(dispatch(service, 'append', { title: 'x', body: 'y' })).rejects.toMatchObject({
        code: 'log-required',
      });
      await expect(
        dispatch(service, 'append', { log: 'nope', title: 'x', body: 'y' }),
      ).rejects.toMatchObject({ code: 'unknown-log' });
      await expect(dispatch(service, 'append', { log: '', title: 'x' })).rejects.toMatchObject({
        code: 'invalid-argument',
      });
      expect((await service.entries({ log: only!.logId, read: 'local' })).operations).toBe(ops);
      expect((await service.entries({ log: 'trip', read: 'local' })).entries).toHaveLength(1);

      // Closed: its operations refused (log-closed), its file kept; opened again, as it was.
      await service.closeLog({ log: 'trip' });
      expect(service.logs().logs.find((l) => l.logName === 'trip')).toMatchObject({
        open: false,
        state: 'closed',
      });
      await expect(service.entries({ log: 'trip' })).rejects.toMatchObject({ code: 'log-closed' });
      await service.openLog({ log: trip.logId! });
      expect((await service.entries({ log: 'trip' })).entries).toHaveLength(1);
    } finally {
      await service.stop();
    }

    // Restarted: both logs open, by name and id.
    service = await PeerService.open({ dataDir, ...OPTIONS });
    try {
      expect(service.logs().logs.map((l) => [l.logName, l.title])).toEqual([
        ['trip', 'Trip'],
        [null, 'Old notes'],
      ]);
      const events: ServiceEvent[] = [];
      const off = service.subscribe((e) => events.push(e));
      // Leaving one: its file set aside, the other goes on as the only log.
      const left = await service.leave({ log: 'trip' });
      off();
      expect(left.logs.map((l) => l.title)).toEqual(['Old notes']);
      expect(events.some((e) => e.type === 'logs')).toBe(true);
      expect((await service.entries()).entries).toHaveLength(3);
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('the local API: /api/logs/:log/… for each log, the old paths for the only log', async () => {
    // Derived from the table: one operation, two routes.
    expect(toHttp('entries', { log: 'a b' }).path).toBe('/api/logs/a%20b/entries');
    expect(toHttp('entries', {}).path).toBe('/api/entries');
    expect(toHttp('renameLog', { title: 't' }).path).toBe('/api/log/rename');
    expect(matchRoute('GET', '/api/logs/2026/entries')).toMatchObject({
      found: true,
      name: 'entries',
      params: { log: '2026' }, // a name, even when it looks like a number
    });
    expect(matchRoute('GET', '/api/logs')).toMatchObject({ found: true, name: 'logs' });

    const dataDir = join(root, 'api');
    const host = await startHost({ dataDir, ...OPTIONS });
    try {
      const api = new ApiClient(host.api.url, readToken(dataDir));
      await api.createLog({ title: 'One' });
      await api.append({ title: 'first', body: '' }); // the only log, by the old path
      const two = await api.createLog({ title: 'Two', logName: 'two' });
      await api.append({ log: 'two', title: 'second', body: '' });
      await expect(api.entries()).rejects.toMatchObject({ status: 400, code: 'log-required' });
      await expect(api.entries({ log: 'three' })).rejects.toMatchObject({
        status: 404,
        code: 'unknown-log',
      });
      const byId = await api.entries({ log: two.logId!, read: 'local' });
      expect(byId.entries.map((e) => e.title)).toEqual(['second']);
      expect((await api.logs()).logs.map((l) => l.title).sort()).toEqual(['One', 'Two']);
    } finally {
      await host.close();
    }
  }, 60_000);
});
