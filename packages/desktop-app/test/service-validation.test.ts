/**
 * The peer service validates every request itself, whoever calls it: an app embedding
 * PeerService directly gets the same typed refusal as the local API and Electron's IPC, and a
 * refused request changes nothing. Real SQLite files and libp2p on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../src/operations/validate.js';
import { PeerService } from '../src/service/peer-service.js';

const root = mkdtempSync(join(tmpdir(), 'synod-service-validation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PeerService called directly', () => {
  it('refuses bad requests with invalid-argument, changing nothing', async () => {
    const service = await PeerService.open({
      dataDir: join(root, 'a'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    try {
      await service.createLog({ title: 'Notes' });
      const { id, version } = await service.append({ title: 'First', body: 'one' });
      const before = await service.entries();
      const name = service.logs().name;
      const refused = { name: 'InvalidArgumentError', code: 'invalid-argument' };
      // What a JavaScript caller (or a cast) can pass that the types forbid.
      const bad = <T>(x: unknown) => x as T;
      await expect(service.append(bad({ title: 5, body: 'x' }))).rejects.toMatchObject(refused);
      await expect(service.append(bad({ title: 'x', body: 'y', extra: 1 }))).rejects.toMatchObject(
        refused,
      );
      await expect(service.append(bad(null))).rejects.toMatchObject(refused);
      // A field no request has is named, in words (not valibot's "Expected never").
      await expect(service.entries(bad({ limit: 5 }))).rejects.toMatchObject({
        ...refused,
        message: 'limit: no such field in this request',
      });
      await expect(
        service.edit(bad({ id, version, patches: [], title: ['no'] })),
      ).rejects.toMatchObject(refused);
      await expect(service.deleteEntry(bad({ id: 'x' }))).rejects.toMatchObject(refused);
      await expect(service.setName(bad({ name: '' }))).rejects.toMatchObject(refused);
      await expect(service.invite(bad({ ttlMs: -1 }))).rejects.toMatchObject(refused);
      // The synchronous operations throw at once, as they do for a log that is not there.
      expect(() => service.status(bad({ log: 5 }))).toThrow(expect.objectContaining(refused));
      // logs() takes no request in its type; a JavaScript caller can still pass one.
      const logsOf = service.logs.bind(service) as (r: unknown) => unknown;
      expect(() => logsOf({ all: true })).toThrow(expect.objectContaining(refused));

      const after = await service.entries();
      expect(after.operations).toBe(before.operations);
      expect(after.entries).toEqual(before.entries);
      expect(service.logs().name).toBe(name);
      // Good requests still go through, directly and by dispatch (the API's and IPC's path).
      await service.append({ title: 'Second', body: 'two' });
      await dispatch(service, 'append', { title: 'Third', body: 'three' });
      await expect(dispatch(service, 'append', { title: 5 })).rejects.toMatchObject(refused);
      expect((await service.entries()).entries.map((e) => e.title)).toEqual([
        'First',
        'Second',
        'Third',
      ]);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
