// The benchmarks' command lines: node:util's parseArgs, plus what a person at the terminal
// expects of it. `--help` prints the script's header comment (where each script documents its
// options) instead of a stack trace for an unknown option; a wrong option, or a value that is
// not a number where the default is one, ends the script with one line and exit code 2 before
// it starts a cluster or writes a result.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * parseArgs({ options }) for a benchmark script; the same result.
 * @template {import('node:util').ParseArgsConfig['options']} O
 * @param {{ options: O }} config
 */
export function benchArgs(config) {
  const script = process.argv[1] ?? 'bench';
  const options = { ...config.options, help: { type: /** @type {const} */ ('boolean') } };
  let parsed;
  try {
    parsed = parseArgs({ options });
  } catch (err) {
    usageError(script, err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help === true) {
    process.stdout.write(header(script));
    process.exit(0);
  }
  /** @type {Record<string, { default?: unknown }>} */
  const declared = config.options ?? {};
  for (const [name, o] of Object.entries(declared)) {
    const value = /** @type {Record<string, unknown>} */ (parsed.values)[name];
    const numeric = typeof o.default === 'string' && isNumber(o.default);
    if (numeric && typeof value === 'string' && !isNumber(value))
      usageError(script, `--${name} takes a number, not '${value}'`);
  }
  return /** @type {ReturnType<typeof parseArgs<{ options: O }>>} */ (parsed);
}

/** @param {string} s */
function isNumber(s) {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

/**
 * @param {string} script
 * @param {string} message
 * @returns {never}
 */
function usageError(script, message) {
  process.stderr.write(`${basename(script)}: ${message} (see --help)\n`);
  process.exit(2);
}

/**
 * The comment lines at the top of `script`, after the shebang, without their `//`.
 * @param {string} script
 */
function header(script) {
  const lines = readFileSync(script, 'utf8').split('\n');
  const out = [];
  for (const line of lines.slice(lines[0]?.startsWith('#!') ? 1 : 0)) {
    if (!line.startsWith('//')) break;
    out.push(line.replace(/^\/\/ ?/, ''));
  }
  return `${out.join('\n')}\n`;
}
