import { MemoryStorage } from '@synod/core';
import { describe, expect, it } from 'vitest';
import { META_IDENTITY } from '../src/meta-keys.js';
import {
  createLibp2pTransport,
  IdentityError,
  loadOrCreateIdentity,
  promiseWithResolversPolyfilled,
  TransportConfigError,
} from '../src/index.js';
import { LOOPBACK } from './helpers.js';

describe('identity, options and the Node 20 polyfill', () => {
  it('keeps the Ed25519 identity in the storage: the same id across restarts', async () => {
    const storage = new MemoryStorage();
    const a = await createLibp2pTransport({ storage, listen: LOOPBACK });
    const id = a.id;
    await a.stop();
    const b = await createLibp2pTransport({ storage, listen: LOOPBACK });
    expect(b.id).toBe(id);
    expect(id).toMatch(/^12D3KooW/);
    await b.stop();
    const other = await createLibp2pTransport({ storage: new MemoryStorage(), listen: LOOPBACK });
    expect(other.id).not.toBe(id);
    await other.stop();
  });

  it('refuses a damaged stored key instead of replacing it (that would change the id)', async () => {
    const storage = new MemoryStorage();
    await storage.setMeta(META_IDENTITY, Uint8Array.of(1, 2, 3));
    await expect(loadOrCreateIdentity(storage)).rejects.toBeInstanceOf(IdentityError);
    await expect(loadOrCreateIdentity(storage)).rejects.toMatchObject({ code: 'identity-invalid' });
  });

  it('checks its options', async () => {
    await expect(createLibp2pTransport({ listen: LOOPBACK })).rejects.toBeInstanceOf(
      TransportConfigError,
    );
    const storage = new MemoryStorage();
    await expect(
      createLibp2pTransport({ storage, bootstrap: ['/ip4/127.0.0.1/tcp/1'] }),
    ).rejects.toThrow(/p2p/);
    await expect(createLibp2pTransport({ storage, maxFrameBytes: 10 })).rejects.toMatchObject({
      code: 'transport-config',
    });
    await expect(
      createLibp2pTransport({ storage, pingIntervalMs: 1000, silenceTimeoutMs: 500 }),
    ).rejects.toThrow(/silenceTimeoutMs/);
  });

  it('refuses a typo in an option name, a log id that is no text, and announce addresses that are none', async () => {
    const storage = new MemoryStorage();
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['a typo', { maxFrameByte: 4096 }, /unknown option maxFrameByte/],
      ['logId a number', { logId: 5 }, /logId/],
      ['announce a string', { announce: '/ip4/1.2.3.4/tcp/1' }, /announce must be an array/],
      ['announce garbage', { announce: ['garbage'] }, /announce address garbage/],
    ];
    for (const [what, extra, message] of bad) {
      const err = await createLibp2pTransport({ storage, listen: LOOPBACK, ...extra }).then(
        async (t) => {
          await t.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(TransportConfigError);
      expect((err as Error).message, what).toMatch(message);
    }
  });

  it('installs Promise.withResolvers where the runtime lacks it (Node 20), and only there', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(typeof (Promise as unknown as { withResolvers: unknown }).withResolvers).toBe(
      'function',
    );
    expect(promiseWithResolversPolyfilled).toBe(major < 22);
    const { promise, resolve } = (
      Promise as unknown as {
        withResolvers<T>(): { promise: Promise<T>; resolve: (v: T) => void };
      }
    ).withResolvers<number>();
    resolve(42);
    return expect(promise).resolves.toBe(42);
  });
});
