/**
 * The editing trace (../shared/data/automerge-paper.json.gz: 259,778 single-character edits of
 * a LaTeX paper) as a workload for the document log: load it, turn its patches into edit
 * commands of one entry, replay them with many outstanding, and compute the text after any
 * prefix to check replicas against.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { encodeCommand } from './codec.js';
import { TextBuffer } from './text-buffer.js';
import type { Patch } from './types.js';

export interface EditingTrace {
  readonly startContent: string;
  readonly endContent: string;
  readonly txns: readonly { readonly time: string; readonly patches: readonly Patch[] }[];
}

/** A file that is not an editing trace. */
export class TraceFormatError extends Error {}

function isPatch(p: unknown): p is Patch {
  return (
    Array.isArray(p) &&
    p.length === 3 &&
    Number.isSafeInteger(p[0]) &&
    Number.isSafeInteger(p[1]) &&
    typeof p[2] === 'string'
  );
}

function isTxn(t: unknown): boolean {
  const patches = (t as { patches?: unknown } | null)?.patches;
  return Array.isArray(patches) && patches.every(isPatch);
}

/** Read a trace file (gunzipped if it ends in .gz) and check its shape. */
export function loadTrace(path: string): EditingTrace {
  const raw = readFileSync(path);
  const json = JSON.parse(
    (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'),
  ) as Partial<EditingTrace>;
  if (
    typeof json.startContent !== 'string' ||
    typeof json.endContent !== 'string' ||
    !Array.isArray(json.txns) ||
    !(json.txns as unknown[]).every(isTxn)
  ) {
    throw new TraceFormatError(`${path} is not an editing trace`);
  }
  return json as EditingTrace;
}

/** Every patch of the trace, in order. */
export function tracePatches(trace: EditingTrace): Patch[] {
  const out: Patch[] = [];
  for (const t of trace.txns) for (const p of t.patches) out.push(p);
  return out;
}

/**
 * Apply edits (each a list of patches, applied in order) to a text. Throws a RangeError for a
 * patch outside the text.
 */
export function applyEdits(text: string, edits: readonly (readonly Patch[])[]): string {
  const b = new TextBuffer(text);
  for (const patches of edits) {
    for (const [pos, del, ins] of patches) {
      if (pos + del > b.length) throw new RangeError(`patch [${pos}, ${del}] beyond ${b.length}`);
      b.splice(pos, del, ins);
    }
  }
  return b.toString();
}

/** The text after the first `n` patches of the trace. */
export function textAfter(trace: EditingTrace, n: number, patches = tracePatches(trace)): string {
  return applyEdits(
    trace.startContent,
    patches.slice(0, n).map((p) => [p]),
  );
}

export interface TraceCommandOptions {
  /** The entry edited. */
  readonly id: number;
  /** The version the first edit is made against; each next one against its predecessor's. */
  readonly version: number;
  readonly author: string;
  /** The proposer's clock (default: now). */
  readonly time?: number;
}

/**
 * Edit commands for `patches`, one patch each, with predicted versions: the first against
 * `version`, each next one against the version its predecessor makes. That is one writer
 * typing, with no one else editing the entry meanwhile; the proposals of one peer take effect
 * in the order proposed, so the predictions hold.
 */
export function traceEditCommands(patches: readonly Patch[], o: TraceCommandOptions): Uint8Array[] {
  const time = o.time ?? Date.now();
  return patches.map((p, i) =>
    encodeCommand({
      type: 'edit',
      time,
      author: o.author,
      id: o.id,
      version: o.version + i,
      patches: [p],
    }),
  );
}

export interface ReplayResult {
  readonly edits: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  readonly ms: number;
}

/** Propose `commands` in order with up to `concurrency` outstanding (a fast typist's editor). */
export async function replay(
  commands: readonly Uint8Array[],
  propose: (command: Uint8Array) => Promise<unknown>,
  concurrency = 256,
): Promise<ReplayResult> {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < commands.length) {
      const c = commands[next++]!;
      try {
        await propose(c);
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { edits: commands.length, failed, firstError, ms: performance.now() - t0 };
}
