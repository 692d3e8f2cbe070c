/**
 * A tab that tells the truth about a write whose outcome it cannot know (in Chromium, against
 * three `synod start` processes): alice's tab saves an edit while no majority is reachable (it
 * waits), then alice's peer is killed. The edit was accepted by alice's acceptor, so it may
 * still be decided: the tab must not say "not saved" (the user would type it again, or append a
 * second copy). Alice and bob come back, the edit is decided (alice's acceptor is in every
 * majority of the two), and the editor must take the entry at its new version as the user's own
 * text: no "changed while you were editing", and saving again is no conflict with itself.
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, eventually } from '../helpers/synod-cli.js';
import { SynodRoot } from '../helpers/synod-root.js';
import { haveChromium, launchChromium, uiUrl } from './pages.js';

const WAIT = { timeout: 30_000 };

describe.skipIf(!haveChromium)('a write of unknown outcome, in Chromium', () => {
  const root = new SynodRoot('synod-unknown-');
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is not called "not saved", and once decided is the editor\'s own text, not a conflict', async () => {
    const [alice, bob, carol] = await root.cluster(['alice', 'bob', 'carol']);
    const { id } = await alice.api.append({ title: 'note', body: 'v1\n' });
    const page = await browser.newPage();
    await page.goto(uiUrl(alice));
    await page.locator(`[data-testid="entry"][data-id="${id}"]`).click();
    await expect.poll(() => page.getByTestId('editor-body').inputValue(), WAIT).toBe('v1\n');
    // Alice leads (she made the log): her own acceptor takes her proposal.
    const self = await alice.api.protocol({ after: 0, limit: 1 });
    expect(self.protocol?.activeLeader).toBe(self.self);
    const accepted = self.protocol!.acceptor.accepted;
    await Promise.all([bob.stop('SIGKILL'), carol.stop('SIGKILL')]);
    const typed = 'v1\nadded by alice\n';
    await page.getByTestId('editor-body').fill(typed);
    await page.getByTestId('save').click();
    await expect
      .poll(() => page.getByTestId('editor-note').textContent(), WAIT)
      .toContain('waiting for a majority');
    // Proposed and accepted by alice's own acceptor (phase 2 reached it), not decided.
    await eventually('alice to accept the edit', async () => {
      const p = await alice.api.protocol({ after: 0, limit: 1 });
      return p.protocol!.acceptor.accepted > accepted ? true : undefined;
    });
    await alice.stop('SIGKILL');
    await expect.poll(() => page.getByTestId('editor-body').isDisabled(), WAIT).toBe(true);
    const note = (await page.getByTestId('editor-note').textContent()) ?? '';
    expect(note).not.toContain('not saved');
    expect(note).toContain('may still');
    expect(await page.getByTestId('pending').textContent()).toContain('may still');

    const [alice2, bob2] = await Promise.all([root.restart(alice), root.restart(bob)]);
    for (const p of [alice2, bob2]) {
      await eventually(`${p.name} to catch up`, async () =>
        caughtUp(await p.status()) ? true : undefined,
      );
    }
    await eventually('the edit to be decided', async () =>
      (await alice2.api.entry({ id })).version === 2 ? true : undefined,
    );
    expect((await alice2.api.entry({ id })).body).toBe(typed);
    await expect.poll(() => page.getByTestId('editor-body').isDisabled(), WAIT).toBe(false);
    await expect
      .poll(() => page.getByTestId('editor-note').textContent(), WAIT)
      .toContain('v2 has your text');
    expect(await page.getByTestId('editor-note').textContent()).not.toContain('while you were');
    expect(await page.getByTestId('editor-body').inputValue()).toBe(typed);
    // Nothing left to save: a save sends nothing (no conflict with itself).
    await page.getByTestId('save').click();
    expect(await page.getByTestId('editor-note').textContent()).toContain('v2 has your text');
    expect((await alice2.api.entry({ id })).version).toBe(2);
  }, 150_000);
});
