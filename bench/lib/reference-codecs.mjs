// The codecs the codec bench compares Synod's with, loaded from TypeScript at run time (the
// TypeScript compiler transpiles them; nothing of this ships):
// - protons' codec generated from the same .proto (packages/transport-libp2p/test/oracle/), the
//   reference the tests check bytes against;
// - "today": the hand-written codec this one replaced (src/wire-codec.ts at BASELINE_REV, read
//   from git), so that "encode no slower than today" is measured in the same run.
// They are written under packages/transport-libp2p/.synod-tmp/ (ignored by git), where their
// imports (protons-runtime) resolve.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { ROOT } from './common.mjs';

/** The main commit before issue 14 (the hand codec's last version). */
export const BASELINE_REV = 'cc602ed';

const PKG = join(ROOT, 'packages', 'transport-libp2p');
const OUT = join(PKG, '.synod-tmp', 'bench');

/**
 * @typedef {{ encode(m: unknown): Uint8Array, decode(b: Uint8Array): unknown }} ProtonsCodec
 * @typedef {{ Message: ProtonsCodec, Frame: ProtonsCodec }} ProtonsPaxos
 * @typedef {{
 *   encodeMessage(m: import('@synod/core').Message): Uint8Array,
 *   Reader: new (b: Uint8Array) => unknown,
 *   readTag(r: unknown): number,
 *   readBody(r: unknown, field: number, wireType: number, limits: { maxEntries: number }): unknown,
 * }} HandCodec
 */

/** @param {string} source @param {string} name @returns {Promise<unknown>} */
async function load(source, name) {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${name}.mjs`);
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}

/** protons' codec of paxos.proto. @returns {Promise<ProtonsPaxos>} */
export async function loadProtons() {
  return /** @type {ProtonsPaxos} */ (
    await load(readFileSync(join(PKG, 'test', 'oracle', 'paxos.ts'), 'utf8'), 'protons-paxos')
  );
}

/** The hand codec of BASELINE_REV (encodeMessage, Reader, readTag, readBody). @returns {Promise<HandCodec>} */
export async function loadBaseline() {
  const source = execFileSync(
    'git',
    ['show', `${BASELINE_REV}:packages/transport-libp2p/src/wire-codec.ts`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return /** @type {HandCodec} */ (await load(source, `wire-codec-${BASELINE_REV}`));
}
