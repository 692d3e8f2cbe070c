/**
 * Another user of the machine must not read a peer's files: the database holds the log and the
 * peer's private key (docs/security.md, "Data at rest"). @synod/peer makes a new data directory
 * 0700, but a directory that already exists (`--data ~/notes`) keeps its mode, so every file in
 * it must be owner-only by itself, whatever the user's umask. Real processes: `synod init` into
 * an existing 0755 directory, `synod start` on it, a second log beside the first, a stop.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-modes-');

/** Every file and directory under `dir` that its group or others may access, with its mode. */
function opened(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) out.push(`${relative(dir, path)} ${mode.toString(8)}`);
  }
  return out.sort();
}

it('a data directory that exists already: every file the peer writes in it is owner-only', async () => {
  const data = join(root.dir, 'alice');
  mkdirSync(data);
  chmodSync(data, 0o755); // as ~/notes would be, whatever the test's umask
  await synodOk(['init', '--data', data, '--name', 'alice', '--title', 'notes']);
  const alice = await root.start('alice');
  await alice.api.append({ title: 'secret', body: 'the plan' });
  await alice.api.createLog({ logName: 'trip', title: 'trip' });
  await alice.api.append({ log: 'trip', title: 'secret too', body: '' });
  expect(opened(data)).toEqual([]);
  expect(await alice.stop('SIGTERM')).toBe(0);
  expect(opened(data)).toEqual([]);
}, 120_000);
