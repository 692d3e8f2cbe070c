/**
 * Electron's main process: hosts the peer service (core + SQLite + libp2p) and one window that
 * shows the UI. Kept thin: what it decides is in plain modules tested under Node —
 * policy.ts (CSP, navigation, windows, permissions, UI files), ipc.ts (sender checks,
 * validation, dispatch), host/host.ts (the peer and its local API, as `synod start` runs them), native.ts
 * (Electron's better-sqlite3 build), cli/start-options.ts (the options, those of
 * `synod start`). The README's "Electron security checklist" says how each item is met here.
 *
 * Run by `npm start` (desktop/launch.ts) as `electron dist/electron/main.js <options>`, or as
 * the packaged app's entry (electron-builder.json: extraMetadata.main).
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import {
  BrowserWindow,
  app,
  dialog,
  ipcMain,
  powerMonitor,
  protocol,
  session,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { errorLine } from '../cli/cli-error.js';
import { dataDirOf } from '../cli/connect.js';
import { parseApiAddress } from '../cli/start.js';
import { addStartOptions, wireOptionsOf, type StartOptions } from '../cli/start-options.js';
import {
  BRIDGE_EVENT_CHANNEL,
  BRIDGE_INVOKE_CHANNEL,
  BRIDGE_SUBSCRIBE_CHANNEL,
} from '../desktop/bridge-api.js';
import { startHost, type Host } from '../host/host.js';
import { capYoungGeneration } from '../host/young-generation.js';
import { ownerOnlyFiles } from '../host/owner-only-files.js';
import { IpcDispatcher, type IpcSender } from './ipc.js';
import { findElectronBinding } from './native.js';
import {
  APP_HEADERS,
  APP_INDEX,
  APP_SCHEME,
  contentTypeOf,
  isAllowedNavigation,
  isAppUrl,
  permissionPolicy,
  resolveUiFile,
  windowOpenPolicy,
} from './policy.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const PACKAGED_UI = fileURLToPath(new URL('../../ui/', import.meta.url));

function say(line: string): void {
  process.stdout.write(`synod: ${line}\n`);
}

/** The options, parsed with the same definitions as `synod start` (Chromium's switches pass). */
function parseOptions(): StartOptions {
  const command = addStartOptions(new Command('synod-desktop'))
    .allowUnknownOption()
    .allowExcessArguments();
  command.parse(process.argv.slice(process.defaultApp ? 2 : 1), { from: 'user' });
  return command.opts<StartOptions>();
}

const options = parseOptions();
const uiDir = typeof options.ui === 'string' ? options.ui : PACKAGED_UI;

// Before `ready`: the app's scheme is a standard, secure origin of its own (policy.ts). The
// UI's <script type="module"> is fetched in CORS mode, hence corsEnabled and supportFetchAPI;
// the CSP (connect-src 'none') still keeps the page's own fetch() from using them.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, corsEnabled: true, supportFetchAPI: true },
  },
]);
// Every renderer sandboxed, whatever a window's webPreferences say.
app.enableSandbox();

const windows = new Set<WebContents>();
let host: Host | undefined;
let dispatcher: IpcDispatcher | undefined;

function senderOf(event: IpcMainEvent | IpcMainInvokeEvent): IpcSender {
  const frame = event.senderFrame;
  return {
    id: event.sender.id,
    url: frame?.url ?? '',
    mainFrame: frame !== null && frame === event.sender.mainFrame,
    ours: windows.has(event.sender),
  };
}

/** Every web contents, now or later: no navigation away, no new windows, no webviews. */
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-frame-navigate', (e) => {
    if (!isAllowedNavigation(e.url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => windowOpenPolicy(url));
});

function secureSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionPolicy(permission)),
  );
  s.setPermissionCheckHandler((_wc, permission) => permissionPolicy(permission));
  s.setDevicePermissionHandler(() => false);
  // No remote content: only the app's own scheme (and devtools, when open) is ever fetched.
  s.webRequest.onBeforeRequest((details, callback) => {
    const ok = isAppUrl(details.url) || details.url.startsWith('devtools://');
    callback({ cancel: !ok });
  });
  // The CSP on every response, whatever served it (the app scheme sets it too).
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [APP_HEADERS['content-security-policy']!],
      },
    });
  });
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveUiFile(uiDir, request.url);
    if (request.method !== 'GET' || file === undefined) {
      return new Response('not found', { status: 404, headers: { ...APP_HEADERS } });
    }
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...APP_HEADERS, 'content-type': contentTypeOf(file) },
      });
    } catch {
      return new Response('not found', { status: 404, headers: { ...APP_HEADERS } });
    }
  });
}

async function openHost(): Promise<Host> {
  const binding = findElectronBinding(
    PACKAGE_DIR,
    existsSync,
    process.platform,
    process.arch,
    process.versions.electron,
  );
  if (!binding.found) throw new Error(binding.message);
  const dataDir = dataDirOf(options.data);
  // The app's V8 policy for the peer in this process (young-generation.ts says why).
  capYoungGeneration();
  // The peer's files are the user's only, in any directory (owner-only-files.ts says why).
  ownerOnlyFiles();
  // The local API too (127.0.0.1, a token), so that `synod status --data …` works.
  const { host: apiHost, port } = parseApiAddress(options.api);
  const h = await startHost({
    dataDir,
    mdns: options.mdns,
    nativeBinding: binding.path,
    apiHost,
    apiPort: port,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.listen !== undefined ? { listen: options.listen } : {}),
    ...(options.bootstrap !== undefined ? { bootstrap: options.bootstrap } : {}),
    ...(options.durability === 'full' || options.durability === 'normal-unsafe'
      ? { durability: options.durability }
      : {}),
    ...wireOptionsOf(options),
  });
  dispatcher = new IpcDispatcher({
    peer: h.service,
    send: (id, event) => {
      for (const w of windows) {
        if (w.id === id && !w.isDestroyed()) w.send(BRIDGE_EVENT_CHANNEL, event);
      }
    },
    onRefused: (channel, sender, reason) =>
      process.stderr.write(`synod: refused ${channel} from ${sender.url || '?'}: ${reason}\n`),
  });
  say(`local API on ${h.api.url} (token in ${dataDir}/api-token)`);
  return h;
}

/**
 * Sleep and wake (powerMonitor): before the system sleeps the peer steps down and goes
 * offline (service.suspend), so the others elect a leader at once rather than wait out a
 * leader that froze mid-turn; after wake it comes back and catches up, which the window shows
 * (status: protocol.catchup). Quitting steps down the same way (shutdown stops the service).
 */
function watchPower(h: Host): void {
  powerMonitor.on('suspend', () => {
    void h.service.suspend().catch((err: unknown) => say(`suspend: ${errorLine(err)}`));
  });
  powerMonitor.on('resume', () => {
    void h.service.resume().catch((err: unknown) => say(`resume: ${errorLine(err)}`));
  });
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Synod',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: !app.isPackaged,
    },
  });
  const contents = win.webContents;
  const id = contents.id;
  windows.add(contents);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) dispatcher?.forget(id);
  });
  win.on('closed', () => {
    windows.delete(contents);
    dispatcher?.forget(id);
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX);
}

ipcMain.handle(BRIDGE_INVOKE_CHANNEL, (event, ...args: unknown[]) => {
  const d = dispatcher;
  if (d === undefined) {
    return { ok: false, error: { code: 'not-ready', message: 'the peer is starting' } };
  }
  return d.invoke(senderOf(event), args);
});
ipcMain.on(BRIDGE_SUBSCRIBE_CHANNEL, (event, ...args: unknown[]) => {
  dispatcher?.subscribe(senderOf(event), args);
});

let quitting = false;
async function shutdown(): Promise<void> {
  dispatcher?.close();
  await host?.service.suspend();
  await host?.close();
}

app.on('before-quit', (e) => {
  if (quitting) return;
  quitting = true;
  e.preventDefault();
  void shutdown()
    .catch((err: unknown) => process.stderr.write(`synod: while stopping: ${errorLine(err)}\n`))
    .finally(() => app.exit(0));
});
app.on('window-all-closed', () => app.quit());
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0 && host !== undefined) createWindow();
});

// Not a top-level `await app.whenReady()`: an ES-module entry point must finish evaluating
// before Electron emits `ready`, so awaiting it here would hang the app (Electron's ESM docs).
void app.whenReady().then(async () => {
  secureSession();
  if (!existsSync(`${uiDir}/index.html`)) {
    dialog.showErrorBox('Synod', `The UI is not built: no index.html in ${uiDir}`);
    app.exit(1);
    return;
  }
  try {
    host = await openHost();
    watchPower(host);
    createWindow();
  } catch (err) {
    const line = errorLine(err, options.data);
    process.stderr.write(`synod: ${line}\n`);
    dialog.showErrorBox('Synod cannot start', line);
    app.exit(1);
  }
});
