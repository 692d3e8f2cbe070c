/**
 * What the UI tests in Chromium share: the browser's path, a peer's UI address (its token in the
 * fragment) and axe-core's violations in a page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/paths.js';
import type { SynodPeer } from '../helpers/synod-cli.js';

/** Where the UI tests put their screenshots (docs/ takes some of them). */
export const SHOTS = join(ROOT, 'test-results', 'e2e');
export const CHROMIUM = process.env.SYNOD_CHROMIUM ?? '/usr/bin/chromium';
export const UI_INDEX = join(ROOT, 'packages/desktop-app/ui/js/main.js');
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // .ci/run installs it; say why the tests are skipped rather than fail obscurely.
  console.warn(`e2e: ${CHROMIUM} missing (apt-get install -y chromium): UI tests skipped`);
}

/** Chromium headless, as CI runs it (`executable`: another path, e.g. a wrapper into a netns). */
export function launchChromium(executable = CHROMIUM): Promise<Browser> {
  return chromium.launch({ executablePath: executable, args: ['--headless', '--no-sandbox'] });
}

/** The address of a peer's UI, with its token in the fragment. */
export function uiUrl(peer: SynodPeer): string {
  const token = readFileSync(join(peer.dataDir, 'api-token'), 'utf8').trim();
  return `${peer.api.baseUrl}/#token=${token}`;
}

/** axe-core's violations in a page (the rules' ids, impact and first elements). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string }[]> {
  if ((await page.evaluate('typeof axe')) === 'undefined') {
    await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  }
  return page.evaluate(`axe.run().then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
}
