// The chaos suite's checks (test/chaos/README.md), as pure functions over what a run recorded,
// so that the self-test can feed them doctored inputs and show that each one can fail.
import { checkLinearizable, kvModel } from '@synod/core/testing';

/**
 * @typedef {import('@synod/core/testing').Operation<import('@synod/core/testing').KvInput, string> & { id?: string }} Op
 * @typedef {{ peer: string, data: Record<string, string>, appliedIds: Record<string, number> }} ReplicaState
 * @typedef {{ kind: string, detail: string }} Violation
 */

/**
 * Linearizability of the client history, key by key (P-compositionality), with every violating
 * key reported.
 * @param {readonly Op[]} history
 * @returns {{ violations: Violation[], inconclusive: number, keys: number }}
 */
export function checkHistory(history) {
  /** @type {Map<string, Op[]>} */
  const byKey = new Map();
  for (const op of history) {
    let list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, (list = []));
    list.push(op);
  }
  /** @type {Violation[]} */
  const violations = [];
  let inconclusive = 0;
  for (const [key, ops] of byKey) {
    const r = checkLinearizable(kvModel, ops, 500_000);
    if (r.inconclusive === true) inconclusive++;
    if (!r.ok) {
      const lines = r.counterexample ?? [];
      violations.push({
        kind: 'linearizability',
        detail: `key ${key}: no linearization of its ${ops.length} operations:\n  ${lines.slice(0, 60).join('\n  ')}${lines.length > 60 ? `\n  ... ${lines.length - 60} more` : ''}`,
      });
    }
  }
  return { violations, inconclusive, keys: byKey.size };
}

/**
 * Durability, exactly-once and agreement of the final replica states.
 * @param {readonly Op[]} history
 * @param {readonly ReplicaState[]} replicas
 * @returns {Violation[]}
 */
export function checkReplicas(history, replicas) {
  /** @type {Violation[]} */
  const violations = [];
  const issued = new Set();
  for (const op of history) if (op.id !== undefined) issued.add(op.id);
  for (const r of replicas) {
    for (const [id, n] of Object.entries(r.appliedIds)) {
      if (n > 1) {
        violations.push({
          kind: 'exactly-once',
          detail: `${r.peer} applied command ${id} ${n} times`,
        });
      }
      if (!issued.has(id)) {
        violations.push({ kind: 'phantom', detail: `${r.peer} applied ${id}, never issued` });
      }
    }
    for (const op of history) {
      if (op.input.op === 'get' || op.ret === Infinity || op.id === undefined) continue;
      if (r.appliedIds[op.id] === undefined) {
        violations.push({
          kind: 'lost-write',
          detail: `${r.peer} lacks acknowledged ${op.input.op} ${op.id} (${op.input.key})`,
        });
      }
    }
  }
  const [first, ...rest] = replicas;
  if (first !== undefined) {
    const a = JSON.stringify(sorted(first.data));
    const ids = JSON.stringify(sorted(first.appliedIds));
    for (const r of rest) {
      if (JSON.stringify(sorted(r.data)) !== a) {
        violations.push({
          kind: 'divergence',
          detail: `${r.peer}'s state differs from ${first.peer}'s: ${diff(first.data, r.data)}`,
        });
      }
      if (JSON.stringify(sorted(r.appliedIds)) !== ids) {
        violations.push({
          kind: 'divergence',
          detail: `${r.peer}'s applied command ids differ from ${first.peer}'s`,
        });
      }
    }
  }
  return violations;
}

/** `slot index kind client seq hash` (peer.mjs); zeros (a torn sector) never match. */
const APPLIED_LINE = /^\d+ \d+ [^\s\0]+ [^\s\0]+ \d+ [0-9a-f]{16}$/;

/**
 * Agreement of the applied logs: every line (slot, position in the slot) that two peers, or two
 * incarnations of one peer, recorded must be the same command.
 * @param {readonly { name: string, text: string }[]} logs
 * @returns {{ violations: Violation[], slots: number, lines: number }}
 */
export function checkAppliedLogs(logs) {
  /** @type {Map<string, { line: string, from: string }>} */
  const seen = new Map();
  /** @type {Violation[]} */
  const violations = [];
  const slots = new Set();
  let lines = 0;
  for (const { name, text } of logs) {
    for (const line of text.split('\n')) {
      // A SIGKILL may cut the last line short, and a torn power cut may leave zeros where
      // unsynced sectors were: only whole, well-formed lines count.
      if (!APPLIED_LINE.test(line)) continue;
      const parts = line.split(' ');
      lines++;
      const at = `${parts[0]}/${parts[1]}`;
      slots.add(parts[0]);
      const what = parts.slice(2).join(' ');
      const prev = seen.get(at);
      if (prev === undefined) seen.set(at, { line: what, from: name });
      else if (prev.line !== what && violations.length < 20) {
        violations.push({
          kind: 'log-divergence',
          detail: `slot ${parts[0]} entry ${parts[1]}: ${prev.from} applied "${prev.line}", ${name} applied "${what}"`,
        });
      }
    }
  }
  return { violations, slots: slots.size, lines };
}

/** @param {Record<string, unknown>} o */
function sorted(o) {
  return Object.keys(o)
    .sort()
    .map((k) => [k, o[k]]);
}

/**
 * @param {Record<string, string>} a
 * @param {Record<string, string>} b
 */
function diff(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = [];
  for (const k of keys) {
    if (a[k] !== b[k]) out.push(`${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`);
    if (out.length >= 3) break;
  }
  return out.join('; ');
}
