// npm test's type check of the tests and its lint, in one process: `tsc -p tsconfig.tests.json`
// followed by `eslint .` built the tests' TypeScript program twice and type-checked it twice (the
// typed lint rules ask the checker for the types tsc had just computed). Here the type check
// builds the program as tsc does (incremental, the same buildinfo), and eslint lints with it and
// with programs built from the other tsconfigs eslint.config.js lists, in its order
// (parserOptions.programs: what `eslint .` itself does in a single run, same files, same
// options). `npm run typecheck` and `npx eslint` stay what they were. Exit 1 if either fails.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { LINT_PROJECTS } from '../eslint.config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} project a tsconfig path relative to the root */
function parseConfig(project) {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, project), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error(`cannot read ${project}`);
  return parsed;
}

const format = {
  getCanonicalFileName: (/** @type {string} */ f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

// The type check, as `tsc -p tsconfig.tests.json` (it is first in LINT_PROJECTS).
const tests = parseConfig(LINT_PROJECTS[0] ?? '');
const builder = ts.createIncrementalProgram({
  rootNames: tests.fileNames,
  options: tests.options,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(tests),
  projectReferences: tests.projectReferences,
  host: ts.createIncrementalCompilerHost(tests.options),
});
let diagnostics = [
  ...builder.getConfigFileParsingDiagnostics(),
  ...builder.getOptionsDiagnostics(),
  ...builder.getSyntacticDiagnostics(),
];
if (diagnostics.length === 0) {
  diagnostics = [...builder.getGlobalDiagnostics(), ...builder.getSemanticDiagnostics()];
}
diagnostics.push(...builder.emit().diagnostics); // noEmit: only the buildinfo
if (diagnostics.length > 0) {
  // As tsc prints them: with colour and context on a terminal, one line each otherwise.
  const pretty = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  process.stdout.write(pretty(diagnostics, format));
}
const typeErrors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;

// The lint, as `eslint .`, with the tests' program and the others built as typescript-eslint
// builds them (a compiler host per tsconfig).
const programs = [builder.getProgram()];
for (const project of LINT_PROJECTS.slice(1)) {
  const parsed = parseConfig(project);
  programs.push(
    ts.createProgram(parsed.fileNames, parsed.options, ts.createCompilerHost(parsed.options, true)),
  );
}
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { programs } } },
});
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text !== '') process.stdout.write(text + '\n');
const lintErrors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);

if (typeErrors > 0) console.error(`typecheck-lint: ${typeErrors} type errors`);
if (lintErrors > 0) console.error(`typecheck-lint: ${lintErrors} lint errors`);
// exitCode, not exit(): a pipe may still hold some of the report.
process.exitCode = typeErrors > 0 || lintErrors > 0 ? 1 : 0;
