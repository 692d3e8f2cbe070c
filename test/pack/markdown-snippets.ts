/**
 * The code of the docs, taken from the Markdown itself so that docs cannot drift from what the
 * packages do: every ```ts block of every tracked .md file, and every block a doc marks as a file
 * of an app. An HTML comment right before a block (invisible on GitHub) says what it is:
 *
 *   (none), or <!-- snippet: run -->   a whole program: typechecked, then run; it must exit 0
 *   <!-- snippet: run with-peer -->    the same, with a `synod start` peer running on $SYNOD_DATA
 *   <!-- snippet: typecheck -->        a whole program, typechecked only (say why beside it)
 *   <!-- snippet: fragment             part of a program: typechecked after the declarations
 *   declare const node: SynodNode;     that follow the keyword (its prelude), not run
 *   -->
 *   <!-- snippet: file src/main.ts --> a file of the doc's app (any language): written there,
 *                                      compiled with the app's tsconfig.json, run by the test
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type SnippetMode = 'run' | 'run-with-peer' | 'typecheck' | 'fragment' | 'file';

export interface Snippet {
  /** The Markdown file, relative to the repository. */
  readonly doc: string;
  /** The line of the opening fence (1-based), for messages. */
  readonly line: number;
  readonly lang: string;
  readonly mode: SnippetMode;
  readonly code: string;
  /** Declarations a fragment is typechecked after. */
  readonly prelude: string;
  /** For `file`: where it goes, relative to the doc's app directory. */
  readonly path: string | undefined;
}

const TS_LANGS = new Set(['ts', 'typescript']);

interface Marker {
  kind: string;
  arg: string;
  prelude: string;
}

/** The `<!-- snippet: … -->` comment just above line `fence` (blank lines between allowed). */
function markerAbove(lines: readonly string[], fence: number): Marker | undefined {
  let end = fence - 1;
  while (end >= 0 && lines[end]!.trim() === '') end--;
  if (end < 0 || !lines[end]!.trimEnd().endsWith('-->')) return undefined;
  let start = end;
  while (start >= 0 && !lines[start]!.trimStart().startsWith('<!--')) start--;
  if (start < 0) return undefined;
  const inside = lines
    .slice(start, end + 1)
    .join('\n')
    .trim()
    .slice('<!--'.length, -'-->'.length);
  const m = /^\s*snippet:\s*([a-z-]+)[ \t]*([^\n]*)\n?([\s\S]*)$/.exec(inside);
  if (m === null) return undefined; // some other comment
  return { kind: m[1]!, arg: m[2]!.trim(), prelude: m[3]! };
}

/** The snippets of one Markdown text. Throws on a marker it does not understand. */
export function snippetsOf(doc: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})([\w-]*)\s*$/.exec(lines[i]!);
    if (fence === null) continue;
    const indent = fence[1]!;
    const ticks = fence[2]!;
    const lang = fence[3]!;
    let close = i + 1;
    while (close < lines.length && lines[close]!.trimEnd() !== indent + ticks) close++;
    const code = lines
      .slice(i + 1, close)
      .map((l) => l.slice(indent.length))
      .join('\n');
    const where = `${doc}:${i + 1}`;
    const marker = markerAbove(lines, i);
    const base = { doc, line: i + 1, lang, code, prelude: '', path: undefined };
    if (marker === undefined) {
      if (TS_LANGS.has(lang)) out.push({ ...base, mode: 'run' });
    } else if (marker.kind === 'file') {
      const path = marker.arg.split(/\s+/)[0] ?? '';
      if (path === '' || path.startsWith('/') || path.split('/').includes('..')) {
        throw new Error(`${where}: "snippet: file" needs a path inside the app`);
      }
      out.push({ ...base, mode: 'file', path });
    } else {
      if (!TS_LANGS.has(lang)) {
        throw new Error(`${where}: "snippet: ${marker.kind}" marks a ${lang || 'plain'} block`);
      }
      if (marker.kind === 'run' && (marker.arg === '' || marker.arg === 'with-peer')) {
        out.push({ ...base, mode: marker.arg === '' ? 'run' : 'run-with-peer' });
      } else if (marker.kind === 'typecheck') {
        out.push({ ...base, mode: 'typecheck' });
      } else if (marker.kind === 'fragment') {
        out.push({ ...base, mode: 'fragment', prelude: marker.prelude });
      } else {
        throw new Error(`${where}: unknown marker "snippet: ${marker.kind} ${marker.arg}"`);
      }
    }
    i = close;
  }
  return out;
}

/** Every snippet of every Markdown file git tracks in `root`. */
export function repositorySnippets(root: string): Snippet[] {
  const docs = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && !f.includes('node_modules/'));
  return docs.flatMap((doc) => snippetsOf(doc, readFileSync(join(root, doc), 'utf8')));
}

/** A file name for a snippet: its doc and line, e.g. `packages-peer-README-md-17.ts`. */
export function snippetFileName(s: Snippet): string {
  return `${s.doc.replace(/[^A-Za-z0-9]+/g, '-')}-${s.line}.ts`;
}

/** The app directory of a doc's `file` snippets, e.g. `docs-build-an-app-md`. */
export function appDirName(doc: string): string {
  return doc.replace(/[^A-Za-z0-9]+/g, '-');
}
