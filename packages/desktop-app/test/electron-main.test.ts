/**
 * Electron's main process (dist/electron/main.js) started under plain Node with a stand-in for
 * the `electron` module (fixtures/fake-electron.mjs), since Electron's binary cannot be had
 * here: its wiring is what is checked — the scheme registered before `ready`, every renderer
 * sandboxed, the window's webPreferences, the UI served by the app scheme with the CSP, the
 * navigation, window, permission and request policies installed, IPC answered for the window's
 * main frame only (a real peer service behind it, mDNS off), events forwarded, a clean quit.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBindingPath } from '../src/electron/native.js';
import { APP_INDEX, ELECTRON_CSP } from '../src/electron/policy.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const LOADER = join(PKG, 'test', 'fixtures', 'fake-electron-loader.mjs');

interface Report {
  order: string[];
  schemes: { scheme: string; privileges: Record<string, boolean> }[];
  webPreferences: Record<string, unknown>;
  loadURL: string;
  page: { status: number; csp: string; type: string; body: string };
  outside: number;
  navigation: Record<string, boolean>;
  windowOpen: unknown;
  permission: { request: boolean[]; check: boolean };
  cancel: Record<string, boolean>;
  ipc: Record<string, { ok: boolean; value?: unknown; error?: { code: string } }>;
  eventsSent: [string, string][];
  power: string[];
  strangerEvents: number;
  failure?: string;
  errorBox?: string;
}

describe('the Electron main process, under a stand-in electron module', () => {
  let root: string;
  let report: Report;
  let stderr = '';
  let copy: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'synod-electron-main-'));
    const ui = join(root, 'ui');
    mkdirSync(ui);
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Synod window</title>');
    // main.js looks for "Electron's" better-sqlite3 build beside itself; under Node it must be
    // Node's. So run a copy of the package's dist/ inside the package (node_modules resolve as
    // usual) with a copy of Node's build there, never touching the real native/ directory.
    mkdirSync(join(PKG, '.synod-tmp'), { recursive: true });
    copy = mkdtempSync(join(PKG, '.synod-tmp', 'electron-main-'));
    cpSync(join(PKG, 'dist'), join(copy, 'dist'), { recursive: true });
    copyFileSync(join(PKG, 'package.json'), join(copy, 'package.json'));
    const binding = electronBindingPath(copy);
    const require = createRequire(import.meta.url);
    const sqlite = dirname(require.resolve('better-sqlite3/package.json'));
    mkdirSync(dirname(binding), { recursive: true });
    copyFileSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'), binding);
    const child = spawn(
      process.execPath,
      [
        '--import',
        LOADER,
        join(copy, 'dist', 'electron', 'main.js'),
        '--data',
        join(root, 'data'),
        '--no-mdns',
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--name',
        'window',
        '--ui',
        ui,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
    if (line === undefined) throw new Error(`no report (exit ${code}):\n${stdout}\n${stderr}`);
    report = JSON.parse(line.slice('REPORT '.length)) as Report;
    if (report.failure !== undefined) throw new Error(report.failure);
    expect(code).toBe(0);
  }, 60_000);

  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('registers the app scheme and sandboxes renderers before ready, and quits cleanly', () => {
    const o = report.order;
    expect(o.indexOf('registerSchemesAsPrivileged')).toBeLessThan(o.indexOf('ready'));
    expect(o.indexOf('enableSandbox')).toBeLessThan(o.indexOf('ready'));
    expect(o.indexOf('protocol.handle synod-app')).toBeGreaterThan(o.indexOf('ready'));
    expect(o.slice(-2)).toEqual(['quit', 'exit 0']);
    expect(report.schemes).toEqual([
      expect.objectContaining({
        scheme: 'synod-app',
        privileges: expect.objectContaining({ standard: true, secure: true }) as unknown,
      }),
    ]);
    expect(report.errorBox).toBeUndefined();
  });

  it('opens a sandboxed, isolated window on the app page', () => {
    expect(report.loadURL).toBe(APP_INDEX);
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(report.webPreferences.enableBlinkFeatures).toBeUndefined();
    expect(String(report.webPreferences.preload)).toMatch(/dist[/\\]electron[/\\]preload\.cjs$/);
  });

  it('serves the UI with the CSP, and nothing outside it', () => {
    expect(report.page).toMatchObject({ status: 200, csp: ELECTRON_CSP });
    expect(report.page.type).toMatch(/text\/html/);
    expect(report.page.body).toContain('Synod window');
    expect(report.outside).toBe(404);
  });

  it('refuses navigation away, new windows, permissions and remote requests', () => {
    expect(report.navigation).toEqual({
      away: true,
      file: true,
      frame: true,
      redirect: true,
      self: false,
      webview: true,
    });
    expect(report.windowOpen).toEqual({ action: 'deny' });
    expect(report.permission).toEqual({ request: [false], check: false });
    expect(report.cancel).toEqual({
      'https://example.com/x.js': true,
      'http://127.0.0.1:9/': true,
      [APP_INDEX]: false,
    });
  });

  it("answers IPC from the window's main frame only, validated, with the peer behind it", () => {
    const ipc = report.ipc;
    expect(ipc.status).toMatchObject({ ok: true, value: { state: 'setup', name: 'window' } });
    expect(ipc.subframe).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ipc.stranger).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ipc.unknown).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(ipc.malformed).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(ipc.created).toMatchObject({ ok: true, value: { state: 'running' } });
    expect(ipc.appended).toMatchObject({ ok: true, value: { id: 1, version: 1 } });
    expect(stderr).toMatch(/refused synod:invoke/);
  });

  it('steps down before the system sleeps and comes back after it wakes (powerMonitor)', () => {
    expect(report.power).toEqual(['suspended', 'running']);
  });

  it('forwards the peer events to the subscribed window only', () => {
    const types = report.eventsSent.filter(([c]) => c === 'synod:event').map(([, t]) => t);
    expect(types).toContain('status');
    expect(types).toContain('applied');
    expect(report.strangerEvents).toBe(0);
  });
});
