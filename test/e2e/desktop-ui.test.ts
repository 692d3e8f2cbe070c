/**
 * The desktop UI end to end, in Debian's Chromium (headless, through playwright-core), in
 * browser mode against three real headless peers (`synod start` processes: SQLite files in a
 * tmp dir, libp2p on 127.0.0.1, mDNS off). Each page is one peer's UI, served by that peer with
 * its token in the URL fragment.
 *
 * Create a log in the first page, invite the two others from it and join from their pages; type
 * entries in two pages and see the same order in all three; edit one entry from two pages at
 * once and see the second edit rebased onto the first (both kept); kill a peer and see it go
 * offline and the majority state change; kill a second one, write, see the write pending
 * ("waiting for a majority"), restart a peer and see it commit; watch the protocol view; boot
 * the renderer on a preload-style `window.synod` (Electron's path); rename the log, remove the
 * dead peer and leave, from the app.
 * Screenshots go to test-results/e2e/ (the README's docs/screenshot.png is one of them).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { MAX_ENTRIES, matchRoute, toHttp } from '@synod/desktop-app';
import { traceInteractions, type InteractionTiming } from './interaction-timing.js';
import type { SynodPeer } from '../helpers/synod-cli.js';
import { SynodRoot } from '../helpers/synod-root.js';
import { axeViolations, haveChromium, launchChromium, SHOTS, UI_INDEX, uiUrl } from './pages.js';

/**
 * Waits in the pages: long enough for a loaded machine (the whole file takes about a minute with
 * other test suites running beside it), short enough to fail clearly.
 */
const WAIT = { timeout: 30_000 };

/** How long a page may take to answer a join: the app's own deadline (60 s) and a margin. */
const JOIN_ANSWER_MS = 70_000;

/** The one-minute load average, printed beside each timing. */
function load1(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

describe.skipIf(!haveChromium)('desktop UI in Chromium, three headless peers', () => {
  const root = new SynodRoot('synod-e2e-');
  let browser: Browser;
  const peers: SynodPeer[] = [];
  const pages: Page[] = [];
  const pageErrors: string[] = [];
  /** Whose UI each page is (for the diagnosis). */
  const pageOf = new Map<Page, string>();

  async function openPage(peer: SynodPeer): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(`${peer.name}: ${err.message}`));
    page.on('console', (m) => {
      // Chromium logs every failed request: refusals the app handles (409 conflict) and
      // requests to a peer this test killed. Anything else logged as an error is a bug.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource:')) {
        pageErrors.push(`${peer.name} console: ${m.text()}`);
      }
    });
    await page.goto(uiUrl(peer));
    pages.push(page);
    pageOf.set(page, peer.name);
    return page;
  }

  /**
   * On a failure, what each live peer says (its output, status and last protocol messages)
   * and the notices each page shows (a failed join or write says why there). Each question
   * gets a few seconds: a stuck peer or page must not keep the rest from being printed.
   */
  function diagnoseOnFailure(): void {
    const ask = <T>(q: Promise<T>): Promise<T | string> =>
      Promise.race([
        q.catch((err: unknown) => String(err)),
        new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 2 s'), 2000)),
      ]);
    onTestFailed(async () => {
      for (const p of peers) {
        if (p.child.process.exitCode !== null || p.child.process.signalCode !== null) continue;
        const lines = p.child.lines.slice(-40).join('\n');
        const status = await ask(p.api.status());
        const proto = await ask(p.api.protocol({ after: 0, limit: 40 }).then((t) => t.trace));
        console.error(
          `e2e diagnosis, ${p.name}:\n${lines}\n${JSON.stringify(status)}\n${JSON.stringify(proto)}`,
        );
      }
      for (const [page, name] of pageOf) {
        if (page.isClosed()) continue;
        const notices = await ask(page.getByTestId('notice').allTextContents());
        console.error(`e2e diagnosis, ${name}'s page: notices ${JSON.stringify(notices)}`);
      }
    }, 60_000);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  /** The entry titles a page shows, in its order (the list is virtualized: the rows in view). */
  async function titles(page: Page): Promise<string[]> {
    return page.getByTestId('entry-title').allTextContents();
  }

  /** Whether a page lists an entry with this title (searched for, then the search cleared). */
  async function lists(page: Page, title: string): Promise<boolean> {
    await page.getByTestId('search').fill(title);
    const found = (await titles(page)).includes(title);
    await page.getByTestId('search').fill('');
    return found;
  }

  /** The title and text the editor shows once it says it has entry `id` open. */
  async function editorShows(page: Page, id: number): Promise<{ title: string; body: string }> {
    await expect.poll(() => page.locator('#editor h2').textContent(), WAIT).toBe(`Editor · #${id}`);
    return {
      title: await page.getByTestId('editor-title').inputValue(),
      body: await page.getByTestId('editor-body').inputValue(),
    };
  }

  /** The invites read so far: each is single-use, so the page must never show one again. */
  const invitesRead = new Set<string>();

  async function invite(from: Page): Promise<string> {
    await from.getByTestId('invite').click();
    const box = from.getByTestId('invite-text');
    await box.waitFor(WAIT);
    const text = await box.inputValue();
    expect(text).toMatch(/^synod:/);
    expect(invitesRead.has(text), 'the page showed an invite already handed out').toBe(false);
    invitesRead.add(text);
    return text;
  }

  /**
   * Join from `page` with an invite, through the setup view; resolves once the page shows the
   * log. A join that fails shows an error notice (for a few seconds only): fail with its words
   * at once, and with the joining peer's status. The app answers a join within its own
   * deadline (the transport's joinTimeoutMs, 60 s, then "join failed: …"): wait a little
   * longer than that, so that a join that fails is told in the app's words, not by this test's
   * clock. (A join here takes 0.4-2.6 s at load 10-18.)
   */
  async function joinLog(page: Page, text: string, peer: SynodPeer): Promise<void> {
    await page.getByTestId('join-invite').fill(text);
    await page.getByTestId('join').click();
    const joined = page.getByTestId('log-title');
    const failed = page.locator('[data-testid="notice"].error');
    try {
      await joined.or(failed).first().waitFor({ timeout: JOIN_ANSWER_MS });
      if (await joined.isVisible()) return;
    } catch (err) {
      console.error(`e2e: ${peer.name}'s page showed no answer to its join: ${String(err)}`);
    }
    const notices = await page.getByTestId('notice').allTextContents();
    const status = await peer.api.status().catch((err: unknown) => String(err));
    throw new Error(
      `${peer.name} did not join: its page's notices ${JSON.stringify(notices)}; its status ${JSON.stringify(status)}`,
    );
  }

  async function add(page: Page, title: string, body: string): Promise<void> {
    await page.getByTestId('new-title').fill(title);
    await page.getByTestId('new-body').fill(body);
    await page.getByTestId('add').click();
  }

  beforeAll(async () => {
    if (!existsSync(UI_INDEX)) throw new Error(`${UI_INDEX} missing: run npm run build first`);
    mkdirSync(SHOTS, { recursive: true });
    const [a, b, c] = await Promise.all(['alice', 'bob', 'carol'].map((n) => root.start(n)));
    peers.push(a!, b!, c!);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  it('creates a log, invites two peers, orders entries typed in two pages the same everywhere', async () => {
    diagnoseOnFailure();
    const [alice, bob, carol] = peers as [SynodPeer, SynodPeer, SynodPeer];
    const a = await openPage(alice);
    await a.getByTestId('setup').waitFor(WAIT);
    await shot(a, '1-first-run');
    await a.getByTestId('create-title').fill('Team notes');
    await a.getByTestId('create').click();
    await expect.poll(() => a.getByTestId('log-title').textContent(), WAIT).toBe('Team notes');

    const b = await openPage(bob);
    const c = await openPage(carol);
    await joinLog(b, await invite(a), bob);
    await joinLog(c, await invite(a), carol);

    // Every page sees three members online and a majority.
    for (const p of [a, b, c]) {
      await expect
        .poll(() => p.locator('[data-testid="peer"][data-online="true"]').count(), WAIT)
        .toBe(3);
      await expect
        .poll(() => p.getByTestId('majority').textContent(), WAIT)
        .toContain('3 of 3 peers reachable, need 2');
    }

    // Entries typed in two pages, interleaved, without waiting for each other.
    await Promise.all([
      (async () => {
        for (const t of ['alice 1', 'alice 2', 'alice 3']) await add(a, t, `${t}: text`);
      })(),
      (async () => {
        for (const t of ['bob 1', 'bob 2', 'bob 3']) await add(b, t, `${t}: text`);
      })(),
    ]);
    for (const p of [a, b, c]) {
      await expect.poll(async () => (await titles(p)).length, WAIT).toBe(6);
    }
    const order = await titles(a);
    expect(await titles(b)).toEqual(order);
    expect(await titles(c)).toEqual(order);
    // Each page's own entries stay in the order typed.
    expect(order.filter((t) => t.startsWith('alice'))).toEqual(['alice 1', 'alice 2', 'alice 3']);
    expect(order.filter((t) => t.startsWith('bob'))).toEqual(['bob 1', 'bob 2', 'bob 3']);
    // The history shows the same decided order (slot, author, operation) in every page.
    // (Each page reads its history when it hears of new slots: wait until all six show.)
    const rows = (p: Page) => p.getByTestId('history-row').allTextContents();
    const appendsOf = async (p: Page) =>
      (await rows(p)).filter((r) => r.includes('append')).map((r) => r.replace(/\d\d:\d\d.*$/, ''));
    for (const p of [a, b, c]) {
      await expect.poll(async () => (await appendsOf(p)).length, WAIT).toBe(6);
    }
    expect(await appendsOf(b)).toEqual(await appendsOf(a));
    expect(await appendsOf(c)).toEqual(await appendsOf(a));
    // And the peer itself agrees (a linearizable read through the API).
    const listed = await carol.api.entries();
    expect(listed.entries.map((e) => e.title)).toEqual(order);
  }, 200_000);

  it('edits the same entry from two pages: the later edit is rebased, both kept', async () => {
    diagnoseOnFailure();
    const [a, b, c] = pages as [Page, Page, Page];
    const [alice] = peers as [SynodPeer];
    const id = (await alice.api.entries()).entries.find((e) => e.title === 'alice 1')!.id;
    const open = async (p: Page) => {
      await p.locator(`[data-testid="entry"][data-id="${id}"]`).click();
      await expect
        .poll(() => p.getByTestId('editor-body').inputValue(), WAIT)
        .toBe('alice 1: text');
    };
    await open(a);
    await open(b);
    // Both start from v1; alice saves first, bob is still typing.
    await a.getByTestId('editor-body').fill('alice 1: text, edited by alice');
    await b.getByTestId('editor-body').fill('bob was here. alice 1: text');
    await a.getByTestId('save').click();
    await expect
      .poll(() => a.getByTestId('editor-note').textContent(), WAIT)
      .toContain('saved as v2');
    // Bob's page is told the entry changed under his edit.
    await expect
      .poll(() => b.getByTestId('editor-note').textContent(), WAIT)
      .toContain('while you were editing');
    await b.getByTestId('save').click();
    await expect
      .poll(() => b.getByTestId('editor-note').textContent(), WAIT)
      .toContain('your edit was rebased');
    const merged = 'bob was here. alice 1: text, edited by alice';
    await expect.poll(() => b.getByTestId('editor-body').inputValue(), WAIT).toBe(merged);
    await expect.poll(() => a.getByTestId('editor-body').inputValue(), WAIT).toBe(merged);
    expect((await alice.api.entry({ id })).body).toBe(merged);
    await c.locator(`[data-testid="entry"][data-id="${id}"]`).click();
    await expect.poll(() => c.getByTestId('editor-body').inputValue(), WAIT).toBe(merged);
    await expect
      .poll(async () => (await c.getByTestId('history-row').allTextContents()).join('\n'), WAIT)
      .toMatch(/edit #\d+ → v3 .*rebased/);
    await shot(b, '2-rebased-edit');

    // An edit too far behind to rebase (more changes since than each entry keeps): a conflict,
    // shown, and the text typed is kept in the editor, to save over the current version.
    const other = (await alice.api.entries()).entries.find((e) => e.title === 'bob 1')!;
    await b.locator(`[data-testid="entry"][data-id="${other.id}"]`).click();
    await expect.poll(() => b.getByTestId('editor-body').inputValue(), WAIT).toBe(other.body);
    const mine = 'bob rewrote this while offline-ish';
    await b.getByTestId('editor-body').fill(mine);
    const { results } = await alice.api.editMany({
      id: other.id,
      edits: Array.from({ length: 70 }, (_, i) => ({
        version: other.version + i,
        patches: [[other.body.length + i, 0, '.']],
      })),
    });
    expect(results.every((r) => r.ok)).toBe(true);
    await expect
      .poll(() => b.getByTestId('editor-note').textContent(), WAIT)
      .toContain('while you were editing');
    await b.getByTestId('save').click();
    await expect
      .poll(() => b.getByTestId('editor-note').textContent(), WAIT)
      .toContain('your edit could not be merged');
    expect(await b.getByTestId('editor-body').inputValue()).toBe(mine);
    expect(await b.getByTestId('conflict-theirs').textContent()).toBe(other.body + '.'.repeat(70));
    await shot(b, '2b-conflict-kept');
    await b.getByTestId('save').click();
    await expect.poll(() => b.getByTestId('editor-note').textContent(), WAIT).toContain('saved as');
    expect((await alice.api.entry({ id: other.id })).body).toBe(mine);
  }, 90_000);

  it('Friday to Monday and to Tuesday at once: a conflict (API and UI), never "TuesMonday"; an edit in two places keeps the edit between them', async () => {
    diagnoseOnFailure();
    const [a, b] = pages as [Page, Page, Page];
    const [alice, bob] = peers as [SynodPeer, SynodPeer];
    // Through the API: two edits of the same word, made against the same version.
    const base = 'Meeting on Friday at 10.';
    const made = await alice.api.append({ title: 'friday (api)', body: base });
    const monday = await alice.api.edit({
      id: made.id,
      version: 1,
      patches: [[11, 3, 'Mon']],
      rebase: true,
    });
    expect(monday).toEqual({ version: 2, rebased: false });
    await expect(
      bob.api.edit({ id: made.id, version: 1, patches: [[11, 3, 'Tues']], rebase: true }),
    ).rejects.toMatchObject({ code: 'conflict', details: { version: 2 } });
    expect((await bob.api.entry({ id: made.id })).body).toBe('Meeting on Monday at 10.');

    // Through the UI: alice and bob open the same entry and change the same word.
    const friday = await alice.api.append({ title: 'friday', body: base });
    const open = async (p: Page, id: number, body: string) => {
      await p.getByTestId('search').fill('');
      await expect.poll(async () => (await titles(p)).length, WAIT).toBeGreaterThan(0);
      await p.locator(`[data-testid="entry"][data-id="${id}"]`).click();
      await expect.poll(() => p.getByTestId('editor-body').inputValue(), WAIT).toBe(body);
    };
    await expect.poll(async () => await lists(b, 'friday'), WAIT).toBe(true);
    await open(a, friday.id, base);
    await open(b, friday.id, base);
    await a.getByTestId('editor-body').fill('Meeting on Monday at 10.');
    await b.getByTestId('editor-body').fill('Meeting on Tuesday at 10.');
    await a.getByTestId('save').click();
    await expect
      .poll(() => a.getByTestId('editor-note').textContent(), WAIT)
      .toContain('saved as v2');
    await b.getByTestId('save').click();
    await expect
      .poll(() => b.getByTestId('editor-note').textContent(), WAIT)
      .toContain('could not be merged');
    // Bob's typed text stays in the editor, beside the current one.
    expect(await b.getByTestId('editor-body').inputValue()).toBe('Meeting on Tuesday at 10.');
    expect(await b.getByTestId('conflict-theirs').textContent()).toBe('Meeting on Monday at 10.');
    expect((await alice.api.entry({ id: friday.id })).body).toBe('Meeting on Monday at 10.');
    await shot(b, '2c-friday-conflict');

    // Two places: alice changes lines one and five while bob appends to line three.
    const lines = 'one\ntwo\nthree\nfour\nfive\n';
    const two = await alice.api.append({ title: 'two places', body: lines });
    await expect.poll(async () => await lists(b, 'two places'), WAIT).toBe(true);
    await open(a, two.id, lines);
    await open(b, two.id, lines);
    await a.getByTestId('editor-body').fill('ONE\ntwo\nthree\nfour\nFIVE\n');
    await b.getByTestId('editor-body').fill('one\ntwo\nthree and more\nfour\nfive\n');
    await a.getByTestId('save').click();
    await expect
      .poll(() => a.getByTestId('editor-note').textContent(), WAIT)
      .toContain('saved as v2');
    await b.getByTestId('save').click();
    const both = 'ONE\ntwo\nthree and more\nfour\nFIVE\n';
    await expect.poll(() => b.getByTestId('editor-body').inputValue(), WAIT).toBe(both);
    await expect.poll(() => a.getByTestId('editor-body').inputValue(), WAIT).toBe(both);
    expect((await bob.api.entry({ id: two.id })).body).toBe(both);
  }, 90_000);

  it('shows a killed peer offline, the majority state, and a pending write that commits when a majority returns', async () => {
    diagnoseOnFailure();
    const [a] = pages as [Page, Page, Page];
    const [alice, bob, carol] = peers as [SynodPeer, SynodPeer, SynodPeer];
    await carol.stop('SIGKILL');
    await expect
      .poll(() => a.locator('[data-testid="peer"][data-online="false"]').allTextContents(), WAIT)
      .toEqual([expect.stringContaining('carol')]);
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('2 of 3 peers reachable, need 2');
    expect(await a.getByTestId('majority').textContent()).toContain('Majority reachable');
    await shot(a, '3-peer-offline');

    // Without bob too, alice has no majority: a write waits, and says so. Bob's own tab has
    // lost its peer: every peer unknown (itself included), editing disabled.
    const b = pages[1]!;
    await b.locator(`[data-testid="entry"]`).first().click();
    await bob.stop('SIGKILL');
    await expect
      .poll(() => b.locator('[data-testid="peer"][data-online="unknown"]').count(), WAIT)
      .toBe(3);
    expect(await b.locator('[data-testid="peer"][data-online="true"]').count()).toBe(0);
    expect(await b.getByTestId('editor-body').isDisabled()).toBe(true);
    expect(await b.getByTestId('majority').textContent()).toContain('Lost the link');
    await shot(b, '4b-link-lost');
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('1 of 3 peers reachable, need 2');
    await add(a, 'written alone', 'pending until a majority returns');
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('waiting for a majority: your edit is pending');
    await expect
      .poll(() => a.getByTestId('pending').textContent(), WAIT)
      .toContain('written alone');
    await shot(a, '4-no-majority-pending');

    // Bob comes back: the write commits, in every peer's log.
    const bob2 = await root.restart(bob);
    peers[1] = bob2;
    await expect.poll(async () => await lists(a, 'written alone'), { timeout: 40_000 }).toBe(true);
    await expect.poll(() => a.getByTestId('pending').textContent(), WAIT).toContain('None');
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('2 of 3 peers reachable, need 2');
    await expect
      .poll(async () => (await bob2.api.entries()).entries.map((e) => e.title), WAIT)
      .toContain('written alone');
    // Bob's peer kept its port and token (remembered in its data directory): the open tab
    // reconnects by itself, and tells the truth again.
    expect(bob2.api.baseUrl).toBe(bob.api.baseUrl);
    await expect
      .poll(() => b.locator('[data-testid="peer"][data-online="true"]').count(), WAIT)
      .toBeGreaterThanOrEqual(2);
    await expect.poll(() => b.getByTestId('editor-body').isDisabled(), WAIT).toBe(false);
    await expect.poll(async () => await lists(b, 'written alone'), WAIT).toBe(true);
    expect((await alice.api.entries()).entries.map((e) => e.title)).toContain('written alone');
  }, 120_000);

  it('draws the protocol live: each peer’s acceptor, leader and replica, and messages', async () => {
    diagnoseOnFailure();
    const [a] = pages as [Page, Page, Page];
    await a.getByTestId('tab-protocol').click();
    await expect.poll(() => a.getByTestId('proto-card').count(), WAIT).toBe(3);
    await expect.poll(() => a.locator('#proto-log tr').count(), WAIT).toBeGreaterThan(0);
    const self = await a.getByTestId('proto-card').first().textContent();
    expect(self).toMatch(/ballot_num/);
    expect(self).toMatch(/slot_in/);
    expect(self).toMatch(/slot_out/);
    expect(self).toMatch(/proposals/);
    expect(self).toMatch(/accepted/);
    await shot(a, '5-protocol');
    await a.getByTestId('tab-log').click();
    await a.getByTestId('entries').waitFor(WAIT);
    await shot(a, 'screenshot');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('runs the same renderer on a preload-style window.synod (the Electron path)', async () => {
    diagnoseOnFailure();
    const [alice] = peers as [SynodPeer];
    const token = readFileSync(join(alice.dataDir, 'api-token'), 'utf8').trim();
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(`electron-path: ${err.message}`));
    // What src/electron/preload.cts exposes: one function per method, answering BridgeResult
    // data (never rejecting), and subscribe. Here it forwards to the local API instead of IPC.
    await page.addInitScript((tok: string) => {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(path, {
          method,
          headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const data = (await res.json()) as { error?: { code: string; message: string } };
        return res.ok
          ? { ok: true, value: data }
          : { ok: false, error: data.error ?? { code: 'http', message: String(res.status) } };
      };
      const calls: string[] = [];
      (globalThis as unknown as { synodCalls: string[] }).synodCalls = calls;
      (globalThis as unknown as { synod: unknown }).synod = {
        logs: () => (calls.push('logs'), call('GET', '/api/logs')),
        status: () => (calls.push('status'), call('GET', '/api/status')),
        entries: () => (calls.push('entries'), call('GET', '/api/entries?read=local&deleted=true')),
        history: (r?: { after?: number }) => (
          calls.push('history'),
          call('GET', `/api/history?read=local&after=${r?.after ?? 0}&limit=1000`)
        ),
        discovered: () => call('GET', '/api/discovered'),
        protocol: () => call('GET', '/api/protocol'),
        subscribe: () => () => undefined,
      };
    }, token);
    // No token in the URL: the page must not need one when window.synod is there.
    await page.goto(`${alice.api.baseUrl}/`);
    await expect.poll(() => page.getByTestId('entry-title').count(), WAIT).toBeGreaterThan(5);
    expect(await page.getByTestId('log-title').textContent()).toBe('Team notes');
    const calls = await page.evaluate(
      () => (globalThis as unknown as { synodCalls: string[] }).synodCalls,
    );
    expect(calls).toEqual(expect.arrayContaining(['logs', 'status', 'entries', 'history']));
    await page.close();
  }, 60_000);

  it('renames the log, removes the dead peer and leaves, from the app', async () => {
    diagnoseOnFailure();
    const [a] = pages as [Page, Page, Page];
    const [alice, bob] = peers as [SynodPeer, SynodPeer];
    await a.getByTestId('log-title').click();
    await a.getByTestId('rename-log').fill('Team notes, renamed');
    await a.getByTestId('rename-log').press('Enter');
    await expect
      .poll(async () => (await bob.api.entries({ read: 'local' })).title, WAIT)
      .toBe('Team notes, renamed');
    await expect
      .poll(() => a.getByTestId('log-title').textContent(), WAIT)
      .toBe('Team notes, renamed');

    // Remove carol (dead since the previous test): two clicks, then the membership shrinks.
    // The first is held down while the list redraws (it does every second): a click across a
    // redraw still counts (Chromium drops one whose button was replaced meanwhile).
    const carolRow = a.locator('[data-testid="peer"]', { hasText: 'carol' });
    const remove = carolRow.getByTestId('remove-peer');
    const at = (await remove.boundingBox())!;
    await carolRow.locator('.dot').evaluate((dot: { setAttribute(n: string, v: string): void }) => {
      dot.setAttribute('data-drawn-before', '');
    });
    await a.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
    await a.mouse.down();
    await expect.poll(() => carolRow.locator('.dot[data-drawn-before]').count(), WAIT).toBe(0);
    await a.mouse.up();
    await expect.poll(() => remove.textContent(), WAIT).toBe('Really remove?');
    await remove.click();
    await expect.poll(() => a.getByTestId('peer').count(), { timeout: 60_000 }).toBe(2);
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('2 of 2 peers reachable, need 2');

    // Bob leaves from his own page (served by his restarted process).
    const b2 = await openPage(bob);
    await b2.getByTestId('leave').click();
    await b2.getByTestId('leave').click();
    await b2.getByTestId('setup').waitFor({ timeout: 60_000 });
    await expect.poll(() => a.getByTestId('peer').count(), WAIT).toBe(1);
    await expect
      .poll(() => a.getByTestId('majority').textContent(), WAIT)
      .toContain('1 of 1 peer reachable, need 1');
    // Alice alone is a majority: she still writes.
    await add(a, 'after the others', 'alone and committed');
    await expect.poll(async () => await lists(a, 'after the others'), WAIT).toBe(true);
    expect((await alice.api.entries()).entries.map((e) => e.title)).toContain('after the others');
    expect(pageErrors).toEqual([]);
  }, 150_000);
  it('scales to 10,000 entries: search and open answer in < 50 ms; export; no serious accessibility violations', async () => {
    diagnoseOnFailure();
    const [a] = pages as [Page, Page, Page];
    const [alice] = peers as [SynodPeer];
    const have = (await alice.api.entries({ read: 'local', deleted: true })).entries.length;
    // Fill the log to its limit (deleted entries count too), many appends in flight at once
    // (alice is the only member left by now: her own acceptor is the majority), while her page
    // is open and follows them. node:http rather than the API client's fetch: fetch costs the
    // test process twice the CPU the peer spends per append (measured in issue 15's note).
    // SYNOD_E2E_ENTRIES overrides the count (the log's limit, 10,000, by default).
    const target = Number(process.env.SYNOD_E2E_ENTRIES ?? MAX_ENTRIES);
    const todo = Array.from({ length: Math.max(0, target - have) }, (_, i) => i);
    const started = Date.now();
    // The page draws what arrives paced (renderer/paced.ts: at most every 200 ms while it keeps
    // coming), so it reads the new history a few times a second however many batches arrive
    // (drawn at every frame it read once per batch: 209-263 reads in a 20-32 s load).
    let historyReads = 0;
    const countHistoryRead = (r: Request) => {
      const route = matchRoute(r.method(), new URL(r.url()).pathname);
      if (route.found && route.name === 'history') historyReads++;
    };
    a.on('request', countHistoryRead);
    for (let i = 0; i < todo.length; i += 200) {
      await Promise.all(
        todo.slice(i, i + 200).map((k) =>
          alice.post(toHttp('append').path, {
            title: `note ${k}`,
            body: `line ${k} of the bulk load`,
            timeoutMs: 120_000,
          }),
        ),
      );
    }
    const loadMs = Date.now() - started;
    a.off('request', countHistoryRead);
    console.log(
      `e2e: ${todo.length} appends in ${loadMs} ms (load ${load1()}); the page read the history ${historyReads} times`,
    );
    expect(historyReads).toBeLessThanOrEqual(Math.ceil(loadMs / 200) + 20);
    // The page followed them (applied events, drawn paced): it counts every one, unreloaded;
    // and a reload (the whole log read at once) shows the same.
    const live = (await alice.api.entries({ read: 'local' })).entries.length;
    expect(live).toBeGreaterThan(target * 0.9);
    const counted = () => a.locator('.entries-foot').textContent();
    await expect.poll(counted, { timeout: 60_000 }).toMatch(new RegExp(`^${live} entries`));
    await a.reload();
    await expect.poll(counted, { timeout: 60_000 }).toMatch(new RegExp(`^${live} entries`));
    // Only the rows in view exist in the page.
    expect(await a.getByTestId('entry').count()).toBeLessThan(60);
    // Timed by Chromium's trace (interaction-timing.ts): real keystrokes typing a search and
    // erasing it, twice, then typing it again and opening three entries. Each must cost the
    // page < 50 ms of CPU from the event until the frame that shows its result is painted
    // (handlers, style, layout, paint; as INP counts it). The wall-clock figures are printed
    // beside the load average: on this 2-core machine at load 20-30 the page gets a fraction
    // of a core, so they measure the machine as much as the UI.
    const search = a.getByTestId('search');
    await search.click();
    // What each click opened: the row clicked (its id and title) and what the editor showed.
    const opened: { id: number; row: string; title: string; body: string }[] = [];
    const timings = await traceInteractions(a, async () => {
      for (let round = 0; round < 2; round++) {
        await a.keyboard.type('note 421', { delay: 60 });
        for (let k = 0; k < 'note 421'.length; k++) {
          await a.keyboard.press('Backspace', { delay: 60 });
        }
      }
      await a.keyboard.type('note 421', { delay: 60 });
      for (let k = 0; k < 3; k++) {
        const row = a.getByTestId('entry').nth(k);
        const id = Number(await row.getAttribute('data-id'));
        const rowTitle = (await row.getByTestId('entry-title').textContent()) ?? '';
        await row.click();
        opened.push({ id, row: rowTitle, ...(await editorShows(a, id)) });
      }
    });
    const TYPED = 3 * 'note 421'.length + 2 * 'note 421'.length;
    const keys = timings.filter((t) => t.kind === 'keydown');
    expect(keys.length).toBe(TYPED);
    const opens = timings.filter((t) => t.kind === 'click');
    expect(opens.length).toBe(3);
    // Each was followed by a painted frame (else the trace's names changed: nothing measured).
    expect([...keys, ...opens].filter((t) => !t.painted)).toEqual([]);
    const ms = (xs: readonly InteractionTiming[], f: (t: InteractionTiming) => number) =>
      xs.map((t) => f(t).toFixed(1)).join(', ');
    console.log(
      `e2e: ${target} entries (load ${load1()}): search keystrokes cpu ${ms(keys, (t) => t.cpuMs)} ms; wall ${ms(keys, (t) => t.wallMs)} ms; open cpu ${ms(opens, (t) => t.cpuMs)} ms; wall ${ms(opens, (t) => t.wallMs)} ms`,
    );
    expect(Math.max(...[...keys, ...opens].map((t) => t.cpuMs))).toBeLessThan(50);
    // Each click opened the entry of the row clicked, one of the search's matches, with its
    // own text as the peer holds it (every bulk entry's text is distinct: another entry's
    // would differ); three different rows, three different entries.
    expect(new Set(opened.map((o) => o.id)).size).toBe(3);
    for (const o of opened) {
      const held = await alice.api.entry({ id: o.id, read: 'local' });
      expect(o.row).toMatch(/^note 421\d*$/);
      expect({ title: o.title, body: o.body }).toEqual({ title: held.title, body: held.body });
      expect(o.title).toBe(o.row);
      expect(o.body).toBe(`line ${o.row.slice('note '.length)} of the bulk load`);
    }
    // Keyboard: the list is one tab stop; arrows move, Enter opens the active row.
    await a.getByTestId('search').fill('note 42');
    await a.getByTestId('entries').focus();
    await a.keyboard.press('ArrowDown');
    const active = await a.getByTestId('entries').getAttribute('aria-activedescendant');
    const activeRow = a.locator(`#${active ?? 'none'}`);
    const activeId = Number(await activeRow.getAttribute('data-id'));
    const activeTitle = (await activeRow.getByTestId('entry-title').textContent()) ?? '';
    expect(activeTitle).toMatch(/^note 42\d*$/);
    await a.keyboard.press('Enter');
    expect(await editorShows(a, activeId)).toEqual({
      title: activeTitle,
      body: `line ${activeTitle.slice('note '.length)} of the bulk load`,
    });
    // Export: Markdown and JSON files of the entries.
    const [md] = await Promise.all([
      a.waitForEvent('download'),
      a.getByTestId('export-md').click(),
    ]);
    expect(md.suggestedFilename()).toBe('synod-log.md');
    const [json] = await Promise.all([
      a.waitForEvent('download'),
      a.getByTestId('export-json').click(),
    ]);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as unknown[];
    expect(exported.length).toBeGreaterThan(target * 0.9);
    await a.getByTestId('search').fill('');
    await shot(a, '6-ten-thousand');
    // axe-core, in the page, in light and dark mode: no serious or critical violation.
    for (const colorScheme of ['light', 'dark'] as const) {
      await a.emulateMedia({ colorScheme });
      const violations = await axeViolations(a);
      console.log(`e2e: axe violations (${colorScheme}) ${JSON.stringify(violations)}`);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        [],
      );
    }
    await a.emulateMedia({ colorScheme: 'light' });
  }, 240_000);

  it('a new peer joins the 10,000-entry log and draws its catch-up; asleep and awake', async () => {
    diagnoseOnFailure();
    const [a] = pages as [Page];
    const dave = await root.start('dave');
    peers.push(dave);
    const d = await openPage(dave);
    await d.getByTestId('setup').waitFor(WAIT);
    const setupViolations = await axeViolations(d);
    console.log(`e2e: axe violations (setup) ${JSON.stringify(setupViolations)}`);
    expect(
      setupViolations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    ).toEqual([]);
    // Every text the catch-up element shows, however briefly (a string: no DOM types here).
    await d.evaluate(`(() => {
      window.catchupSeen = [];
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="catchup"]');
        if (el !== null && !el.hidden) window.catchupSeen.push(el.textContent);
        const banner = document.querySelector('[data-testid="majority"]');
        if (banner !== null) window.catchupSeen.push(banner.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    await joinLog(d, await invite(a), dave);
    const count = (p: Page) => p.locator('.entries-foot').textContent();
    await a.getByTestId('search').fill('');
    const all = await count(a);
    expect(all).toMatch(/^\d{4,5} entries/);
    await expect.poll(() => count(d), { timeout: 90_000 }).toBe(all);
    const seen = await d.evaluate<string[]>('window.catchupSeen');
    console.log(
      `e2e: catch-up texts seen after the join: ${JSON.stringify([...new Set(seen)].filter((t) => /Joining|Catching/.test(t)))}`,
    );
    expect(seen.some((t) => /Joining|Catching up/.test(t))).toBe(true);
    await shot(d, '7-joined-caught-up');

    // Sleep (what Electron's powerMonitor calls): the page says so; wake: back, and writing.
    await dave.api.suspend();
    await expect.poll(() => d.getByTestId('majority').textContent(), WAIT).toContain('Asleep');
    await expect.poll(() => a.getByTestId('majority').textContent(), WAIT).toContain('No majority');
    await dave.api.resume();
    await expect
      .poll(() => d.getByTestId('majority').textContent(), { timeout: 60_000 })
      .toContain('Majority reachable');
    const first = (await dave.api.entries({ read: 'local' })).entries[0]!;
    await peers[0]!.api.edit({
      id: first.id,
      version: first.version,
      patches: [[0, 0, 'awake: ']],
    });
    await d.getByTestId('search').fill(first.title);
    await d.locator(`[data-testid="entry"][data-id="${first.id}"]`).click();
    await expect.poll(() => d.getByTestId('editor-body').inputValue(), WAIT).toMatch(/^awake: /);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
