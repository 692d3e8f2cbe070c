/**
 * LAN first run, end to end: two `synod start` peers, each in a network namespace of its own,
 * on a LAN this test makes of the two (a veth pair: mDNS runs there, never in the machine's
 * namespace), each with its UI open in a Chromium that runs in the same namespace (the UI is
 * served on that namespace's 127.0.0.1). Alice creates a log; Bob, in no log, sees her on the
 * LAN, asks to join; she declines (Bob is told, and stays in setup), he asks again, she lets
 * him in: two desktops in one log without an invite copied by hand.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Child } from '../helpers/child.js';
import { ROOT } from '../helpers/paths.js';
import { startArgs } from '../helpers/synod-cli.js';
import { VethLan } from '../helpers/veth-lan.js';
import { CHROMIUM, launchChromium } from './pages.js';

const SHOTS = join(ROOT, 'test-results', 'e2e');
const WAIT = { timeout: 60_000 };

describe('LAN first run in two network namespaces, through the UI', () => {
  const root = mkdtempSync(join(tmpdir(), 'synod-lan-'));
  const children: Child[] = [];
  const browsers: Browser[] = [];
  let lan: VethLan | undefined;

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    lan?.destroy();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  /** `synod start` in namespace `i` (mDNS on), and its UI in a Chromium in the same namespace. */
  async function desktop(l: VethLan, i: 0 | 1, name: string): Promise<Page> {
    const dataDir = join(root, name);
    const [cmd, args] = l.exec(
      i,
      process.execPath,
      startArgs(dataDir, name, `/ip4/${l.addresses[i]}/tcp/0`),
    );
    const child = new Child(name, cmd, args);
    children.push(child);
    const url = (await child.waitFor(/^synod: local API on (http:\/\/\S+) /, 90_000))[1]!;
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const browser = await launchChromium(l.wrapper(i, CHROMIUM, root));
    browsers.push(browser);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${url}/#token=${token}`);
    return page;
  }

  it('a peer in no log finds a member on the LAN and asks in; declined, then let in', async (ctx) => {
    const made = VethLan.create(`syl${process.pid % 100_000}`, 78);
    if (typeof made === 'string') {
      console.warn(`LAN first-run test skipped: ${made}`);
      ctx.skip(made);
      return;
    }
    lan = made;
    mkdirSync(SHOTS, { recursive: true });
    const [a, b] = await Promise.all([desktop(lan, 0, 'alice'), desktop(lan, 1, 'bob')]);
    await a.getByTestId('create-title').fill('LAN notes');
    await a.getByTestId('create').click();
    await expect.poll(() => a.getByTestId('log-title').textContent(), WAIT).toBe('LAN notes');
    const aliceId = await a.locator('[data-testid="peer"]').first().getAttribute('data-peer');
    expect(aliceId).toMatch(/^12D3KooW/);

    // Bob, in setup, sees Alice on the LAN (she answers his mDNS query) and asks to join.
    await b.getByTestId('setup').waitFor(WAIT);
    const row = b.locator(`[data-testid="lan-peer"][data-peer="${aliceId}"]`);
    await row.waitFor(WAIT);
    await b.screenshot({ path: join(SHOTS, 'lan-1-setup-sees-member.png') });
    await row.getByTestId('ask-to-join').click();
    // Alice's page shows the request, with Bob's name; she declines.
    const request = a.getByTestId('invite-request');
    await expect.poll(() => request.textContent(), WAIT).toContain('bob');
    await request.getByTestId('decline-request').click();
    await expect
      .poll(async () => (await b.getByTestId('notice').allTextContents()).join('\n'), WAIT)
      .toMatch(/not let in: .*declined/);
    expect(await b.getByTestId('setup').isVisible()).toBe(true);

    // He asks again; she lets him in: he joins, and both pages show two members online.
    await row.getByTestId('ask-to-join').click();
    await expect.poll(() => request.count(), WAIT).toBe(1);
    await a.screenshot({ path: join(SHOTS, 'lan-2-member-asked.png') });
    await request.getByTestId('accept-request').click();
    await expect.poll(() => b.getByTestId('log-title').textContent(), WAIT).toBe('LAN notes');
    for (const p of [a, b]) {
      await expect
        .poll(() => p.locator('[data-testid="peer"][data-online="true"]').count(), WAIT)
        .toBe(2);
    }
    expect(await request.count()).toBe(0);
  }, 180_000);
});
