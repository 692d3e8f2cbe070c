/**
 * Another user of the machine listens on the port where a peer's local API was (any local user
 * may bind a free 127.0.0.1 port). A peer that crashed leaves its endpoint file behind
 * (api.json: not removed, see docs/security.md), and a `synod` client command must not send the
 * token there: the token is kept across restarts, so whoever holds it drives the peer's API
 * once the peer is back (reads the log, makes invites). Nor may a browser tab of the peer's UI,
 * which reconnects by itself to the port its page came from: it must first see that the server
 * there knows the token (GET /api/proof), before it sends it. Real processes: a `synod start`
 * stopped, a squatter on its port, the real CLI, the UI in Chromium.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { haveChromium, launchChromium, uiUrl } from '../e2e/pages.js';
import { synod } from '../helpers/synod-cli.js';
import { SynodRoot } from '../helpers/synod-root.js';

const root = new SynodRoot('synod-squatter-');

/** A server on `port` that records what it is sent and answers like a peer would not. */
async function squat(port: number): Promise<{ server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { server, seen };
}

it('a crashed peer left its endpoint file: the CLI sends its token to no one, and says no peer runs', async () => {
  const alice = await root.start('alice');
  await alice.api.createLog({ title: 't' });
  const token = readFileSync(join(alice.dataDir, 'api-token'), 'utf8').trim();
  const port = Number(new URL(alice.api.baseUrl).port);
  expect(await alice.stop('SIGKILL')).toBe(null);
  const { server, seen } = await squat(port);
  try {
    const r = await synod(['status', '--data', alice.dataDir]);
    expect(seen).toEqual([]);
    expect(r.stderr).toMatch(/^synod status: no peer is running on /);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(token);
  } finally {
    server.close();
  }
}, 120_000);

it.skipIf(!haveChromium)(
  'a tab whose peer stopped sends its token to no one else, and reconnects to its peer when it is back',
  async () => {
    const bob = await root.start('bob');
    await bob.api.createLog({ title: 'bob only' });
    const token = readFileSync(join(bob.dataDir, 'api-token'), 'utf8').trim();
    const port = Number(new URL(bob.api.baseUrl).port);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(uiUrl(bob));
      await expect
        .poll(() => page.getByTestId('majority').textContent(), { timeout: 30_000 })
        .toContain('Majority reachable');
      expect(await bob.stop('SIGTERM')).toBe(0);
      const { server, seen } = await squat(port);
      // The tab retries every 250 ms to 4 s: give it several tries at the squatter.
      await expect.poll(() => seen.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
      expect(seen.filter((s) => s.includes(token))).toEqual([]);
      expect(await page.getByTestId('majority').textContent()).toContain('Lost the link');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // Its own peer back on the port: the tab proves it and reconnects by itself.
      const bob2 = await root.restart(bob);
      expect(bob2.api.baseUrl).toBe(bob.api.baseUrl);
      await expect
        .poll(() => page.getByTestId('majority').textContent(), { timeout: 30_000 })
        .toContain('Majority reachable');
    } finally {
      await browser.close();
    }
  },
  120_000,
);
