/**
 * The preload script: exposes the bridge API (desktop/bridge-api.ts) to the page as
 * `window.synod`, in its raw form (RawSynodBridge), and nothing else — no ipcRenderer, no
 * Node, no Electron object, no event objects.
 *
 * Why this file is CommonJS (.cts → preload.cjs) and imports nothing at run time but
 * `electron`: the window is sandboxed (sandbox: true), and a sandboxed preload is not an ES
 * module and cannot `require` anything beyond a few built-ins (electron's contextBridge and
 * ipcRenderer, events, timers, url) — not node_modules and not our own dist/ files. So the
 * channel names and method list are written out here, and the compiler checks them against
 * bridge-api.ts (the `satisfies` and the exhaustiveness check below), which is imported for
 * its types only (erased from the output). A bundler would do the same with more machinery.
 *
 * The main process checks every message again (electron/ipc.ts): this file is a convenience
 * for the page, not a security boundary.
 */
// A sandboxed preload is CommonJS (see above): `import x = require()` is how TypeScript writes it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type {
  BRIDGE_EVENT_CHANNEL,
  BRIDGE_INVOKE_CHANNEL,
  BRIDGE_SUBSCRIBE_CHANNEL,
  BridgeEvent,
  BridgeMethod,
  BridgeResult,
  RawSynodBridge,
} from '../desktop/bridge-api.js' with { 'resolution-mode': 'import' };

const { contextBridge, ipcRenderer } = electron;

const INVOKE: typeof BRIDGE_INVOKE_CHANNEL = 'synod:invoke';
const EVENTS: typeof BRIDGE_EVENT_CHANNEL = 'synod:event';
const SUBSCRIBE: typeof BRIDGE_SUBSCRIBE_CHANNEL = 'synod:subscribe';

const METHODS = [
  'status',
  'entries',
  'history',
  'append',
  'edit',
  'deleteEntry',
  'restoreEntry',
  'renameLog',
  'setName',
  'invite',
  'removePeer',
  'leave',
  'createLog',
  'join',
  'discovered',
  'protocol',
] as const satisfies readonly BridgeMethod[];

// Every method of the bridge is in METHODS (a compile error names the missing one).
type Missing = Exclude<BridgeMethod, (typeof METHODS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

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
