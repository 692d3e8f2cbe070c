/**
 * `npm start` (src/desktop/launch.ts): its options are `synod start`'s; it decides between
 * Electron and browser mode; without a display (or without Electron's binary) it prints one
 * line saying so and serves the UI on 127.0.0.1 — checked on the real launcher, run as a child
 * process with mDNS off and a tmp data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decideMode,
  fallbackLine,
  findElectron,
  forwardedArgs,
  noDisplayReason,
  parseLaunchArgs,
} from '../src/desktop/launch-options.js';

const LAUNCHER = fileURLToPath(new URL('../dist/desktop/launch.js', import.meta.url));
const PACKAGED_UI = fileURLToPath(new URL('../ui/index.html', import.meta.url));

describe('launcher options', () => {
  it('accepts the options of synod start, repeatable ones included', () => {
    const p = parseLaunchArgs([
      '--data',
      '/tmp/x',
      '--no-mdns',
      '--listen',
      '/ip4/127.0.0.1/tcp/4001',
      '--listen',
      '/ip4/127.0.0.1/tcp/4002',
      '--bootstrap',
      '/ip4/127.0.0.1/tcp/5000/p2p/12D3KooWabc',
      '--name',
      'alice',
    ]);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.options).toMatchObject({
      data: '/tmp/x',
      mdns: false,
      listen: ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002'],
      bootstrap: ['/ip4/127.0.0.1/tcp/5000/p2p/12D3KooWabc'],
      name: 'alice',
      api: '127.0.0.1:0',
      durability: 'full',
    });
    expect(p.options.headless).toBeUndefined();
  });

  it('refuses unknown options and stray arguments, and answers --help', () => {
    const bad = parseLaunchArgs(['--bogus']);
    expect(bad).toMatchObject({ ok: false, help: false });
    expect(parseLaunchArgs(['stray'])).toMatchObject({ ok: false, help: false });
    expect(parseLaunchArgs(['--durability', 'sometimes'])).toMatchObject({ ok: false });
    const help = parseLaunchArgs(['--help']);
    expect(help).toMatchObject({ ok: false, help: true });
    if (!help.ok) expect(help.message).toContain('--no-mdns');
  });

  it('forwards to Electron exactly what it parsed', () => {
    const args = [
      '--data',
      '/d',
      '--listen',
      '/ip4/127.0.0.1/tcp/1',
      '--bootstrap',
      '/ip4/127.0.0.1/tcp/2/p2p/x',
      '--no-mdns',
      '--api',
      '127.0.0.1:7000',
      '--name',
      'bob',
      '--no-ui',
      '--durability',
      'normal-unsafe',
      '--wire-versions',
      '2,1',
    ];
    const p = parseLaunchArgs(args);
    if (!p.ok) throw new Error(p.message);
    const again = parseLaunchArgs(forwardedArgs(p.options));
    if (!again.ok) throw new Error(again.message);
    expect(again.options).toEqual(p.options);
    expect(forwardedArgs(p.options)).toEqual(args);
    expect(p.options.wireVersions).toEqual([2, 1]);
    expect(parseLaunchArgs(['--wire-versions', 'two'])).toMatchObject({ ok: false });
  });
});

describe('Electron or browser mode', () => {
  const found = () => ({ found: true as const, path: '/opt/electron' });
  const missing = () => ({ found: false as const, reason: 'no binary' });

  it('needs a display on Linux, not on macOS or Windows', () => {
    expect(noDisplayReason('linux', {})).toMatch(/no display/);
    expect(noDisplayReason('linux', { DISPLAY: '' })).toMatch(/no display/);
    expect(noDisplayReason('linux', { DISPLAY: ':0' })).toBeUndefined();
    expect(noDisplayReason('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeUndefined();
    expect(noDisplayReason('darwin', {})).toBeUndefined();
    expect(noDisplayReason('win32', {})).toBeUndefined();
  });

  it('runs Electron only with both a display and the binary', () => {
    expect(decideMode({}, found, () => undefined)).toEqual({
      mode: 'electron',
      binary: '/opt/electron',
    });
    expect(decideMode({}, missing, () => undefined)).toEqual({
      mode: 'browser',
      reason: 'no binary',
    });
    expect(decideMode({}, found, () => 'no display')).toEqual({
      mode: 'browser',
      reason: 'no display',
    });
    expect(decideMode({ headless: true }, found, () => undefined)).toEqual({
      mode: 'browser',
      reason: undefined,
    });
  });

  it('finds no binary where the electron package has not downloaded it, without downloading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synod-electron-pkg-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{}');
      const pkg = () => join(dir, 'package.json');
      const none = findElectron({}, pkg);
      expect(none.found).toBe(false);
      if (!none.found) expect(none.reason).toMatch(/not installed/);
      writeFileSync(join(dir, 'path.txt'), 'electron');
      expect(findElectron({}, pkg).found).toBe(false);
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist', 'electron'), '');
      expect(findElectron({}, pkg)).toEqual({ found: true, path: join(dir, 'dist', 'electron') });
      expect(findElectron({ ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'dist') }, pkg).found).toBe(
        true,
      );
      expect(findElectron({ ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'nowhere') }, pkg).found).toBe(
        false,
      );
      expect(
        findElectron({}, () => {
          throw new Error('Cannot find module');
        }).found,
      ).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so in one line', () => {
    const line = fallbackLine('there is no display');
    expect(line).not.toContain('\n');
    expect(line).toMatch(/Electron/);
    expect(line).toMatch(/browser/);
  });
});

/** The launcher as `npm start` runs it, with its output collected line by line. */
class Launcher {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [LAUNCHER, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const m = pattern.exec(line);
        if (m !== null) return m;
      }
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `no line matching ${String(pattern)}:\n${this.lines.join('\n')}\n${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}

describe('npm start without a display or without Electron', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  function setup(): { data: string; ui: string } {
    const root = mkdtempSync(join(tmpdir(), 'synod-launch-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const ui = join(root, 'ui');
    mkdirSync(ui);
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Synod test UI</title>');
    return { data: join(root, 'data'), ui };
  }

  function envWithout(...names: string[]): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const n of names) delete env[n];
    return env;
  }

  async function servesTheUi(launcher: Launcher): Promise<void> {
    const [, url] = await launcher.waitFor(/UI at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toContain('Synod test UI');
    // The token works against the API on the same address.
    const token = new URL(url!).hash.replace('#token=', '');
    const status = await fetch(new URL('/api/status', url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { state: string }).state).toBe('setup');
  }

  it('prints one line saying there is no display, then serves the UI', async () => {
    const { data, ui } = setup();
    const launcher = new Launcher(
      ['--data', data, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--ui', ui],
      envWithout('DISPLAY', 'WAYLAND_DISPLAY'),
    );
    cleanup.push(() => launcher.stop());
    await servesTheUi(launcher);
    const electronLines = launcher.lines.filter((l) => /Electron/.test(l));
    expect(electronLines).toEqual([fallbackLine(noDisplayReason('linux', {})!)]);
    expect(launcher.lines[0]).toBe(electronLines[0]);
    expect(await launcher.stop()).toBe(0);
    expect(launcher.lines.at(-1)).toBe('synod: stopped');
  });

  // The UI the renderer builds into packages/desktop-app/ui (skipped before it is built).
  it.skipIf(!existsSync(PACKAGED_UI))('serves the packaged UI by default', async () => {
    const { data } = setup();
    const launcher = new Launcher(
      ['--data', data, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'],
      envWithout('DISPLAY', 'WAYLAND_DISPLAY'),
    );
    cleanup.push(() => launcher.stop());
    const [, url] = await launcher.waitFor(/UI at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Synod');
  });

  it('with a display but no Electron binary, says that instead', async () => {
    const { data, ui } = setup();
    const launcher = new Launcher(['--data', data, '--no-mdns', '--ui', ui], {
      ...envWithout('WAYLAND_DISPLAY'),
      DISPLAY: ':99',
      ELECTRON_OVERRIDE_DIST_PATH: join(data, 'no-electron-here'),
    });
    cleanup.push(() => launcher.stop());
    await servesTheUi(launcher);
    const electronLines = launcher.lines.filter((l) => /Electron/.test(l));
    expect(electronLines).toHaveLength(1);
    expect(electronLines[0]).toMatch(/no Electron binary at/);
  });

  it('with a display and an Electron binary, runs Electron on the main process with the options', async () => {
    const { data } = setup();
    const dist = join(data, '..', 'electron-dist');
    mkdirSync(dist);
    // A stand-in for Electron's binary: it prints what it was given and exits 3.
    writeFileSync(
      join(dist, 'electron'),
      '#!/bin/sh\necho "ELECTRON $ELECTRON_RUN_AS_NODE|$*"\nexit 3\n',
      { mode: 0o755 },
    );
    const launcher = new Launcher(['--data', data, '--no-mdns', '--name', 'desk'], {
      ...process.env,
      DISPLAY: ':99',
      ELECTRON_OVERRIDE_DIST_PATH: dist,
      ELECTRON_RUN_AS_NODE: '1',
    });
    expect(await launcher.exited).toBe(3);
    const main = fileURLToPath(new URL('../dist/electron/boot.cjs', import.meta.url));
    expect(launcher.lines).toEqual([
      `ELECTRON |${main} --data ${data} --no-mdns --api 127.0.0.1:0 --name desk --durability full`,
    ]);
  });

  it('refuses a bad option with one line and exit code 2', async () => {
    const launcher = new Launcher(['--api', '0.0.0.0:80', '--no-mdns', '--headless'], {
      ...process.env,
      SYNOD_DATA: setup().data,
    });
    expect(await launcher.exited).toBe(2);
    expect(launcher.stderr.trim().split('\n')).toHaveLength(1);
    expect(launcher.stderr).toMatch(/never listens beyond this machine/);
  });
});
