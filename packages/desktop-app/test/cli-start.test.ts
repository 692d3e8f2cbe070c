/**
 * The `synod` client subcommands start fast: they load commander, the operation table and an
 * HTTP client, never the peer's heavy modules (@synod/peer's index, libp2p, SQLite, core), which
 * cost ~0.4 s of CPU on every `synod status` when one import of the client path reached them
 * (bench/cli.mjs measures the time; this checks the cause). Each subcommand runs on a data
 * directory where no peer runs, under a module hook that lists every module it loads. The
 * command is a bundle (bin/build-cli.js): the modules are its chunks, and esbuild's metafile
 * (dist/synod/meta.json) says which sources each chunk holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PKG, 'bin/synod.cjs');
const META = JSON.parse(readFileSync(join(PKG, 'dist/synod/meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};

/** The source files a loaded module holds: a chunk's inputs (absolute), or the module itself. */
function sourcesOf(module: string): string[] {
  const path = fileURLToPath(module);
  const chunk = META.outputs[path.slice(PKG.length)];
  return chunk === undefined ? [path] : Object.keys(chunk.inputs).map((i) => resolve(PKG, i));
}
const dir = mkdtempSync(join(tmpdir(), 'synod-cli-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Prints `loaded <url>` on stderr for every module resolved. */
const HOOKS = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write('loaded ' + r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

/** The modules `synod <args>` loads (outside node:), and its stderr without them. */
function modulesOf(args: string[]): { modules: string[]; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const lines = r.stderr.split('\n');
  return {
    modules: lines.filter((l) => l.startsWith('loaded file:')).map((l) => l.slice(7)),
    stderr: lines.filter((l) => !l.startsWith('loaded ')).join('\n'),
  };
}

/** The peer's packages (a workspace link resolves to packages/) and their heavy dependencies. */
const HEAVY =
  /\/packages\/(peer|core|storage-sqlite|transport-libp2p)\/|\/node_modules\/(@synod|libp2p|@libp2p|@chainsafe|@noble|better-sqlite3)\//;

describe('synod client subcommands', () => {
  it.each([
    ['status'],
    ['list'],
    ['log', '--limit', '5'],
    ['append', 'title', 'body'],
    ['edit', '1', '--body', 'x'],
    ['show', '1'],
    ['delete', '1'],
    ['invite'],
    ['join', 'synod:x'],
  ])("synod %s loads none of the peer's modules", (...args) => {
    const { modules, stderr } = modulesOf([...args, '--data', dir]);
    // It ran its command (and found no peer), so the modules of that command are in the list.
    expect(stderr).toMatch(/no peer is running/);
    const sources = modules.flatMap(sourcesOf);
    expect(sources.some((m) => m.includes('/desktop-app/dist/cli/main.js'))).toBe(true);
    expect(sources.filter((m) => HEAVY.test(m))).toEqual([]);
  });
});
