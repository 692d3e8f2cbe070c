/**
 * The bridge's runtime checks (src/desktop/bridge-validate.ts): what the Electron main process
 * applies to every IPC message before it reaches the peer.
 */
import { describe, expect, it } from 'vitest';
import {
  BRIDGE_METHODS,
  BridgeError,
  fromRawBridge,
  toBridgeErrorData,
  type RawSynodBridge,
} from '../src/desktop/bridge-api.js';
import { BRIDGE_VALIDATORS, validateBridgeCall } from '../src/desktop/bridge-validate.js';

function refused(method: unknown, request: unknown): string {
  try {
    validateBridgeCall(method, request);
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('invalid-argument');
    return (err as BridgeError).message;
  }
  throw new Error(`accepted ${String(method)} ${JSON.stringify(request)}`);
}

describe('bridge validation', () => {
  it('has a validator for every method', () => {
    expect(Object.keys(BRIDGE_VALIDATORS).sort()).toEqual([...BRIDGE_METHODS].sort());
  });

  it('accepts well-formed calls and copies only checked fields', () => {
    expect(validateBridgeCall('status', undefined)).toEqual({
      method: 'status',
      request: undefined,
    });
    expect(validateBridgeCall('entries', { read: 'local' })).toEqual({
      method: 'entries',
      request: { read: 'local' },
    });
    const edit = { id: 3, version: 2, patches: [[0, 1, 'x']], rebase: true };
    const v = validateBridgeCall('edit', edit);
    expect(v.request).toEqual(edit);
    expect(v.request).not.toBe(edit);
    expect(validateBridgeCall('join', { invite: '  synod:abc \n' }).request).toEqual({
      invite: 'synod:abc',
    });
    expect(validateBridgeCall('history', {}).request).toEqual({});
  });

  it('refuses unknown methods, extra fields, wrong types and values over the limits', () => {
    expect(refused('constructor', {})).toMatch(/unknown method/);
    expect(refused('__proto__', {})).toMatch(/unknown method/);
    expect(refused(7, {})).toMatch(/unknown method/);
    expect(refused('subscribe', {})).toMatch(/unknown method/);
    expect(refused('status', { x: 1 })).toMatch(/unexpected field/);
    expect(refused('append', { title: 't' })).toMatch(/body must be a string/);
    expect(refused('append', { title: 'x'.repeat(201), body: '' })).toMatch(/exceeds 200/);
    expect(refused('append', { title: '\ud800', body: '' })).toMatch(/surrogate/);
    expect(refused('append', [1])).toMatch(/must be an object/);
    expect(refused('append', new Date())).toMatch(/plain object/);
    expect(refused('edit', { id: 1, version: 1, patches: [[0, 1]] })).toMatch(/\[pos, del, ins\]/);
    expect(refused('edit', { id: 0, version: 1, patches: [] })).toMatch(/id must be/);
    expect(refused('edit', { id: 1.5, version: 1, patches: [] })).toMatch(/id must be/);
    expect(refused('edit', { id: 1, version: 1, patches: [], rebase: 'yes' })).toMatch(/rebase/);
    expect(
      refused('edit', { id: 1, version: 1, patches: new Array(1001).fill([0, 0, '']) }),
    ).toMatch(/more than 1000/);
    expect(refused('entries', { read: 'stale' })).toMatch(/read must be/);
    expect(refused('setName', { name: '' })).toMatch(/must not be empty/);
    expect(refused('removePeer', { peer: 'p'.repeat(257) })).toMatch(/exceeds/);
    expect(refused('append', { title: 't', body: 'b', timeoutMs: 0 })).toMatch(/timeoutMs/);
    expect(refused('protocol', { limit: 5000 })).toMatch(/limit/);
  });
});

describe('raw bridge', () => {
  it('turns BridgeResult data back into values and BridgeErrors', async () => {
    const raw = Object.fromEntries(
      BRIDGE_METHODS.map((m) => [
        m,
        (request?: unknown) =>
          Promise.resolve(
            m === 'append'
              ? {
                  ok: false,
                  error: toBridgeErrorData(
                    Object.assign(new Error('no majority'), {
                      code: 'no-majority',
                      majority: { reachable: 1, total: 3, needed: 2, ok: false },
                    }),
                  ),
                }
              : { ok: true, value: { m, request } },
          ),
      ]),
    ) as unknown as RawSynodBridge;
    const bridge = fromRawBridge({ ...raw, subscribe: () => () => undefined });
    expect(await bridge.entries({ read: 'local' })).toEqual({
      m: 'entries',
      request: { read: 'local' },
    });
    const err = await bridge.append({ title: 't', body: 'b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('no-majority');
    expect((err as BridgeError).majority).toEqual({ reachable: 1, total: 3, needed: 2, ok: false });
  });
});
