// `npm run chaos -- --minutes 30`: chaos rounds (test/chaos/README.md) until the time is up,
// alternating 3- and 5-peer clusters, then one summary line: operations, faults injected by
// kind, violations. Exit code 0 when no round found a violation, 1 when one did, 2 on a harness
// failure (FUSE missing for the power cuts included: `--no-power-cuts` runs without them); 0 with
// "SKIP: <reason>" where network namespaces cannot be made.
import { parseArgs } from 'node:util';
import { powerCutFsUnavailable } from '@synod/power-cut-fs';
import { checkAppliedLogs, checkHistory, checkReplicas } from './checks.mjs';
import { runRound } from './harness.mjs';
import { unavailableReason } from './net.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    'round-seconds': { type: 'string', default: '300' },
    peers: { type: 'string', default: '3,5' },
    clients: { type: 'string', default: '6' },
    'pace-ms': { type: 'string', default: '0' },
    seed: { type: 'string' },
    bug: { type: 'string', multiple: true, default: [] },
    'self-test': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    'no-power-cuts': { type: 'boolean', default: false },
  },
});
const powerCuts = !values['no-power-cuts'];

const totalSeconds =
  values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? '1') * 60;
const roundSeconds = Number(values['round-seconds']);
const sizes = values.peers.split(',').map(Number);
const seed0 = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000;
const log = values.quiet ? () => undefined : (/** @type {string} */ s) => console.error(s);

const reason = unavailableReason();
if (reason !== undefined) {
  console.log(`SKIP: chaos suite skipped: ${reason}`);
  if (values.json) console.log(JSON.stringify({ skipped: reason }));
  process.exit(0);
}
// Power cuts need FUSE: where it is missing the run fails (it never skips them silently).
const noFuse = powerCuts ? powerCutFsUnavailable() : undefined;
if (noFuse !== undefined) {
  console.error(`chaos harness failed: power cuts need FUSE: ${noFuse} (or run --no-power-cuts)`);
  if (values.json) console.log(JSON.stringify({ error: `power cuts need FUSE: ${noFuse}` }));
  process.exit(2);
}

/** @type {Record<string, number>} */
const ops = {};
/** @type {Record<string, number>} */
const faults = {};
/** @type {import('./checks.mjs').Violation[]} */
const violations = [];
/** @type {string[]} */
const notes = [];
/** @type {{ peers: number, seed: number, ops: number, violations: number }[]} */
const rounds = [];
let selfTest = /** @type {Record<string, number> | undefined} */ (undefined);
let mdnsFrames = 0;
let disksCut = 0;
let disksThatForgot = 0;
const started = Date.now();
const deadline = started + totalSeconds * 1000;
let interrupted = false;
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: finishing this round (again to abort)`);
  });
}

try {
  for (let i = 0; !interrupted; i++) {
    const left = (deadline - Date.now()) / 1000;
    // Each size runs at least once, however long a loaded machine makes the rounds; then rounds
    // until the time is up.
    if (i >= sizes.length && left < 20) break;
    const peers = sizes[i % sizes.length] ?? 3;
    const seconds = Math.max(10, Math.min(roundSeconds, Math.round(left) - 25));
    const seed = seed0 + i;
    const r = await runRound({
      peers,
      seconds,
      seed,
      clients: Number(values.clients),
      paceMs: Number(values['pace-ms']),
      bugs: values.bug,
      log,
      subnet: 7 + (i % 200),
      keep: values.keep,
      powerCuts,
    });
    for (const [k, v] of Object.entries(r.ops)) ops[k] = (ops[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + v;
    for (const v of r.violations)
      violations.push({ kind: v.kind, detail: `seed ${seed}: ${v.detail}` });
    notes.push(...r.notes.map((n) => `seed ${seed}: ${n}`));
    mdnsFrames += r.mdnsFrames;
    disksCut += r.disksCut;
    disksThatForgot += r.disksThatForgot;
    rounds.push({ peers, seed, ops: r.history.length, violations: r.violations.length });
    for (const v of r.violations) console.error(`VIOLATION (seed ${seed}) ${v.kind}: ${v.detail}`);
    if (values['self-test'] && selfTest === undefined) selfTest = doctor(r);
    if (r.violations.length > 0 && values.bug.length === 0) break;
  }
} catch (err) {
  console.error(`chaos harness failed: ${err instanceof Error ? err.stack : String(err)}`);
  if (values.json) console.log(JSON.stringify({ error: String(err) }));
  process.exit(2);
}

const byKind = /** @type {Record<string, number>} */ ({});
for (const v of violations) byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
const faultText = Object.entries(faults)
  .sort()
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
const totalFaults = Object.values(faults).reduce((a, b) => a + b, 0);
for (const n of notes) console.error(`note: ${n}`);
console.log(
  `chaos summary: ${Math.round((Date.now() - started) / 1000)} s, ${rounds.length} rounds (${rounds.map((r) => `${r.peers}p`).join(' ')}), seeds ${seed0}..${seed0 + rounds.length - 1}; operations ${ops.invoked ?? 0} (ok ${ops.ok ?? 0}, unknown ${ops.unknown ?? 0}, failed reads ${ops.readsFailed ?? 0}); faults ${totalFaults} (${faultText}); ${powerCuts ? `disks power-cut ${disksCut} (${disksThatForgot} forgot unsynced data)` : 'no power cuts'}; mDNS frames ${mdnsFrames}; violations ${violations.length}${violations.length > 0 ? ` (${JSON.stringify(byKind)})` : ''}`,
);
if (values.json) {
  console.log(
    JSON.stringify({
      rounds,
      ops,
      faults,
      violations,
      notes,
      selfTest,
      mdnsFrames,
      disksCut,
      disksThatForgot,
    }),
  );
}
process.exit(violations.length > 0 ? 1 : 0);

/**
 * Show that every check can fail: doctor a real round's records (a stale read, a lost write, a
 * command applied twice, diverging states and logs) and count what each check reports.
 * @param {import('./harness.mjs').RoundResult} r
 * @returns {Record<string, number>}
 */
function doctor(r) {
  /** @type {Record<string, number>} */
  const found = {};
  const kinds = (/** @type {import('./checks.mjs').Violation[]} */ vs, /** @type {string} */ k) =>
    vs.filter((v) => v.kind === k).length;
  // A stale read: after an acknowledged put completed, a read returns the value it replaced.
  const put = r.history.find(
    (o) => o.input.op === 'put' && o.ret !== Infinity && o.output !== undefined,
  );
  if (put !== undefined) {
    const stale = {
      client: 'doctored',
      input: { op: /** @type {const} */ ('get'), key: put.input.key },
      output: put.output,
      call: put.ret + 0.001,
      ret: put.ret + 0.002,
    };
    found.staleRead = kinds(checkHistory([...r.history, stale]).violations, 'linearizability');
  }
  const acked = r.history.find(
    (o) => o.input.op !== 'get' && o.ret !== Infinity && o.id !== undefined,
  );
  const [first] = r.replicas;
  if (acked !== undefined && first !== undefined && acked.id !== undefined) {
    const lost = { ...first, appliedIds: { ...first.appliedIds } };
    delete lost.appliedIds[acked.id];
    found.lostWrite = kinds(checkReplicas(r.history, [lost, ...r.replicas.slice(1)]), 'lost-write');
    const twice = { ...first, appliedIds: { ...first.appliedIds, [acked.id]: 2 } };
    found.appliedTwice = kinds(
      checkReplicas(r.history, [twice, ...r.replicas.slice(1)]),
      'exactly-once',
    );
    const key = Object.keys(first.data)[0] ?? 'x';
    const other = { ...first, peer: 'doctored', data: { ...first.data, [key]: 'bogus' } };
    found.divergedState = kinds(checkReplicas(r.history, [...r.replicas, other]), 'divergence');
  }
  const [log0] = r.logs;
  if (log0 !== undefined) {
    const lines = log0.text.split('\n');
    const i = lines.findIndex((l) => l.split(' ').length === 6);
    const parts = (lines[i] ?? '').split(' ');
    parts[5] = 'ffffffffffffffff';
    const doctoredLog = { name: 'doctored', text: parts.join(' ') + '\n' };
    found.divergedLog = kinds(
      checkAppliedLogs([...r.logs, doctoredLog]).violations,
      'log-divergence',
    );
  }
  found.original =
    checkHistory(r.history).violations.length +
    checkReplicas(r.history, r.replicas).length +
    checkAppliedLogs(r.logs).violations.length;
  console.error(
    `self-test (doctored records; each must be > 0, original 0): ${JSON.stringify(found)}`,
  );
  return found;
}
