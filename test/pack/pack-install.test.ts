/**
 * The packages as a new user gets them: every publishable workspace packed with `npm pack`,
 * the tarballs installed into a fresh project outside the repository (no workspace links),
 * and there every TypeScript snippet of the READMEs and docs, and every example, typechecked
 * with strict settings (exactOptionalPropertyTypes included) and run. The snippets come from
 * the Markdown itself (markdown-snippets.ts), so the docs cannot drift from the packages.
 *
 * Programs run in a network namespace of their own (`ip netns`: root), since the docs show
 * peers with their defaults (mDNS on, every interface): nothing leaves it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child } from '../helpers/child.js';
import { shellBlocks } from '../helpers/doc-shell.js';
import { ROOT } from '../helpers/paths.js';
import {
  installedVersion,
  installFresh,
  packAll,
  publishableWorkspaces,
  readManifest,
  type Manifest,
  type PackedWorkspace,
} from './fresh-project.js';
import {
  appDirName,
  repositorySnippets,
  snippetFileName,
  type Snippet,
} from './markdown-snippets.js';

const work = mkdtempSync(join(tmpdir(), 'synod-pack-'));
const project = join(work, 'app');
const NETNS = `synodpk${process.pid}`;
const children: Child[] = [];
let packed: PackedWorkspace[] = [];
const snippets = repositorySnippets(ROOT);
/** When `npm install` started and ended (ms since the epoch). */
const install = { start: 0, end: 0 };

/** The compiler settings of a careful app: the repository's own, plus exact optional types. */
const STRICT = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  exactOptionalPropertyTypes: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  types: ['node'],
};

/** Whether to compile the published declarations with library checks (see the test). */
const LIB_CHECK = process.env.SYNOD_PACK_LIB_CHECK === '1';

/** The two compilations, started together once the project is ready (they take a while). */
let compiled: { snippets: Promise<void>; declarations: Promise<void> };

function netns(...args: string[]): void {
  execFileSync('ip', ['netns', ...args], { stdio: 'pipe' });
}

/** A process in this test's network namespace, or with `host`, in the machine's. */
function child(
  label: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  host = false,
): Child {
  const [command, ...rest] = host ? args : ['ip', 'netns', 'exec', NETNS, ...args];
  const c = new Child(label, command!, rest, { cwd, env });
  children.push(c);
  return c;
}

/** Run `node file` to its exit (at most `timeoutMs`), in a directory of its own. */
async function runNode(
  label: string,
  file: string,
  env: NodeJS.ProcessEnv = {},
  host = false,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const cwd = mkdtempSync(join(work, 'run-'));
  const c = child(label, [process.execPath, file], cwd, env, host);
  const timer = setTimeout(() => void c.kill('SIGKILL'), timeoutMs);
  const { code } = await c.exited;
  clearTimeout(timer);
  return { code, output: c.lines.join('\n') };
}

const where = (s: Snippet) => `${s.doc}:${s.line}`;

beforeAll(async () => {
  // Namespaces left by a run that was killed go first.
  for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
    const m = /^synodpk(\d+)\b/.exec(line);
    if (m === null) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      netns('del', `synodpk${m[1]}`);
    }
  }
  netns('add', NETNS);
  netns('exec', NETNS, 'ip', 'link', 'set', 'lo', 'up');

  packed = await packAll(ROOT, work);
  install.start = Date.now();
  await installFresh(
    ROOT,
    project,
    packed.map((p) => p.tarball),
    // What the docs' programs import besides Synod: the compiler, and the libp2p modules an
    // app composes its own node of (the synod() service), at the versions tested here.
    [
      'typescript',
      '@types/node',
      'libp2p',
      '@libp2p/tcp',
      '@libp2p/identify',
      '@chainsafe/libp2p-noise',
      '@chainsafe/libp2p-yamux',
    ].map((name) => `${name}@${installedVersion(ROOT, name)}`),
  );
  install.end = Date.now();
  console.log(`npm install of the tarballs: ${install.end - install.start} ms`);

  // The snippets, each a module of its own; a fragment after its prelude.
  mkdirSync(join(project, 'snippets'));
  for (const s of snippets.filter((x) => x.mode !== 'file')) {
    const code = s.mode === 'fragment' ? `${s.prelude}\n${s.code}` : s.code;
    writeFileSync(join(project, 'snippets', snippetFileName(s)), `${code}\nexport {};\n`);
  }
  // The examples, as a user copies them.
  cpSync(join(ROOT, 'examples'), join(project, 'examples'), {
    recursive: true,
    filter: (src) => !/\/(dist|node_modules)$/.test(src) && !src.endsWith('tsconfig.json'),
  });
  // Every entry point of every package, imported as an app would.
  const imports = packed.flatMap((p, i) =>
    Object.keys(p.manifest.exports ?? {}).map((sub, j) => {
      const spec = sub === '.' ? p.manifest.name : `${p.manifest.name}/${sub.slice(2)}`;
      return `import * as m${i}_${j} from '${spec}';\nconsole.log(m${i}_${j});`;
    }),
  );
  mkdirSync(join(project, 'lib-check'));
  writeFileSync(join(project, 'lib-check', 'entry-points.ts'), imports.join('\n') + '\n');
  // Library checks on, for our declarations (the snippets' third-party imports, libp2p's
  // modules, have declarations of their own that need lib ES2024 and more). libp2p's own
  // declarations name DOM types (EventInit, JsonWebKey): DOM is in lib, as such an app needs.
  writeFileSync(
    join(project, 'lib-check', 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...STRICT, lib: ['ES2023', 'DOM'], skipLibCheck: false, noEmit: true },
      include: ['entry-points.ts'],
    }),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...STRICT, outDir: 'out', rootDir: '.' },
      include: ['snippets/*.ts', 'examples/**/*.ts'],
    }),
  );
  compiled = {
    snippets: tsc(['-p', '.']),
    declarations: LIB_CHECK ? tsc(['-p', 'lib-check']) : Promise.resolve(),
  };
  // Awaited by the tests; a failure is theirs to report.
  compiled.snippets.catch(() => undefined);
  compiled.declarations.catch(() => undefined);
}, 600_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  try {
    netns('del', NETNS);
  } catch {
    // Never made.
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the published packages, installed from their tarballs into a fresh project', () => {
  it('every tarball has what npm publish and a user need', () => {
    const root = readManifest(ROOT);
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(packed.map((p) => p.manifest.name).sort()).toEqual(
      publishableWorkspaces(ROOT)
        .map((w) => w.manifest.name)
        .sort(),
    );
    for (const p of packed) {
      const m = p.manifest;
      expect({ name: m.name, license: m.license, access: m.publishConfig }).toEqual({
        name: m.name,
        license: 'MIT',
        access: { access: 'public' },
      });
      expect(m.repository).toEqual({ type: 'git', url: root.repository?.url, directory: p.dir });
      expect(m.engines).toEqual(root.engines);
      expect(typeof m.homepage === 'string' && typeof m.bugs === 'object').toBe(true);
      expect(m.sideEffects, `${m.name}: sideEffects`).toBeDefined();
      for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
        expect(p.files, `${m.name}: ${f}`).toContain(f);
      }
      expect(readFileSync(join(ROOT, p.dir, 'LICENSE'), 'utf8')).toBe(license);
      const targets = [
        ...Object.values(m.exports ?? {}).flatMap((e) => [e.types, e.default]),
        ...Object.values(m.bin ?? {}),
      ];
      for (const t of targets) expect(p.files, `${m.name}: ${t}`).toContain(t.replace(/^\.\//, ''));
      expect(p.files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
      // Build output of a source file that is gone (tsc never deletes what it once wrote):
      // a stale dist/ would ship it. Publish from a clean build.
      const stale = p.files.filter((f) => {
        const m = /^dist\/(.*)\.d\.([cm]?)ts$/.exec(f);
        return m !== null && !existsSync(join(ROOT, p.dir, 'src', `${m[1]}.${m[2]}ts`));
      });
      expect(stale, `${m.name}: stale build output, rebuild from a clean dist/`).toEqual([]);
    }
    // The desktop app serves its UI from the package (synod start): the page and every file
    // it loads (runningPeer() fetches them from a peer of the installed package too).
    const desktop = packed.find((p) => p.manifest.name === '@synod/desktop-app')!;
    const page = readFileSync(join(ROOT, desktop.dir, 'ui', 'index.html'), 'utf8');
    const assets = uiAssets(page);
    expect(assets).toContain('js/main.js');
    for (const f of ['index.html', ...assets]) expect(desktop.files).toContain(`ui/${f}`);
  });

  it('the published type declarations import only what the package depends on', () => {
    const problems: string[] = [];
    for (const p of packed) {
      const dir = join(project, 'node_modules', p.manifest.name);
      const deps = { ...p.manifest.dependencies, ...p.manifest.peerDependencies };
      for (const f of p.files.filter((x) => x.endsWith('.d.ts'))) {
        const text = readFileSync(join(dir, f), 'utf8');
        for (const m of text.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
          const name = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : spec.split('/')[0]!;
          if (name === p.manifest.name) continue;
          if (deps[name] === undefined) {
            problems.push(`${p.manifest.name}/${f} imports ${spec}, not a dependency`);
            continue;
          }
          const own = readManifest(join(project, 'node_modules', name)) as Manifest & {
            types?: string;
            typings?: string;
          };
          const typed =
            own.types !== undefined ||
            own.typings !== undefined ||
            JSON.stringify(own.exports ?? '').includes('"types"');
          const typesPackage = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
          if (!typed && deps[typesPackage] === undefined) {
            problems.push(
              `${p.manifest.name}/${f} uses the types of ${name}: ${typesPackage} must be a dependency`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  // Library checks compile all of libp2p's declarations too: 1-2 minutes on a busy machine, so
  // they run on request (SYNOD_PACK_LIB_CHECK=1); the test above checks the type dependencies.
  it.runIf(LIB_CHECK)(
    'every entry point typechecks with library checks on',
    async () => {
      await compiled.declarations;
    },
    300_000,
  );

  it('every README, docs and examples snippet typechecks (strict, exactOptionalPropertyTypes)', async () => {
    expect(snippets.filter((s) => s.mode !== 'file').length).toBeGreaterThan(5);
    await compiled.snippets;
  }, 300_000);

  it('every runnable snippet runs and exits 0', async () => {
    await compiled.snippets;
    const runnable = snippets.filter((s) => s.mode === 'run' || s.mode === 'run-with-peer');
    expect(runnable.map(where)).toContain(
      'README.md:' + snippets.find((s) => s.doc === 'README.md')!.line,
    );
    for (const s of runnable) {
      const file = join(project, 'out', 'snippets', snippetFileName(s).replace(/\.ts$/, '.js'));
      // A client of a local peer runs beside it; the rest in the namespace (mDNS, 0.0.0.0).
      const withPeer = s.mode === 'run-with-peer';
      const env = withPeer ? { SYNOD_DATA: await runningPeer() } : {};
      const r = await runNode(where(s), file, env, withPeer);
      expect({ snippet: where(s), code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({
        snippet: where(s),
        code: 0,
        output: '',
      });
    }
  }, 300_000);

  it('examples/shared-counter runs from the installed packages', async () => {
    await compiled.snippets;
    const alice = child(
      'counter',
      [
        process.execPath,
        join(project, 'out', 'examples', 'shared-counter', 'counter.js'),
        '--data',
        join(work, 'counter'),
        '--no-mdns',
      ],
      work,
    );
    await alice.waitFor(/^invite synod:/);
    alice.write('5');
    expect((await alice.waitFor(/^ok (\d+)$/))[1]).toBe('5');
    expect((await alice.kill('SIGTERM')).code).toBe(0);
  }, 60_000);

  it("the guide's app (docs/build-an-app.md), built from the page: two peers share a list", async () => {
    const doc = 'docs/build-an-app.md';
    const files = snippets.filter((x) => x.mode === 'file' && x.doc === doc);
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['package.json', 'tsconfig.json', 'src/main.ts']),
    );
    const t0 = Date.now();
    const app = join(project, 'apps', appDirName(doc));
    for (const f of files) {
      mkdirSync(dirname(join(app, f.path!)), { recursive: true });
      writeFileSync(join(app, f.path!), f.code + '\n');
    }
    // As the guide's "Run it" block says: npx tsc, then its two `node dist/main.js` lines
    // (two peers on one machine), with a data directory here, any free port, the real invite.
    const [compile, ...starts] = shellBlocks(doc)
      .filter((b) => b.heading === 'Run it')
      .flatMap((b) => b.lines.map((l) => l.text));
    expect(compile).toBe('npx tsc');
    expect(starts.map((l) => /--data (\w+)/.exec(l)?.[1])).toEqual(['alice', 'bob']);
    await tsc(['-p', app]);
    const t1 = Date.now();
    const run = (line: string, invite?: string) => {
      const [node, main, ...args] = line
        .replace(/--data (\w+)/, (_, name: string) => `--data ${join(work, `todo-${name}`)}`)
        .replace(/--port \d+/, '--port 0')
        .split(/\s+/)
        .map((w) => (w === "'synod:…'" ? invite! : w));
      expect([node, main]).toEqual(['node', 'dist/main.js']);
      return child(`guide ${line}`, [process.execPath, main!, ...args], app, {}, true);
    };
    const alice = run(starts[0]!);
    const aliceUi = (await alice.waitFor(/^UI on (http:\S+)$/))[1]!;
    const t2 = Date.now();
    console.log(
      `the guide's app, from npm install to running: ${install.end - install.start + (t2 - t0)} ms ` +
        `(npm install ${install.end - install.start} ms, tsc ${t1 - t0} ms, start ${t2 - t1} ms)`,
    );
    const invite = (await alice.waitFor(/^invite (synod:\S+)$/))[1]!;
    const bob = run(starts[1]!, invite);
    const bobUi = (await bob.waitFor(/^UI on (http:\S+)$/))[1]!;

    expect(await (await fetch(aliceUi)).text()).toContain('<title>Shared to-dos</title>');
    const events = (await fetch(new URL('/api/events', aliceUi))).body!.getReader();
    const send = (command: unknown) =>
      fetch(new URL('/api/commands', bobUi), { method: 'POST', body: JSON.stringify(command) });
    const added = await send({ type: 'add', text: 'milk' });
    expect(await added.json()).toEqual({ id: 1 });
    const refused = await send({ type: 'drop' });
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 400,
      body: { error: 'not a to-do command' },
    });
    // Alice's page hears of bob's command, and her state has it.
    const event = (await events.read()).value as Uint8Array;
    expect(new TextDecoder().decode(event)).toMatch(/^data: \d+/);
    await events.cancel();
    const state = (await (await fetch(new URL('/api/state', aliceUi))).json()) as {
      items: { text: string }[];
    };
    expect(state.items.map((i) => i.text)).toEqual(['milk']);
    // "Stop bob (Ctrl-C): alice's writes now wait […]. Start bob again with the same command: he
    // opens his log (the invite is not used again) and catches up."
    expect((await bob.kill('SIGINT')).code).toBe(0);
    const waiting = fetch(new URL('/api/commands', aliceUi), {
      method: 'POST',
      body: JSON.stringify({ type: 'add', text: 'eggs' }),
    });
    const again = run(starts[1]!, invite);
    const againUi = (await again.waitFor(/^UI on (http:\S+)$/))[1]!;
    expect(await (await waiting).json()).toEqual({ id: 2 });
    for (const deadline = Date.now() + 30_000; ;) {
      const s = (await (await fetch(new URL('/api/state', againUi))).json()) as typeof state;
      if (s.items.length === 2 || Date.now() > deadline) {
        expect(s.items.map((i) => i.text)).toEqual(['milk', 'eggs']);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const codes = await Promise.all(
      [alice, again].map(async (c) => (await c.kill('SIGTERM')).code),
    );
    expect(codes).toEqual([0, 0]);
  }, 180_000);
});

/** Compile in the fresh project with its own TypeScript; fail with the compiler's output. */
function tsc(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      join(project, 'node_modules', '.bin', 'tsc'),
      args,
      { cwd: project, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err === null) resolve();
        else reject(new Error(`tsc ${args.join(' ')} failed:\n${stdout}${stderr}`));
      },
    );
  });
}

/** The files a UI page loads from its own origin (scripts, stylesheets). */
function uiAssets(page: string): string[] {
  return [...page.matchAll(/(?:src|href)="([^":#]+)"/g)].map((m) => m[1]!);
}

let peerData: Promise<string> | undefined;

/**
 * A `synod start` of the installed package (its bin) for the snippets that talk to a peer, on
 * this machine's 127.0.0.1 with mDNS off: created with `synod init`, its UI served from the
 * package's own ui/. Its data directory.
 */
function runningPeer(): Promise<string> {
  peerData ??= (async () => {
    const data = join(work, 'synod-peer');
    const bin = join(project, 'node_modules', '.bin', 'synod');
    const init = spawn(bin, ['init', '--data', data, '--name', 'alice', '--title', 'Pack test'], {
      stdio: 'ignore',
    });
    expect(await new Promise((resolve) => init.once('exit', resolve))).toBe(0);
    const peer = child(
      'synod start',
      [bin, 'start', '--data', data, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'],
      work,
      {},
      true,
    );
    const ui = (await peer.waitFor(/^synod: UI at (http:\S+)$/))[1]!;
    const base = ui.replace(/#.*$/, '');
    const page = await fetch(base);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html');
    for (const asset of uiAssets(html)) {
      expect((await fetch(new URL(asset, base))).status, asset).toBe(200);
    }
    return data;
  })();
  return peerData;
}
