/**
 * The shell commands of the docs, checked against the programs they name, so that a renamed
 * subcommand, option or npm script cannot leave a README behind (the TypeScript blocks are
 * test/pack's). Every ```sh block of every tracked .md file is read, and in it:
 *
 *   npx synod SUB --opt …   SUB is a subcommand of `synod`, each --opt one of `synod SUB --help`
 *   npm start -- …          the launcher parses the arguments (desktop/launch-options.ts)
 *   npm run S [-w W] -- …   S is a script of the root's (or workspace W's) package.json; for
 *                           sim, sim:soak, chaos and fuzz:soak each --opt one of the program's,
 *                           and a --profile, --inject-bug or --bug one it knows
 *   npm install PKG         PKG is a published workspace
 *   node --flag … app.js    node takes the flags
 *   node dist/main.js …     the options of the guide's own src/main.ts (docs/build-an-app.md)
 *
 * and every command is of a kind that some test checks or runs (the last test here). The desktop
 * README's example error lines are held to the messages the sources write. Most are
 * not run here: they start peers, Electron or hour-long soaks; doc-shell-run.test.ts runs the
 * blocks of one machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchArgs } from '../packages/desktop-app/src/desktop/launch-options.js';
import { shellBlocks, trackedDocs, type ShellLine } from './helpers/doc-shell.js';
import { ROOT, SYNOD_CLI } from './helpers/paths.js';

interface ShellCommand {
  /** `doc:line` of the command's first line. */
  readonly where: string;
  readonly words: readonly string[];
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

/**
 * The `npx synod …` commands the prose of a Markdown file gives in backticks (outside code
 * blocks), e.g. `npx synod append "While carol is away" --data /tmp/synod/alice`.
 */
function proseCommands(doc: string): ShellLine[] {
  const out: ShellLine[] = [];
  let fenced = false;
  readFileSync(join(ROOT, doc), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^\s*```/.test(line)) fenced = !fenced;
      if (fenced) return;
      for (const m of line.matchAll(/`(npx synod [^`]+)`/g)) {
        out.push({ where: `${doc}:${i + 1}`, text: m[1]! });
      }
    });
  return out;
}

/** Every command of every ```sh block of the Markdown files git tracks, and of their prose. */
function shellCommands(): ShellCommand[] {
  const out: ShellCommand[] = [];
  const docs = trackedDocs();
  const lines = [
    ...docs.flatMap((doc) => shellBlocks(doc)).flatMap((b) => b.lines),
    ...docs.flatMap(proseCommands),
  ];
  for (const { where, text } of lines) {
    for (const cmd of commandsOf(text)) {
      const words = (cmd.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) =>
        /^(["']).*\1$/.test(w) ? w.slice(1, -1) : w,
      );
      if (words.length > 0) out.push({ where, words });
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

function readManifest(dir: string): { scripts?: Record<string, string>; private?: boolean } {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
    private?: boolean;
  };
}

function packageScripts(dir: string): Record<string, string> {
  return readManifest(dir).scripts ?? {};
}

const SIM_CLI = join(ROOT, 'packages/core/dist/testing/sim-cli.js');

/**
 * The messages the CLI can write, as patterns: every string and template literal of the
 * sources of desktop-app and peer with at least 12 characters of its own (`${…}` matching
 * anything), so that a pattern made only of placeholders matches no example by itself.
 */
function messageTemplates(): RegExp[] {
  const out: RegExp[] = [];
  for (const dir of ['packages/desktop-app/src', 'packages/peer/src']) {
    const files = execFileSync('git', ['ls-files', `${dir}/*.ts`], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '');
    for (const f of files) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      for (const m of src.matchAll(/`((?:[^`\\\n]|\\.)*)`|'((?:[^'\\\n]|\\.)*)'/g)) {
        // One line each (a stray backquote in a comment must not swallow the file); a trailing
        // \n is the line's end.
        const parts = (m[1] ?? m[2]!).replace(/\\n$/, '').split(/\$\{(?:[^{}]|\{[^{}]*\})*\}/);
        if (parts.join('').length < 12) continue;
        const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        out.push(new RegExp(`^${escaped.join('.+')}$`));
      }
    }
  }
  return out;
}

/** The long options of a program's `parseArgs({ options: { … } })`, read from its source. */
function parseArgsOptions(file: string, src = readFileSync(join(ROOT, file), 'utf8')): Set<string> {
  const block = /parseArgs\(\{\s*options: \{([\s\S]*?)\n {2}\},/.exec(src)?.[1];
  if (block === undefined) throw new Error(`${file}: no parseArgs({ options: … })`);
  return new Set([...block.matchAll(/^\s+'?([a-z-]+)'?: \{/gm)].map((m) => `--${m[1]!}`));
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
      if (sub === '…') continue; // "`npx synod …`": any subcommand
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

  it('every `npm run` names a script of its package, with options (and names) its program knows', () => {
    const uses = commands.filter((c) => c.words[0] === 'npm' && c.words[1] === 'run');
    expect(uses.length).toBeGreaterThan(5);
    const dirs = workspaces();
    const simHelp = execFileSync(process.execPath, [SIM_CLI, '--help'], { encoding: 'utf8' });
    const profiles = execFileSync(process.execPath, [SIM_CLI, '--profiles'], { encoding: 'utf8' })
      .split('\n')
      .filter((p) => p !== '');
    const bugs = /--inject-bug NAME\s+switch on a known bug \(([^)]*)\)/
      .exec(simHelp)![1]!
      .split(', ');
    expect(profiles).toContain('amnesia');
    expect(bugs).toContain('no-dedupe');
    // The script's program -> the long options it takes (chaos and the fuzz soak have no
    // --help: their parseArgs options, read from the source).
    const optionsFor: Record<string, Set<string>> = {
      sim: optionsOf(simHelp),
      'sim:soak': optionsOf(simHelp),
      chaos: parseArgsOptions('test/chaos/cli.mjs'),
      'fuzz:soak': parseArgsOptions('test/fuzz/soak.mjs'),
    };
    /** Options whose value is a name the program knows. */
    const names: Record<string, readonly string[]> = {
      '--profile': profiles,
      '--inject-bug': bugs,
      '--bug': bugs,
    };
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
      const known = dir === '.' ? optionsFor[script] : undefined;
      const args = passedOn(words);
      if (known === undefined) {
        if (args.some((a) => a.startsWith('--')) && dir === '.') {
          wrong.push(`${where}: the options of npm run ${script} are not checked: add its program`);
        }
        continue;
      }
      for (const o of longOptions(args)) {
        if (!known.has(o)) wrong.push(`${where}: npm run ${script} has no ${o}`);
      }
      args.forEach((a, i) => {
        const allowed = names[a];
        if (allowed !== undefined && !allowed.includes(args[i + 1]!)) {
          wrong.push(`${where}: ${a} ${args[i + 1]} is not one of ${allowed.join(', ')}`);
        }
      });
    }
    expect(wrong).toEqual([]);
  });

  it("`npm install` names published packages; `node` options are node's; the guide runs its own main", () => {
    const wrong: string[] = [];
    const published = new Set(
      [...workspaces()].filter(([, dir]) => !readManifest(dir).private).map(([name]) => name),
    );
    for (const { where, words } of commands.filter(
      (c) => c.words[0] === 'npm' && c.words[1] === 'install',
    )) {
      for (const pkg of words.slice(2)) {
        if (!published.has(pkg)) wrong.push(`${where}: ${pkg} is not a published package`);
      }
    }
    // `node --flag … app.js`: node (and V8) take the flags.
    for (const { where, words } of commands.filter(
      (c) => c.words[0] === 'node' && c.words[1]?.startsWith('--'),
    )) {
      const flags = words.slice(1).filter((w) => w.startsWith('--'));
      try {
        execFileSync(process.execPath, [...flags, '-e', '0'], { stdio: 'pipe' });
      } catch {
        wrong.push(`${where}: node refuses ${flags.join(' ')}`);
      }
    }
    // docs/build-an-app.md: `node dist/main.js --opt`: options of the parseArgs of the page's own
    // src/main.ts (the pack test builds the app from the page and runs it with these options).
    const guide = readFileSync(join(ROOT, 'docs/build-an-app.md'), 'utf8');
    const main = /<!-- snippet: file src\/main\.ts -->\s*```ts\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(main, 'docs/build-an-app.md: its src/main.ts').toBeDefined();
    const mainOptions = parseArgsOptions('docs/build-an-app.md: src/main.ts', main);
    expect(mainOptions.size).toBeGreaterThan(2);
    const runs = commands.filter((c) => c.words[0] === 'node' && c.words[1] === 'dist/main.js');
    expect(runs.length).toBeGreaterThan(1);
    for (const { where, words } of runs) {
      for (const o of longOptions(words.slice(2))) {
        if (!mainOptions.has(o)) wrong.push(`${where}: src/main.ts has no ${o}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the desktop README's error examples are lines the CLI writes", () => {
    const readme = readFileSync(join(ROOT, 'packages/desktop-app/README.md'), 'utf8');
    const block = /\*\*Errors\*\* are one line[\s\S]*?```\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block, 'packages/desktop-app/README.md: the error examples').toBeDefined();
    const examples = block!.split('\n');
    expect(examples.length).toBeGreaterThan(5);
    const templates = messageTemplates();
    const subcommands = new Set(
      [...synodHelp([]).matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!),
    );
    const wrong = examples.filter((line) => {
      const m = /^synod ([a-z-]+): (.*)$/.exec(line);
      if (m === null || !subcommands.has(m[1]!)) return true;
      // The message as the code writes it (an API error adds its code: " (unknown-log)"), or
      // the whole line (commander's errors: main.ts).
      const message = m[2]!.replace(/ \([a-z-]+\)$/, '');
      return !templates.some((t) => t.test(m[2]!) || t.test(message) || t.test(line));
    });
    expect(wrong).toEqual([]);
  });

  it('every command is one that a test checks or runs', () => {
    /** What checks a kind of command (the tests above, doc-shell-run, the pack test). */
    const checked = [
      /^npx synod\b/, // above; the one-machine blocks run in doc-shell-run.test.ts
      /^npm (start|run|install)\b/, // above
      /^npm (test|ci|install)$/, // the repository's own setup: npm test is this test's run
      /^npx tsc$/, // the pack test compiles the guide's app
      /^node (dist\/main\.js|--)/, // above
      /^(url|token)=|^node -p |^cat ~\/\.synod\/|^curl /, // api.md: doc-shell-run
    ];
    const unchecked = commands
      .map((c) => ({ where: c.where, text: c.words.join(' ') }))
      .filter(({ text }) => !checked.some((re) => re.test(text)));
    expect(unchecked).toEqual([]);
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
