/**
 * The examples/shared-counter program, run for real: two processes, real SQLite files, libp2p
 * on 127.0.0.1 with mDNS off. Alice creates the log and prints an invite; Bob joins with it;
 * numbers typed at either end give the same totals at both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Child } from './helpers/child.js';
import { COUNTER_EXAMPLE } from './helpers/paths.js';

const root = mkdtempSync(join(tmpdir(), 'synod-counter-'));
const children: Child[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  rmSync(root, { recursive: true, force: true });
});

function counter(name: string, extra: string[] = []): Child {
  const c = new Child(name, process.execPath, [
    COUNTER_EXAMPLE,
    '--data',
    join(root, name),
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
    '--no-mdns',
    ...extra,
  ]);
  children.push(c);
  return c;
}

describe('examples/shared-counter', () => {
  it('two peers add numbers and see the same totals; a restarted peer keeps its state', async () => {
    const alice = counter('alice');
    const invite = (await alice.waitFor(/^invite (synod:\S+)$/))[1]!;
    const bob = counter('bob', ['--join', invite]);
    await bob.waitFor(/^peer \S+ of log/);

    alice.write('5');
    expect((await alice.waitFor(/^ok (\d+)$/))[1]).toBe('5');
    bob.write('7');
    expect((await bob.waitFor(/^ok (\d+)$/))[1]).toBe('12');
    await alice.waitFor(/^total 12 /);
    bob.write('not a number');
    expect((await bob.waitFor(/^error (.*)$/))[1]).toContain('not an integer');

    // Stop Bob gracefully and start him again from his directory: no invite, same total.
    expect((await bob.kill('SIGTERM')).code).toBe(0);
    const bob2 = counter('bob');
    await bob2.waitFor(/^peer \S+ of log/);
    bob2.write('1');
    expect((await bob2.waitFor(/^ok (\d+)$/))[1]).toBe('13');
    await alice.waitFor(/^total 13 /);
  }, 60_000);
});
