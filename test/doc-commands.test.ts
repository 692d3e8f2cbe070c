/**
 * The shell commands of the docs, checked against the programs they name, so that a renamed
 * subcommand, option or npm script cannot leave a README behind (the TypeScript blocks are
 * test/pack's). Every ```sh block of every tracked .md file is read, and in it:
 *
 *   npx synod SUB --opt …   SUB is a subcommand of `synod`, each --opt one of `synod SUB --help`
 *   npm start -- …          the launcher parses the arguments (desktop/launch-options.ts)
 *   npm run S [-w W] -- …   S is a script of the root's (or workspace W's) package.json; for
 *                           `sim` and `sim:soak`, each --opt one of `npm run sim -- --help`
 *
 * The commands are not run: they start peers, Electron or hour-long soaks.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchArgs } from '../packages/desktop-app/src/desktop/launch-options.js';
import { ROOT, SYNOD_CLI } from './helpers/paths.js';

interface ShellCommand {
  /** `doc:line` of the command's first line. */
  readonly where: string;
  readonly words: readonly string[];
}

/** The text before a `#` comment that is outside quotes. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** The commands of one line: `$(…)` substitutions taken out, then split at && | ;. */
function commandsOf(line: string): string[] {
  const inner: string[] = [];
  const outer = line.replace(/\$\(([^()]*)\)/g, (_, cmd: string) => {
    inner.push(cmd);
    return 'SUBSTITUTED';
  });
  return [...inner, ...outer.split(/&&|\|\||[|;]/)];
}

/** Every command of every ```sh block of the Markdown files git tracks. */
function shellCommands(): ShellCommand[] {
  const docs = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && !f.includes('node_modules/'));
  const out: ShellCommand[] = [];
  for (const doc of docs) {
    const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
    let inSh = false;
    for (let i = 0; i < lines.length; i++) {
      const fence = /^\s*```(\w*)\s*$/.exec(lines[i]!);
      if (fence !== null) {
        inSh = !inSh && fence[1] === 'sh';
        continue;
      }
      if (!inSh) continue;
      const first = i;
      let line = withoutComment(lines[i]!);
      while (/\\\s*$/.test(line) && i + 1 < lines.length) {
        line = line.replace(/\\\s*$/, ' ') + withoutComment(lines[++i]!);
      }
      for (const cmd of commandsOf(line)) {
        const words = (cmd.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) =>
          /^(["']).*\1$/.test(w) ? w.slice(1, -1) : w,
        );
        if (words.length > 0) out.push({ where: `${doc}:${first + 1}`, words });
      }
    }
  }
  return out;
}

/** The long options a usage text lists (`--no-mdns` included as written). */
function optionsOf(help: string): Set<string> {
  return new Set(help.match(/--[a-z][a-z-]*/g) ?? []);
}

const synodHelp = (args: string[]) =>
  execFileSync(process.execPath, [SYNOD_CLI, ...args, '--help'], { encoding: 'utf8' });

function packageScripts(dir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts ?? {};
}

/** Workspace name -> its directory, e.g. @synod/desktop-app -> packages/desktop-app. */
function workspaces(): Map<string, string> {
  const dirs = execFileSync('git', ['ls-files', 'packages/*/package.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.replace(/\/package\.json$/, ''));
  const names = dirs.map(
    (d) =>
      (JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')) as { name: string }).name,
  );
  return new Map(names.map((n, i) => [n, dirs[i]!]));
}

/** The words after `--` (the arguments npm passes on to the script). */
function passedOn(words: readonly string[]): string[] {
  const i = words.indexOf('--');
  return i < 0 ? [] : words.slice(i + 1);
}

const longOptions = (words: readonly string[]) =>
  words.filter((w) => w.startsWith('--') && w !== '--').map((w) => w.split('=')[0]!);

const commands = shellCommands();

describe('the shell commands of the docs', () => {
  it('every `npx synod` names a subcommand and its options', () => {
    const uses = commands.filter((c) => c.words[0] === 'npx' && c.words[1] === 'synod');
    expect(uses.length).toBeGreaterThan(10);
    const subcommands = new Set(
      [...synodHelp([]).matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!),
    );
    const helps = new Map<string, Set<string>>();
    const wrong: string[] = [];
    for (const { where, words } of uses) {
      const sub = words[2];
      if (sub === undefined || !subcommands.has(sub)) {
        wrong.push(`${where}: synod ${sub ?? ''} is no subcommand`);
        continue;
      }
      let known = helps.get(sub);
      if (known === undefined) helps.set(sub, (known = optionsOf(synodHelp([sub]))));
      for (const o of longOptions(words.slice(3))) {
        if (!known.has(o)) wrong.push(`${where}: synod ${sub} has no ${o}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every `npm start -- …` parses as the launcher parses it', () => {
    const uses = commands.filter((c) => c.words[0] === 'npm' && c.words[1] === 'start');
    expect(uses.length).toBeGreaterThan(2);
    const wrong = uses.flatMap(({ where, words }) => {
      const r = parseLaunchArgs(passedOn(words));
      return r.ok ? [] : [`${where}: ${r.message}`];
    });
    expect(wrong).toEqual([]);
  });

  it('every `npm run` names a script of its package, and sim runs get options sim knows', () => {
    const uses = commands.filter((c) => c.words[0] === 'npm' && c.words[1] === 'run');
    expect(uses.length).toBeGreaterThan(5);
    const dirs = workspaces();
    const simOptions = optionsOf(
      execFileSync(
        process.execPath,
        [join(ROOT, 'packages/core/dist/testing/sim-cli.js'), '--help'],
        {
          encoding: 'utf8',
        },
      ),
    );
    const wrong: string[] = [];
    for (const { where, words } of uses) {
      const script = words[2]!;
      const w = words.indexOf('-w');
      const workspace = w < 0 ? undefined : words[w + 1]!;
      const dir = workspace === undefined ? '.' : dirs.get(workspace);
      if (dir === undefined) {
        wrong.push(`${where}: no workspace ${workspace}`);
        continue;
      }
      if (!(script in packageScripts(dir))) wrong.push(`${where}: ${dir} has no script ${script}`);
      if (script === 'sim' || script === 'sim:soak') {
        for (const o of longOptions(passedOn(words))) {
          if (!simOptions.has(o)) wrong.push(`${where}: npm run sim has no ${o}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads what the docs hold: a command split over lines, a substitution, a comment', () => {
    const join = commands.find(
      (c) => c.where.startsWith('README.md:') && c.words[2] === 'join' && c.words.includes('trip'),
    );
    expect(join?.words).toEqual([
      'npx',
      'synod',
      'join',
      'SUBSTITUTED',
      '--data',
      '/tmp/synod/carol',
      '--log-name',
      'trip',
    ]);
    const bootstrap = commands.find(
      (c) => c.where.startsWith('README.md:') && c.words.includes('--bootstrap'),
    );
    expect(bootstrap?.words.slice(0, 4)).toEqual(['npx', 'synod', 'start', '--no-mdns']);
    expect(commands.some((c) => c.words.includes('#'))).toBe(false);
  });
});
