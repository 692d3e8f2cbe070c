/**
 * The list of logs in the desktop UI, in Chromium (headless, playwright-core) against two real
 * `synod start` processes: alice has a log "Team" shared with bob; in her page she creates a
 * second log "Trip" from the list, writes in it and invites bob, who joins it from his list
 * beside Team. Each log shows its own entries; closing and opening a log, and leaving one, keep
 * the other; axe-core finds no serious violation with the list shown.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, eventually, type SynodPeer } from '../helpers/synod-cli.js';
import { SynodRoot } from '../helpers/synod-root.js';
import { axeViolations, haveChromium, launchChromium, SHOTS, uiUrl } from './pages.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(!haveChromium)('the list of logs in the UI (Chromium, two synod peers)', () => {
  const root = new SynodRoot('synod-e2e-logs-');
  let browser: Browser;
  const peers: SynodPeer[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    peers.push(...(await Promise.all(['alice', 'bob'].map((n) => root.start(n)))));
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  async function openPage(peer: SynodPeer): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(`${peer.name}: ${err.message}`));
    await page.goto(uiUrl(peer));
    return page;
  }

  const logItems = (p: Page) => p.getByTestId('log-item').allTextContents();
  const entryTitles = (p: Page) => p.getByTestId('entry-title').allTextContents();
  const shownTitle = (p: Page) => p.getByTestId('log-title').textContent();

  async function add(page: Page, title: string): Promise<void> {
    await page.getByTestId('new-title').fill(title);
    await page.getByTestId('new-body').fill(`${title}: text`);
    await page.getByTestId('add').click();
  }

  it('creates and joins a second log from the list; each log its own entries; close, open, leave', async () => {
    const [alice, bob] = peers as [SynodPeer, SynodPeer];
    await alice.api.createLog({ title: 'Team' });
    await alice.api.append({ title: 'standup', body: 'at ten' });
    await bob.api.join({ invite: (await alice.api.invite()).text });
    await eventually('bob to catch up', async () =>
      caughtUp(await bob.status()) ? true : undefined,
    );

    const a = await openPage(alice);
    await expect.poll(() => shownTitle(a), WAIT).toBe('Team');
    expect(await logItems(a)).toEqual(['Team']);
    await expect.poll(() => entryTitles(a), WAIT).toEqual(['standup']);

    // A second log, from the list: its name here and its title; the page shows it at once
    // (the list: named logs first, by name).
    await a.getByTestId('add-log').click();
    await a.getByTestId('new-log-name').fill('trip');
    await a.getByTestId('new-log-title').fill('Trip');
    await a.getByTestId('create-log').click();
    await expect.poll(() => shownTitle(a), WAIT).toBe('Trip');
    await expect.poll(() => logItems(a), WAIT).toEqual(['Trip trip', 'Team']);
    await expect.poll(() => entryTitles(a), WAIT).toEqual([]);
    await add(a, 'tickets');
    await expect.poll(() => entryTitles(a), WAIT).toEqual(['tickets']);
    expect((await alice.api.entries({ log: 'trip' })).entries.map((e) => e.title)).toEqual([
      'tickets',
    ]);

    // Invite bob to Trip (the invite of the chosen log); he joins it from his list.
    await a.getByTestId('invite').click();
    const invite = await a.getByTestId('invite-text').inputValue();
    const b = await openPage(bob);
    await expect.poll(() => shownTitle(b), WAIT).toBe('Team');
    await b.getByTestId('add-join').click();
    await b.getByTestId('join-log-invite').fill(invite);
    await b.getByTestId('join-log-name').fill('trip');
    await b.getByTestId('join-log').click();
    await expect.poll(() => shownTitle(b), { timeout: 60_000 }).toBe('Trip');
    await expect.poll(() => entryTitles(b), WAIT).toEqual(['tickets']);
    expect(await logItems(b)).toEqual(['Trip trip', 'Team']);

    // Choosing a log shows its own entries (and not the other's).
    await b.locator('[data-testid="log-item"]', { hasText: 'Team' }).click();
    await expect.poll(() => shownTitle(b), WAIT).toBe('Team');
    await expect.poll(() => entryTitles(b), WAIT).toEqual(['standup']);
    await add(b, 'from bob');
    await expect.poll(() => entryTitles(a), WAIT).toEqual(['tickets']); // alice shows Trip
    await a.locator('[data-testid="log-item"]', { hasText: 'Team' }).click();
    await expect.poll(() => entryTitles(a), WAIT).toEqual(['standup', 'from bob']);

    mkdirSync(SHOTS, { recursive: true });
    await a.screenshot({ path: join(SHOTS, 'logs.png') }); // docs/screenshot-logs.png
    // axe-core with the list shown: no serious or critical violation.
    const violations = await axeViolations(a);
    console.log(`e2e: axe violations (logs) ${JSON.stringify(violations)}`);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // Bob closes Trip (its core stops here) and opens it again; then leaves it.
    const tripItem = b.locator('li', {
      has: b.locator('[data-testid="log-item"]', { hasText: 'Trip' }),
    });
    await tripItem.getByTestId('close-log').click();
    await expect.poll(() => logItems(b), WAIT).toEqual(['Trip trip · closed', 'Team']);
    await tripItem.getByTestId('open-log').click();
    await expect.poll(() => shownTitle(b), WAIT).toBe('Trip');
    await expect.poll(() => logItems(b), WAIT).toEqual(['Trip trip', 'Team']);
    await b.getByTestId('leave').click();
    await b.getByTestId('leave').click();
    await expect.poll(() => logItems(b), { timeout: 60_000 }).toEqual(['Team']);
    await expect.poll(() => shownTitle(b), WAIT).toBe('Team');
    expect((await bob.api.logs()).logs.map((l) => l.title)).toEqual(['Team']);
    // Alice's Trip goes on without him.
    expect((await alice.api.status({ log: 'trip' })).peers.map((p) => p.name)).toEqual(['alice']);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
