/**
 * An entry the log refuses for good (here a body over the 1,000,000 code units an entry holds)
 * must not take the user's text with it: the form is emptied when the entry is queued, so on a
 * refusal the text comes back into it (in Chromium, one `synod start` process).
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynodRoot } from '../helpers/synod-root.js';
import { haveChromium, launchChromium, uiUrl } from './pages.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(!haveChromium)('an append refused for good, in Chromium', () => {
  const root = new SynodRoot('synod-failed-append-');
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('gives the typed text back to the form, and says why', async () => {
    const alice = await root.start('alice');
    await alice.api.createLog({ title: 't' });
    const page = await browser.newPage();
    await page.goto(uiUrl(alice));
    await expect
      .poll(() => page.getByTestId('majority').textContent(), WAIT)
      .toContain('Majority reachable');
    const body = 'a long paste. '.repeat(75_000); // 1,050,000 code units
    await page.getByTestId('new-title').fill('too long');
    await page.getByTestId('new-body').fill(body);
    await page.getByTestId('add').click();
    await expect
      .poll(() => page.getByTestId('pending').textContent(), WAIT)
      .toMatch(/failed: .*exceeds 1000000/);
    expect(await page.getByTestId('new-title').inputValue()).toBe('too long');
    expect((await page.getByTestId('new-body').inputValue()) === body).toBe(true);
    expect((await alice.api.entries()).entries).toEqual([]);
  }, 90_000);
});
