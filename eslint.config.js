// Lint: typescript-eslint's recommended type-checked rules, plus the rules this project relies on.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import noDiscardedGenerator from './scripts/eslint-rules/no-discarded-generator.mjs';

/**
 * The TypeScript projects that give the typed rules their types; a file is linted with the first
 * that holds it. The tests' project holds the packages' sources as well (the tests import most of
 * them, and the rest has the same compiler options): one program where a project per package
 * built 6 more, each parsing lib and @types/node again for 15 files of their own.
 * scripts/typecheck-lint.mjs (npm test) builds these same programs itself.
 */
export const LINT_PROJECTS = [
  './tsconfig.tests.json',
  './packages/desktop-app/renderer/tsconfig.json',
  './tsconfig.tools.json',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'bench/results/**',
      '**/*.d.ts',
      'packages/*/test/oracle/**',
      '**/.synod-tmp/**',
      'packages/desktop-app/ui/vendor/**',
      'packages/desktop-app/ui/js/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { synod: { rules: { 'no-discarded-generator': noDiscardedGenerator } } },
    languageOptions: {
      parserOptions: {
        project: LINT_PROJECTS,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
      'synod/no-discarded-generator': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.ts', '**/*.cts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The protocol is pure: no Node modules, no clock, no randomness (DESIGN.md §1-2).
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'crypto', 'os'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the driver-supplied random().' },
        { object: 'Date', property: 'now', message: 'Use the time passed to tick().' },
      ],
    },
  },
  {
    files: ['packages/core/src/synod-node.ts', 'packages/core/src/memory-network.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
