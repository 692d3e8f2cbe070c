/**
 * The project's own lint rule (scripts/eslint-rules/no-discarded-generator.mjs), run by ESLint
 * with typed linting on a small program of its own: each line of CASES says whether the rule
 * must flag it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import noDiscardedGenerator from '../scripts/eslint-rules/no-discarded-generator.mjs';

const PRELUDE = `
function* outcomes(): Generator<number> { yield 1; }
async function* stream(): AsyncGenerator<number> { yield 1; }
function list(): number[] { return [1]; }
const holder: { outcomes?: () => Generator<number> } = { outcomes };
declare function take(x: Iterable<number>): void;
`;

/** [statement, flagged?] */
const CASES: [string, boolean][] = [
  ['outcomes();', true],
  ['stream();', true],
  ['holder.outcomes?.();', true],
  ['take(outcomes());', false],
  ['for (const x of outcomes()) take([x]);', false],
  ['void outcomes();', false],
  ['list();', false],
  ['const g = outcomes(); take(g);', false],
];

const dir = mkdtempSync(join(tmpdir(), 'synod-lint-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synod/no-discarded-generator', () => {
  it('flags a call statement whose generator nothing iterates, and nothing else', async () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'es2022', lib: ['es2022'], noEmit: true },
        include: ['*.ts'],
      }),
    );
    const file = join(dir, 'cases.ts');
    const lines = PRELUDE.split('\n').length;
    writeFileSync(file, PRELUDE + CASES.map(([code]) => `{ ${code} }`).join('\n') + '\n');
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: dir },
        },
        plugins: { synod: { rules: { 'no-discarded-generator': noDiscardedGenerator } } },
        rules: { 'synod/no-discarded-generator': 'error' },
      },
    });
    const [result] = await eslint.lintFiles([file]);
    expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
    const flagged = new Set(result?.messages.map((m) => m.line - lines));
    expect(CASES.map(([code], i) => [code, flagged.has(i)])).toEqual(CASES);
  }, 60_000);
});
