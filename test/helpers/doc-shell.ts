/**
 * The ```sh blocks of the Markdown files, as lines a shell would run: a line continued with `\`
 * joined to the next, `#` comments left out. Read by the tests that check the docs' commands
 * (doc-commands.test.ts) and that run them (doc-shell-run.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface ShellLine {
  /** `doc:line` of the line's first physical line. */
  readonly where: string;
  readonly text: string;
}

export interface ShellBlock {
  readonly doc: string;
  /** The `##` (or other) heading the block is under, without its `#`s. */
  readonly heading: string;
  readonly lines: readonly ShellLine[];
}

/** The text before a `#` comment that is outside quotes. */
export function withoutComment(line: string): string {
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

/** The ```sh blocks of one Markdown file (a path relative to the repository). */
export function shellBlocks(
  doc: string,
  text = readFileSync(join(ROOT, doc), 'utf8'),
): ShellBlock[] {
  const lines = text.split('\n');
  const out: ShellBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#+\s+(.*)$/.exec(lines[i]!);
    if (h !== null) heading = h[1]!.trim();
    const fence = /^\s*```(\w*)\s*$/.exec(lines[i]!);
    if (fence === null) continue;
    const block: ShellLine[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) {
      const first = i;
      let line = withoutComment(lines[i]!);
      while (/\\\s*$/.test(line) && i + 1 < lines.length) {
        line = line.replace(/\\\s*$/, ' ') + withoutComment(lines[++i]!);
      }
      if (line.trim() !== '') block.push({ where: `${doc}:${first + 1}`, text: line.trim() });
    }
    if (fence[1] === 'sh') out.push({ doc, heading, lines: block });
  }
  return out;
}

/** The Markdown files git tracks (node_modules left out). */
export function trackedDocs(): string[] {
  return execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && !f.includes('node_modules/'));
}
