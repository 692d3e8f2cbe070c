/**
 * The Electron bridge without Electron: the main process's IPC dispatcher (src/electron/ipc.ts)
 * refuses unknown methods, malformed requests and foreign senders and then changes nothing;
 * valid calls reach a real peer service (a tmp data directory, mDNS off) through the operation
 * table's dispatch; events go to subscribed windows only. The bundled preload
 * (dist/electron/preload.cjs) is run in a bare VM context, as a sandboxed preload is: it needs
 * nothing but `electron`, and exposes exactly `window.synod`, one method per operation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BRIDGE_EVENT_CHANNEL,
  BRIDGE_INVOKE_CHANNEL,
  BRIDGE_METHODS,
  BRIDGE_SUBSCRIBE_CHANNEL,
  type BridgeEvent,
  type BridgeResult,
} from '../src/desktop/bridge-api.js';
import { IpcDispatcher, senderProblem, type IpcPeer, type IpcSender } from '../src/electron/ipc.js';
import { APP_INDEX } from '../src/electron/policy.js';
import { PeerService } from '../src/service/peer-service.js';

const APP: IpcSender = { id: 1, url: APP_INDEX, mainFrame: true, ours: true };

/** A bridge that records what reaches it. */
function recordingBridge(): { bridge: IpcPeer; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const bridge = Object.fromEntries(
    BRIDGE_METHODS.map((m) => [
      m,
      (request: unknown) => {
        calls.push([m, request]);
        return Promise.resolve({ method: m });
      },
    ]),
  ) as unknown as IpcPeer;
  bridge.subscribe = () => () => undefined;
  return { bridge, calls };
}

describe('IPC dispatcher', () => {
  it('refuses foreign senders before looking at the message', async () => {
    const { bridge, calls } = recordingBridge();
    const refusals: string[] = [];
    const d = new IpcDispatcher({
      peer: bridge,
      send: () => undefined,
      onRefused: (_c, _s, reason) => refusals.push(reason),
    });
    for (const sender of [
      { ...APP, ours: false },
      { ...APP, mainFrame: false },
      { ...APP, url: 'https://evil.example/' },
      { ...APP, url: 'file:///tmp/x.html' },
      { ...APP, url: '' },
    ]) {
      expect(senderProblem(sender)).toBeDefined();
      const r = await d.invoke(sender, ['status']);
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(d.subscribe(sender, [true])).toBe(false);
    }
    expect(calls).toEqual([]);
    expect(d.subscribed()).toEqual([]);
    expect(refusals).toHaveLength(10);
  });

  it('refuses unknown methods and malformed requests, and calls nothing', async () => {
    const { bridge, calls } = recordingBridge();
    const d = new IpcDispatcher({ peer: bridge, send: () => undefined });
    const bad: unknown[][] = [
      [],
      ['nope'],
      ['__proto__'],
      ['constructor'],
      ['subscribe'],
      [42],
      [null],
      [{ method: 'status' }],
      ['status', {}, 'extra'],
      ['status', { x: 1 }],
      ['append', { title: 'a' }],
      ['append', { title: 1, body: 'b' }],
      ['append', { title: 'a', body: 'b', extra: true }],
      ['append', 'title'],
      ['append', ['a', 'b']],
      ['append', { title: 'a'.repeat(100_000), body: '' }],
      ['append', { title: '\ud800', body: '' }],
      ['edit', { id: 1, version: 1, patches: [[0, 0]] }],
      ['edit', { id: 1, version: 1, patches: [[-1, 0, 'x']] }],
      ['edit', { id: 1.5, version: 1, patches: [] }],
      ['edit', { id: '1', version: 1, patches: [] }],
      ['deleteEntry', {}],
      ['entries', { read: 'stale' }],
      ['history', { limit: 0 }],
      ['join', { invite: '' }],
      ['removePeer', { peer: '' }],
      ['append', Object.create({ title: 'a', body: 'b' }) as unknown],
    ];
    for (const args of bad) {
      const r = await d.invoke(APP, args);
      expect(r.ok, JSON.stringify(args)).toBe(false);
      // Refused as the local API refuses it: over a limit, invalid UTF-16, or else invalid.
      if (!r.ok) expect(['invalid-argument', 'too-large', 'bad-text']).toContain(r.error.code);
    }
    expect(calls).toEqual([]);
  });

  it('names the field a bad duration is in', async () => {
    const { bridge, calls } = recordingBridge();
    const d = new IpcDispatcher({ peer: bridge, send: () => undefined });
    for (const [method, field, request] of [
      ['invite', 'ttlMs', {}],
      ['append', 'timeoutMs', { title: 'a', body: 'b' }],
    ] as const) {
      const r = await d.invoke(APP, [method, { ...request, [field]: -5 }]);
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
      if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^${field} must be an integer`));
    }
    expect(calls).toEqual([]);
  });

  it('passes a valid call on with only the checked fields', async () => {
    const { bridge, calls } = recordingBridge();
    const d = new IpcDispatcher({ peer: bridge, send: () => undefined });
    const request = { title: 't', body: 'b', timeoutMs: 1000 };
    expect(await d.invoke(APP, ['append', request])).toEqual({
      ok: true,
      value: { method: 'append' },
    });
    expect(await d.invoke(APP, ['status'])).toMatchObject({ ok: true });
    expect(calls[0]).toEqual(['append', request]);
    expect(calls[0]![1]).not.toBe(request); // a fresh object, not the sender's
    expect(calls[1]![0]).toBe('status');
  });

  it('turns a failure into data with its code', async () => {
    const { bridge } = recordingBridge();
    bridge.append = () =>
      Promise.reject(Object.assign(new Error('no majority'), { code: 'no-majority' }));
    const d = new IpcDispatcher({ peer: bridge, send: () => undefined });
    const r = await d.invoke(APP, ['append', { title: 'a', body: 'b' }]);
    expect(r).toMatchObject({ ok: false, error: { code: 'no-majority', message: 'no majority' } });
  });

  it('sends events only to subscribed windows, and listens to the peer only meanwhile', () => {
    const sent: [number, BridgeEvent][] = [];
    let emit: ((e: BridgeEvent) => void) | undefined;
    const { bridge } = recordingBridge();
    bridge.subscribe = (listener) => {
      emit = listener;
      return () => (emit = undefined);
    };
    const d = new IpcDispatcher({ peer: bridge, send: (id, e) => sent.push([id, e]) });
    expect(d.subscribe(APP, ['yes'])).toBe(false);
    expect(d.subscribe(APP, [])).toBe(false);
    expect(emit).toBeUndefined();
    expect(d.subscribe(APP, [true])).toBe(true);
    expect(d.subscribe({ ...APP, id: 2 }, [true])).toBe(true);
    emit!({ type: 'reset', log: null });
    expect(sent).toEqual([
      [1, { type: 'reset', log: null }],
      [2, { type: 'reset', log: null }],
    ]);
    d.forget(2);
    expect(d.subscribe(APP, [false])).toBe(true);
    expect(emit).toBeUndefined();
  });
});

describe('IPC dispatcher over a real peer service', () => {
  let dir: string;
  let service: PeerService;
  let d: IpcDispatcher;
  const events: BridgeEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'synod-ipc-'));
    service = await PeerService.open({
      dataDir: join(dir, 'data'),
      mdns: false,
      name: 'alice',
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    d = new IpcDispatcher({
      peer: service,
      send: (_id, e) => events.push(e),
    });
    d.subscribe(APP, [true]);
  });
  afterAll(async () => {
    d.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a refused call leaves the peer as it was', async () => {
    const before = service.status();
    expect(before.state).toBe('setup');
    for (const args of [
      ['createLog', { title: 5 }],
      ['createLog', { title: 'x', admin: true }],
      ['setName', { name: '' }],
      ['join', { invite: 'synod:' + 'A'.repeat(10_000) }],
      ['leave', { now: true }],
    ]) {
      expect((await d.invoke(APP, args)).ok, JSON.stringify(args).slice(0, 60)).toBe(false);
    }
    const after = service.status();
    expect(after.state).toBe('setup');
    expect(after.name).toBe('alice');
    expect(after.logId).toBeNull();
  });

  it('creates a log, appends and reads through the bridge, and reports events', async () => {
    const created = (await d.invoke(APP, ['createLog', { title: 'Notes' }])) as BridgeResult<{
      state: string;
    }>;
    expect(created).toMatchObject({ ok: true, value: { state: 'running' } });
    const appended = await d.invoke(APP, ['append', { title: 'Hello', body: 'world' }]);
    expect(appended).toMatchObject({ ok: true, value: { id: 1, version: 1 } });
    const entries = await d.invoke(APP, ['entries', { read: 'local' }]);
    expect(entries).toMatchObject({
      ok: true,
      value: { title: 'Notes', entries: [{ id: 1, title: 'Hello', body: 'world' }] },
    });
    const conflict = await d.invoke(APP, ['edit', { id: 1, version: 7, patches: [[0, 0, 'x']] }]);
    expect(conflict).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const protocol = await d.invoke(APP, ['protocol', {}]);
    expect(protocol).toMatchObject({ ok: true, value: { self: service.status().id } });
    expect(events.some((e) => e.type === 'applied')).toBe(true);
    expect(events.some((e) => e.type === 'status')).toBe(true);
  });
});

describe('the preload script, run as a sandboxed preload', () => {
  const PRELOAD = fileURLToPath(new URL('../dist/electron/preload.cjs', import.meta.url));
  const source = readFileSync(PRELOAD, 'utf8');

  function load() {
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const sent: unknown[][] = [];
    const handlers = new Map<string, (event: unknown, data: unknown) => void>();
    const required: string[] = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api),
      },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve({ ok: true, value: null });
        },
        send: (...args: unknown[]) => sent.push(args),
        on: (channel: string, h: (event: unknown, data: unknown) => void) =>
          handlers.set(channel, h),
      },
    };
    const module = { exports: {} };
    runInNewContext(source, {
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
      module,
      exports: module.exports,
      console,
      // A sandboxed preload runs in the renderer's world: its Web APIs are there.
      TextDecoder,
    });
    return { exposed, invoked, sent, handlers, required };
  }

  it('requires electron only and exposes exactly window.synod', () => {
    const { exposed, required } = load();
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['synod']);
    const api = exposed.synod as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...BRIDGE_METHODS, 'subscribe'].sort());
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('forwards (method, request) on the invoke channel, nothing more', async () => {
    const { exposed, invoked } = load();
    const api = exposed.synod as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await api.append!({ title: 'a', body: 'b' }, 'extra', 3);
    await api.status!();
    expect(invoked).toEqual([
      [BRIDGE_INVOKE_CHANNEL, 'append', { title: 'a', body: 'b' }],
      [BRIDGE_INVOKE_CHANNEL, 'status', undefined],
    ]);
  });

  it('subscribes while a listener wants events, and hands listeners the data only', () => {
    const { exposed, sent, handlers } = load();
    const api = exposed.synod as {
      subscribe: (l: (...a: unknown[]) => void) => () => void;
    };
    const got: unknown[][] = [];
    const off1 = api.subscribe((...a) => got.push(a));
    const off2 = api.subscribe(() => undefined);
    expect(sent).toEqual([[BRIDGE_SUBSCRIBE_CHANNEL, true]]);
    handlers.get(BRIDGE_EVENT_CHANNEL)!({ sender: 'ipc event object' }, { type: 'reset' });
    expect(got).toEqual([[{ type: 'reset' }]]);
    off1();
    off1();
    expect(sent).toHaveLength(1);
    off2();
    expect(sent).toEqual([
      [BRIDGE_SUBSCRIBE_CHANNEL, true],
      [BRIDGE_SUBSCRIBE_CHANNEL, false],
    ]);
  });
});
