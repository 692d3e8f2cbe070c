/**
 * The preload script: exposes the bridge API (desktop/bridge-api.ts) to the page as
 * `window.synod`, in its raw form (RawSynodBridge), and nothing else — no ipcRenderer, no
 * Node, no Electron object, no event objects.
 *
 * Why this file is bundled (bin/build-ui.js → dist/electron/preload.cjs, CommonJS): the window
 * is sandboxed (sandbox: true), and a sandboxed preload is not an ES module and cannot
 * `require` anything beyond a few built-ins (electron's contextBridge and ipcRenderer, events,
 * timers, url) — not node_modules and not our own dist/ files. esbuild puts the operation
 * table's names (operations/table.ts) inside it, so the method list is the table's, not a copy;
 * a test runs the bundle in a bare VM context to prove it needs nothing else.
 *
 * The main process checks every message again (electron/ipc.ts): this file is a convenience
 * for the page, not a security boundary.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  BRIDGE_EVENT_CHANNEL as EVENTS,
  BRIDGE_INVOKE_CHANNEL as INVOKE,
  BRIDGE_METHODS as METHODS,
  BRIDGE_SUBSCRIBE_CHANNEL as SUBSCRIBE,
  type BridgeEvent,
  type BridgeMethod,
  type BridgeResult,
  type RawSynodBridge,
} from '../desktop/bridge-api.js';

const listeners = new Set<(event: BridgeEvent) => void>();

ipcRenderer.on(EVENTS, (_event, data: BridgeEvent) => {
  // The IpcRendererEvent stays here; listeners get the data only.
  for (const listener of [...listeners]) {
    try {
      listener(data);
    } catch (err) {
      console.error('synod: an event listener threw', err);
    }
  }
});

function call(method: BridgeMethod) {
  // Exactly one argument crosses: whatever else the page passes is dropped.
  return (request?: unknown): Promise<BridgeResult> =>
    ipcRenderer.invoke(INVOKE, method, request) as Promise<BridgeResult>;
}

const methods: Record<string, (request?: unknown) => Promise<BridgeResult>> = {};
for (const m of METHODS) methods[m] = call(m);

const bridge = {
  ...methods,
  subscribe(listener: (event: BridgeEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
    const wrapped = (event: BridgeEvent) => listener(event);
    listeners.add(wrapped);
    if (listeners.size === 1) ipcRenderer.send(SUBSCRIBE, true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      listeners.delete(wrapped);
      if (listeners.size === 0) ipcRenderer.send(SUBSCRIBE, false);
    };
  },
} as RawSynodBridge;

contextBridge.exposeInMainWorld('synod', bridge);
