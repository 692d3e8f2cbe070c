/**
 * Another user of the machine listens on the port where a peer's local API was (any local user
 * may bind a free 127.0.0.1 port). A peer that crashed leaves its endpoint file behind
 * (api.json: not removed, see docs/security.md), and a `synod` client command must not send the
 * token there: the token is kept across restarts, so whoever holds it drives the peer's API
 * once the peer is back (reads the log, makes invites). Real processes: a `synod start`
 * SIGKILLed, a squatter on its port, the real CLI.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
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
