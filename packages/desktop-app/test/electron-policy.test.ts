/**
 * The Electron window's policy (src/electron/policy.ts, native.ts): a CSP with no inline code,
 * no eval and no remote source; navigation to the app's own page only; no new windows; no
 * permissions; UI files only from the UI directory; Electron's SQLite build beside Node's.
 */
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBindingPath, findElectronBinding } from '../src/electron/native.js';
import {
  APP_HEADERS,
  APP_INDEX,
  APP_ORIGIN,
  ELECTRON_CSP,
  contentTypeOf,
  isAllowedNavigation,
  isAppUrl,
  permissionPolicy,
  resolveUiFile,
  windowOpenPolicy,
} from '../src/electron/policy.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('Content-Security-Policy', () => {
  const csp = directives(ELECTRON_CSP);

  it('allows nothing by default, and no inline code, eval or remote source anywhere', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(
          /unsafe|^\*|^https?:|^wss?:|^blob:|^file:|^'strict-dynamic'/i,
        );
        expect(["'self'", "'none'", 'data:']).toContain(v);
      }
    }
    // data: only for images (never scripts, styles or frames).
    for (const [name, values] of csp) {
      if (name !== 'img-src') expect(values, name).not.toContain('data:');
    }
  });

  it('scripts and styles from the app only; no network, plugins, frames, <base> or forms', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    for (const d of [
      'connect-src',
      'object-src',
      'frame-src',
      'worker-src',
      'base-uri',
      'form-action',
      'frame-ancestors',
    ]) {
      expect(csp.get(d), d).toEqual(["'none'"]);
    }
  });

  it('is sent with every app file', () => {
    expect(APP_HEADERS['content-security-policy']).toBe(ELECTRON_CSP);
    expect(APP_HEADERS['x-content-type-options']).toBe('nosniff');
  });
});

describe('navigation, windows and permissions', () => {
  it('the app page is the only place the window may go', () => {
    expect(isAllowedNavigation(APP_INDEX)).toBe(true);
    expect(isAllowedNavigation(`${APP_INDEX}#token=x`)).toBe(true);
    expect(isAllowedNavigation(`${APP_ORIGIN}/`)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'synod-app://other/index.html',
      'synod-app://ui.evil.com/index.html',
      'synod-app-x://ui/index.html',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('knows its own URLs', () => {
    expect(isAppUrl(APP_INDEX)).toBe(true);
    expect(isAppUrl('SYNOD-APP://UI/index.html')).toBe(true);
    expect(isAppUrl('synod-app://ui:8080/index.html')).toBe(false);
    expect(isAppUrl('synod-app://user@ui/index.html')).toBe(false);
  });

  it('no new windows, no permissions', () => {
    expect(windowOpenPolicy('https://example.com')).toEqual({ action: 'deny' });
    expect(windowOpenPolicy(APP_INDEX)).toEqual({ action: 'deny' });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(permissionPolicy(p)).toBe(false);
    }
  });
});

describe('UI files', () => {
  const root = join(sep, 'opt', 'synod', 'ui');

  it('maps app URLs to files in the UI directory', () => {
    expect(resolveUiFile(root, `${APP_ORIGIN}/`)).toBe(join(root, 'index.html'));
    expect(resolveUiFile(root, APP_INDEX)).toBe(join(root, 'index.html'));
    expect(resolveUiFile(root, `${APP_ORIGIN}/js/app.js?v=1#x`)).toBe(join(root, 'js', 'app.js'));
    expect(resolveUiFile(root, `${APP_ORIGIN}/a%20b.css`)).toBe(join(root, 'a b.css'));
    // The URL parser itself removes dot segments: these stay inside.
    expect(resolveUiFile(root, `${APP_ORIGIN}/../secret`)).toBe(join(root, 'secret'));
    expect(resolveUiFile(root, `${APP_ORIGIN}/%2e%2e/secret`)).toBe(join(root, 'secret'));
    expect(resolveUiFile(root, `${APP_ORIGIN}/js/%2e%2e/%2e%2e/x`)).toBe(join(root, 'x'));
  });

  it('refuses anything outside it', () => {
    for (const url of [
      `${APP_ORIGIN}/..%2fsecret`,
      `${APP_ORIGIN}/%2e%2e%5csecret`,
      `${APP_ORIGIN}/.env`,
      `${APP_ORIGIN}/js/.hidden/app.js`,
      `${APP_ORIGIN}/a%00.js`,
      `${APP_ORIGIN}/%E0%A4%A`,
      'synod-app://other/index.html',
      'file:///opt/synod/ui/index.html',
      'https://ui/index.html',
    ]) {
      expect(resolveUiFile(root, url), url).toBeUndefined();
    }
  });

  it('types the files it serves', () => {
    expect(contentTypeOf('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('/x/app.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('/x/Makefile')).toBe('application/octet-stream');
  });
});

describe("Electron's better-sqlite3 build", () => {
  it('lives beside the Node build, and outside the asar archive when packaged', () => {
    expect(electronBindingPath('/repo/packages/desktop-app', 'linux', 'x64')).toBe(
      join('/repo/packages/desktop-app', 'native', 'electron', 'linux-x64', 'better_sqlite3.node'),
    );
    const packaged = join(sep, 'opt', 'Synod', 'resources', 'app.asar');
    expect(electronBindingPath(packaged, 'linux', 'arm64')).toBe(
      join(
        sep,
        'opt',
        'Synod',
        'resources',
        'app.asar.unpacked',
        'native',
        'electron',
        'linux-arm64',
        'better_sqlite3.node',
      ),
    );
  });

  it('says how to build it when it is missing', () => {
    const missing = findElectronBinding('/p', () => false, 'linux', 'x64');
    expect(missing.found).toBe(false);
    if (!missing.found) expect(missing.message).toMatch(/npm run electron:rebuild/);
    expect(findElectronBinding('/p', () => true, 'linux', 'x64').found).toBe(true);
  });

  it('refuses a build stamped for another Electron', () => {
    const stamp = (electron: string) => () => JSON.stringify({ electron });
    const at = (v: string, s: () => string) =>
      findElectronBinding('/p', () => true, 'linux', 'x64', v, s);
    expect(at('45.5.0', stamp('45.5.0')).found).toBe(true);
    const other = at('45.6.0', stamp('45.5.0'));
    expect(other.found).toBe(false);
    if (!other.found)
      expect(other.message).toMatch(/built for Electron 45\.5\.0, this is Electron 45\.6\.0/);
    expect(at('45.6.0', () => 'not json').found).toBe(true);
    expect(
      findElectronBinding('/p', (p) => !p.endsWith('build.json'), 'linux', 'x64', '1').found,
    ).toBe(true);
  });
});
