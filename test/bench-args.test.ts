/**
 * The benchmark scripts' command lines (bench/lib/args.mjs): `--help` prints the script's header,
 * a wrong option or a non-number ends it with one line and exit code 2, before it does anything.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bench', script), ...args], { encoding: 'utf8' });

describe('benchmark command lines', () => {
  it('prints the header comment for --help', () => {
    const r = run('summary.mjs', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Summary of a benchmark run/);
    expect(r.stdout).toContain('--since');
    expect(r.stdout).not.toContain('import ');
  });

  it('rejects an unknown option in one line, with exit code 2', () => {
    const r = run('summary.mjs', '--sinse', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("summary.mjs: Unknown option '--sinse' (see --help)\n");
  });

  it('rejects a value that is not a number where the default is one', () => {
    const r = run('cli.mjs', '--runs', 'ten');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("cli.mjs: --runs takes a number, not 'ten' (see --help)\n");
  });
});
