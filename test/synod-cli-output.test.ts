/**
 * What the `synod` client subcommands print, as scripts read it: output that drains whole into
 * a slow pipe (> 1 MB), `--version`, `log --limit`/`--after` with the API's own semantics, and
 * `invite --qr` drawing a QR code that a decoder reads back as the invite. One real peer
 * (`synod start`: SQLite file, libp2p on 127.0.0.1, mDNS off).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsqr from 'jsqr';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SYNOD_CLI } from './helpers/paths.js';
import { type SynodPeer, synodOk } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-output-');
let alice: SynodPeer;
const BIG = 'x'.repeat(600_000);

beforeAll(async () => {
  alice = await root.start('alice');
  await alice.api.createLog({ title: 'Output' });
  for (const title of ['one', 'two']) await alice.api.append({ title, body: BIG });
  for (let i = 0; i < 5; i++) await alice.api.append({ title: `small ${i}`, body: `body ${i}` });
}, 120_000);

/**
 * Run a subcommand whose stdout goes into a pipe read slowly (64 KiB, then a pause): what a
 * `| jq` on a busy machine does. Its output, once it exited.
 */
function throughSlowPipe(args: string[]): Promise<{ code: number | null; stdout: Buffer }> {
  const child = spawn(process.execPath, [SYNOD_CLI, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const read = (async () => {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return Promise.all([exited, read]).then(([code]) => ({ code, stdout: Buffer.concat(chunks) }));
}

describe('synod output, read by scripts', () => {
  it('more than 1 MB drains whole into a slow pipe before the command exits', async () => {
    const { code, stdout } = await throughSlowPipe(['list', '--json', '--data', alice.dataDir]);
    expect(code).toBe(0);
    expect(stdout.length).toBeGreaterThan(1_000_000);
    const list = JSON.parse(stdout.toString('utf8')) as { entries: { body: string }[] };
    expect(list.entries.filter((e) => e.body === BIG)).toHaveLength(2);
  }, 60_000);

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(join(ROOT, 'packages/desktop-app/package.json'), 'utf8'),
    ) as { version: string };
    expect((await synodOk(['--version'])).trim()).toBe(version);
  });

  it('log --limit and --after page the history as the API does (oldest first)', async () => {
    const data = alice.dataDir;
    const cases: [string[], { limit: number; after?: number }][] = [
      [['--limit', '3'], { limit: 3 }],
      [['--after', '2', '--limit', '2'], { after: 2, limit: 2 }],
    ];
    for (const [args, query] of cases) {
      const cli = JSON.parse(await synodOk(['log', '--json', '--data', data, ...args])) as {
        n: number;
      }[];
      const api = (await alice.api.history(query)).records;
      expect(cli.map((r) => r.n)).toEqual(api.map((r) => r.n));
    }
    const newest = (await alice.api.history({ limit: 3 })).records.map((r) => r.n);
    const { operations } = await alice.api.history({ limit: 1 });
    expect(newest).toEqual([operations - 2, operations - 1, operations]);
  });

  it('invite --qr draws a QR code that reads back as the invite', async () => {
    const out = (await synodOk(['invite', '--qr', '--data', alice.dataDir])).trimEnd().split('\n');
    const text = out.pop()!;
    expect(text).toMatch(/^SYNOD:[A-Z2-7]+$/);
    // Each character is two modules stacked; a block is light (drawn for a dark background).
    const modules: boolean[][] = [];
    for (const line of out) {
      const top: boolean[] = [];
      const bottom: boolean[] = [];
      for (const ch of line) {
        top.push(ch === '█' || ch === '▀');
        bottom.push(ch === '█' || ch === '▄');
      }
      modules.push(top, bottom);
    }
    const scale = 4;
    const width = modules[0]!.length * scale;
    const height = modules.length * scale;
    const pixels = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const light = modules[Math.floor(y / scale)]![Math.floor(x / scale)] ?? true;
        pixels.fill(light ? 255 : 0, (y * width + x) * 4, (y * width + x) * 4 + 3);
        pixels[(y * width + x) * 4 + 3] = 255;
      }
    }
    // jsqr is CommonJS: its function is the default export's default.
    expect(jsqr.default(pixels, width, height)?.data).toBe(text);
  });
});
