/**
 * The Electron window's security policy as plain data and functions (no Electron import, so
 * they are tested under Node): where the UI comes from, its Content-Security-Policy, which
 * navigations, windows and permissions are allowed (none beyond the app's own page), and how a
 * request for one of the UI's files maps to a file in the UI directory.
 *
 * The UI is served by a custom, privileged scheme (`synod-app://ui/…`) rather than file://: it
 * gives the page a real origin of its own (file:// pages share one origin with every file on
 * the disk), lets `'self'` in the CSP mean "the app's files only", and puts every response
 * through one handler that sets the CSP header and refuses paths outside the UI directory.
 */
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'synod-app';
export const APP_HOST = 'ui';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX = `${APP_ORIGIN}/index.html`;

/**
 * The window's Content-Security-Policy. Only the app's own scripts, styles, images and fonts;
 * no inline script or style, no eval, no plugins, no frames, no network at all (the renderer
 * talks to the peer through the preload's IPC bridge, never fetch/WebSocket), no <base>, no
 * form posts. Sent as a header on every response of the app scheme and by
 * session.webRequest for anything else.
 */
export const ELECTRON_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "media-src 'none'",
  "manifest-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Response headers of every file the app scheme serves. */
export const APP_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ELECTRON_CSP,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

/** True for a URL of the app's own UI (the only content the window may show). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Chromium lower-cases the host of a standard scheme; Node's URL keeps it as written.
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host.toLowerCase() === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * A navigation the window may make: to the app's own page only (a reload, or a change of the
 * fragment). Links to anything else — http(s), file, data, javascript — are refused.
 */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** New windows (window.open, target=_blank): never. */
export function windowOpenPolicy(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests (camera, notifications, geolocation, clipboard…): all denied. */
export function permissionPolicy(_permission: string): boolean {
  return false;
}

// The UI's files get the same content types here as from the local API's static files.
export { contentTypeOf } from '../api/content-types.js';

/**
 * The file under `root` that an app-scheme URL names, or undefined when it names none: another
 * scheme or host, a malformed escape, a NUL, a dotfile, or a path out of the directory.
 */
export function resolveUiFile(root: string, url: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  const pathname = new URL(url).pathname;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === '/' || pathname === '' ? '/index.html' : pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  if (rel.split('/').some((part) => part.startsWith('.'))) return undefined;
  const base = resolve(root);
  const path = normalize(resolve(base, '.' + rel));
  const inside = relative(base, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.includes('\0')) {
    return undefined;
  }
  return path.startsWith(base + sep) ? path : undefined;
}
