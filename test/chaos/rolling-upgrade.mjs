#!/usr/bin/env node
// The rolling-upgrade run (issue 16; test/rolling-upgrade.test.ts runs it): 3 peers of release N
// (this code) with a client workload going on, upgraded one by one to a release N+1 — the
// transport's simulated next release (src/next-release.ts: wire version 3 offered first, a new
// field in a message the old release knows, a message of a new type and a new frame field in
// every frame it sends) — and then back, one by one. Each step stops a peer gracefully and
// starts its data directory again on the other release, and waits until it has caught up and
// writes went through with it. At the end: no acknowledged write lost, the same state and the
// same applied log everywhere, the history linearizable (the chaos suite's checks), and, on the
// way, the protocol each pair of peers spoke (3 between two N+1 peers, 2 across releases) and
// the new messages the old release skipped.
//
//   node test/chaos/rolling-upgrade.mjs [--seed N] [--keep]
//
// Prints progress on stderr and one JSON summary as the last line of stdout; exit 0 when no
// violation, 1 otherwise, 2 when the run itself failed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Prng } from '@synod/core/testing';
import { checkAppliedLogs, checkHistory, checkReplicas } from './checks.mjs';
import { PeerProcess } from './peer-process.mjs';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } },
});
const seed = Number(args.seed);
const base = mkdtempSync(join(tmpdir(), 'synod-rolling-'));
const t0 = performance.now();
const say = (/** @type {string} */ s) =>
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${s}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const logId = 'rolling-upgrade';

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/**
 * Poll until `check` returns a value other than undefined, or throw after `ms`.
 * @template T
 * @param {string} what
 * @param {() => Promise<T | undefined> | T | undefined} check
 * @returns {Promise<T>}
 */
async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * @typedef {{ n: number, dir: string, port: number, id: string, release: 'N' | 'N+1',
 *   proc: PeerProcess | undefined, restarting: boolean, inFlight: number }} Host
 */
/** @type {Host[]} */
const hosts = [];
const addr = (/** @type {Host} */ h) => `/ip4/127.0.0.1/tcp/${h.port}/p2p/${h.id}`;

/** Start (or start again) host `h`'s peer on its release. */
async function launch(/** @type {Host} */ h, init = false) {
  const config = {
    dir: h.dir,
    logId,
    listen: [`/ip4/127.0.0.1/tcp/${h.port}`],
    bootstrap: hosts.filter((o) => o !== h && o.id !== '').map(addr),
    mdns: false,
    init,
    opTimeoutMs: 3000,
    protocol: { snapshotInterval: 300, logRetention: 300 },
    nextRelease: h.release === 'N+1',
  };
  const p = new PeerProcess(undefined, config, say, `p${h.n}`);
  const ready = await p.ready;
  h.proc = p;
  h.id = String(ready.id);
}

/** @param {Host} h @param {string} cmd @param {Record<string, unknown>} [a] */
async function ask(h, cmd, a = {}, timeoutMs = 10_000) {
  const r = await h.proc?.request(cmd, a, timeoutMs);
  if (r?.ok !== true) {
    throw new Error(`p${h.n} ${cmd}: ${typeof r?.error === 'string' ? r.error : 'not running'}`);
  }
  return r;
}

/**
 * @typedef {{ initialized: boolean, slotOut: number, config: { acceptors: string[] } | null,
 *   activeLeader: string | null, connected: string[], protocols: Record<string, number | null> }}
 *   Status
 */
/**
 * @typedef {{ framesDropped: Record<string, number>, unknownMessages: number }} Metrics
 * @returns {Promise<{ status: Status, metrics: Metrics }>}
 */
async function statusOf(/** @type {Host} */ h) {
  /** @type {unknown} */
  const r = await ask(h, 'status');
  return /** @type {{ status: Status, metrics: Metrics }} */ (r);
}

// ------------------------------------------------------------------ the workload

/** @type {import('./checks.mjs').Op[]} */
const history = [];
const ops = { ok: 0, unknown: 0, reads: 0 };
let running = true;
let epoch = 0;
let nextProcess = 0;
let opCounter = 0;

/** One client: sequential operations on one peer (any other while it restarts). */
async function client(/** @type {number} */ c) {
  const rng = new Prng(seed * 1000 + c);
  let processId = nextProcess++;
  while (running) {
    const up = hosts.filter((h) => h.proc !== undefined && !h.proc.exited && !h.restarting);
    const target = up[(c + processId) % Math.max(1, up.length)];
    if (target === undefined) {
      await sleep(50);
      continue;
    }
    const key = `e${epoch}k${Math.floor(rng.next() * 3)}`;
    const r = rng.next();
    /** @type {'put' | 'append' | 'get'} */
    const kind = r < 0.35 ? 'put' : r < 0.7 ? 'append' : 'get';
    const opId = `c${c}-${opCounter++}`;
    const value = `${opId}.`;
    const call = performance.now();
    target.inFlight++;
    const a = await target.proc
      ?.request('op', { op: kind, key, value, opId, timeoutMs: 3000 }, 4000)
      .finally(() => target.inFlight--);
    const ret = performance.now();
    if (kind === 'get') {
      if (a?.ok === true) {
        history.push({
          client: `p${processId}`,
          input: { op: 'get', key },
          output: String(a.value),
          call,
          ret,
        });
        ops.reads++;
      } else processId = nextProcess++;
      continue;
    }
    const input = { op: kind, key, value };
    if (a?.ok === true) {
      history.push({
        client: `p${processId}`,
        input,
        output: String(a.value),
        call,
        ret,
        id: opId,
      });
      ops.ok++;
    } else {
      // Timed out, or its peer stopped for the upgrade: it may still take effect.
      history.push({
        client: `p${processId}`,
        input,
        output: undefined,
        call,
        ret: Infinity,
        id: opId,
      });
      ops.unknown++;
      processId = nextProcess++;
      await sleep(50);
    }
  }
}

// ------------------------------------------------------------------ the run

/** @type {import('./checks.mjs').Violation[]} */
const violations = [];
/** Per step: the release of each peer, and the protocol each pair spoke. */
const steps = [];
/** @type {Record<string, number>} */
const skipped = { unknownMessages: 0, badFrames: 0 };

/** The protocol each pair of running peers speaks now (once every link is up). */
async function protocolsNow() {
  return until('every link up', async () => {
    const all = await Promise.all(hosts.map((h) => statusOf(h)));
    /** @type {Record<string, number>} */
    const pairs = {};
    for (const [i, h] of hosts.entries()) {
      for (const o of hosts) {
        if (o === h) continue;
        const v = all[i].status.protocols[o.id];
        if (v === null || v === undefined || !all[i].status.connected.includes(o.id)) {
          return undefined;
        }
        pairs[`p${h.n}-p${o.n}`] = v;
      }
    }
    return pairs;
  });
}

/** Stop `h`, start it on `release`, and wait until it caught up and writes go through. */
async function restartOn(/** @type {Host} */ h, /** @type {'N' | 'N+1'} */ release) {
  const others = hosts.filter((o) => o !== h);
  // The clients move to the others first (an operation sent to a stopping peer is a lost one).
  h.restarting = true;
  await until(`p${h.n}'s operations to end`, () =>
    Promise.resolve(h.inFlight === 0 ? true : undefined),
  );
  await ask(h, 'stop', {}, 15_000).catch(() => h.proc?.signal('SIGKILL'));
  await h.proc?.exit;
  h.release = release;
  await launch(h);
  h.restarting = false;
  const target = Math.max(
    ...(await Promise.all(others.map(statusOf))).map((s) => s.status.slotOut),
  );
  const okBefore = ops.ok;
  await until(`p${h.n} to catch up on release ${release}`, async () => {
    const s = await statusOf(h);
    return s.status.initialized && s.status.slotOut >= target && ops.ok >= okBefore + 10
      ? true
      : undefined;
  });
  const protocols = await protocolsNow();
  steps.push({ releases: hosts.map((o) => o.release), protocols });
  say(`p${h.n} on ${release}: ${JSON.stringify(protocols)}`);
  await noteSkipped();
}

/** What the peers of release N skipped of N+1's frames so far (their counters since start). */
async function noteSkipped() {
  for (const h of hosts) {
    const m = (await statusOf(h)).metrics;
    const bad =
      m.framesDropped.malformed + m.framesDropped.invalid + m.framesDropped['unknown-version'];
    skipped.badFrames = Math.max(skipped.badFrames, bad);
    if (h.release === 'N')
      skipped.unknownMessages = Math.max(skipped.unknownMessages, m.unknownMessages);
  }
}

let code = 0;
/** @type {Record<string, unknown>} */
let summary = {};
try {
  for (let n = 0; n < 3; n++) {
    hosts.push({
      n,
      dir: join(base, `p${n}`),
      port: await freePort(),
      id: '',
      release: 'N',
      proc: undefined,
      restarting: false,
      inFlight: 0,
    });
  }
  await launch(hosts[0], true);
  for (const h of hosts.slice(1)) await launch(h);
  for (const h of hosts.slice(1)) {
    const invite = await ask(hosts[0], 'invite');
    await ask(h, 'join', { invite: invite.text, timeoutMs: 30_000 }, 35_000);
  }
  await until('3 acceptors everywhere', async () => {
    const all = await Promise.all(hosts.map(statusOf));
    return all.every((s) => s.status.config?.acceptors.length === 3) ? true : undefined;
  });
  steps.push({ releases: hosts.map((o) => o.release), protocols: await protocolsNow() });
  say(`cluster up on release N: ${JSON.stringify(steps[0].protocols)}`);

  const epochs = setInterval(() => epoch++, 5000);
  const clients = Array.from({ length: 4 }, (_, c) => client(c));
  await until('the first writes', () => (ops.ok >= 20 ? true : undefined));
  for (const h of hosts) await restartOn(h, 'N+1');
  for (const h of hosts) await restartOn(h, 'N');
  running = false;
  await Promise.all(clients);
  clearInterval(epochs);

  // Every peer applies the same slots, then the checks.
  await until('the same slot_out everywhere', async () => {
    const all = await Promise.all(hosts.map(statusOf));
    return new Set(all.map((s) => s.status.slotOut)).size === 1 ? true : undefined;
  });
  const replicas = await Promise.all(
    hosts.map(async (h) => {
      /** @type {unknown} */
      const r = await ask(h, 'state');
      const { data, appliedIds } =
        /** @type {{ data: Record<string, string>, appliedIds: Record<string, number> }} */ (r);
      return { peer: `p${h.n}`, data, appliedIds };
    }),
  );
  const lin = checkHistory(history);
  violations.push(...lin.violations, ...checkReplicas(history, replicas));
  const logs = checkAppliedLogs(
    hosts.map((h) => ({ name: `p${h.n}`, text: readFileSync(join(h.dir, 'applied.log'), 'utf8') })),
  );
  violations.push(...logs.violations);
  summary = {
    seed,
    seconds: Math.round((performance.now() - t0) / 1000),
    ops: { ...ops, history: history.length },
    inconclusiveKeys: lin.inconclusive,
    slots: logs.slots,
    steps,
    skipped,
    violations,
  };
  code = violations.length === 0 ? 0 : 1;
} catch (err) {
  summary = { seed, error: err instanceof Error ? (err.stack ?? err.message) : String(err), steps };
  code = 2;
} finally {
  running = false;
  await Promise.all(
    hosts.map(async (h) => {
      if (h.proc !== undefined && !h.proc.exited) {
        await h.proc.request('stop', {}, 5000);
        h.proc.signal('SIGKILL');
      }
    }),
  );
  if (!args.keep) rmSync(base, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(code);
