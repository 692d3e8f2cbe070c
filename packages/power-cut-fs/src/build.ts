/**
 * The filesystem is a small C program on libfuse3 (native/powercut-fs.c), compiled on first use
 * into build/ under a name that carries the hash of its source, so that an edited source is
 * rebuilt and concurrent test workers never run a half-written binary (compile to a temporary
 * name, then rename).
 *
 * Where it cannot be built or mounted (no C compiler, no libfuse3 headers, no /dev/fuse, no
 * fusermount3) this throws PowerCutFsUnavailableError with what to install: the tests that need
 * a power cut fail loudly rather than skip.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PowerCutFsUnavailableError } from './errors.js';

/** From src/ or dist/ alike. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const POWER_CUT_FS_SOURCE = join(PACKAGE_DIR, 'native', 'powercut-fs.c');
const BUILD_DIR = join(PACKAGE_DIR, 'build');

const INSTALL_HINT =
  'on Debian/Ubuntu: apt-get install fuse3 libfuse3-dev pkg-config build-essential (.ci/run does)';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function why(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr?.trim() || err.message) ?? String(e);
}

/** Why a power-cut filesystem cannot be mounted here, or undefined if it can. */
export function powerCutFsUnavailable(): string | undefined {
  if (process.platform !== 'linux')
    return `FUSE power cuts need Linux (this is ${process.platform})`;
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return `/dev/fuse is missing or not accessible (${INSTALL_HINT}; in a container: --device /dev/fuse --cap-add SYS_ADMIN)`;
  }
  try {
    run('fusermount3', ['-V']);
  } catch {
    return `fusermount3 is not installed (${INSTALL_HINT})`;
  }
  return undefined;
}

/** The compiled filesystem (built now if needed). */
export function powerCutFsBinary(): string {
  const source = readFileSync(POWER_CUT_FS_SOURCE);
  let flags: string[];
  try {
    flags = run('pkg-config', ['--cflags', '--libs', 'fuse3']).trim().split(/\s+/);
  } catch (e) {
    throw new PowerCutFsUnavailableError(
      `libfuse3's development files are missing (pkg-config fuse3: ${why(e)}; ${INSTALL_HINT})`,
    );
  }
  // SYNOD_POWERCUT_CFLAGS adds flags, e.g. "-g -fsanitize=address,undefined" to debug it.
  const extra = (process.env.SYNOD_POWERCUT_CFLAGS ?? '').split(/\s+/).filter((f) => f !== '');
  const args = ['-O2', '-Wall', '-Wextra', '-Werror', ...extra, POWER_CUT_FS_SOURCE, ...flags];
  args.push('-lpthread');
  const hash = createHash('sha256').update(source).update(args.join(' ')).digest('hex');
  const binary = join(BUILD_DIR, `powercut-fs-${hash.slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  try {
    run('cc', ['-o', tmp, ...args]);
  } catch (e) {
    throw new PowerCutFsUnavailableError(`cannot compile ${POWER_CUT_FS_SOURCE}: ${why(e)}`);
  }
  renameSync(tmp, binary);
  return binary;
}
