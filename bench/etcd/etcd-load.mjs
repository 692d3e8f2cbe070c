#!/usr/bin/env node
// Closed-loop load on a 3-member etcd cluster through its JSON gateway (etcd 3.4: /v3/kv/put),
// ported from the etcd anchor's bench.mjs (../shared/anchors/etcd/bench.mjs) with the same
// method: C workers, each with exactly one put in flight (send, await the full response,
// repeat), node:http with a keep-alive agent, unique keys, 100-byte values; requests that start
// in the warm-up or end after the window are not counted; a put counts only with HTTP 200 and a
// header.revision; afterwards the revision delta must equal the successful puts. It adds the
// p999 the Synod side reports, and the same nearest-rank percentiles as bench/lib/common.mjs.
//
//   node bench/etcd/etcd-load.mjs --conc 64 [--duration 5] [--warmup 1] [--value-size 100]
//
// Prints one JSON line.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { benchArgs } from '../lib/args.mjs';
import { latencySummary, parseJson } from '../lib/common.mjs';

const { values: opts } = benchArgs({
  options: {
    conc: { type: 'string', default: '1' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'value-size': { type: 'string', default: '100' },
    endpoints: {
      type: 'string',
      default: 'http://127.0.0.1:23790,http://127.0.0.1:23791,http://127.0.0.1:23792',
    },
  },
});
const CONC = Number(opts.conc);
const DURATION_S = Number(opts.duration);
const WARMUP_S = Number(opts.warmup);
const VALUE_SIZE = Number(opts['value-size']);
const ENDPOINTS = opts.endpoints.split(',');

const agent = new http.Agent({
  keepAlive: true,
  maxSockets: CONC + 4,
  maxFreeSockets: CONC + 4,
});

/**
 * @param {string} endpoint @param {string} path @param {string} body
 * @returns {Promise<{ status: number, body: string }>}
 */
function post(endpoint, path, body) {
  const u = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** @param {string} endpoint @param {string} path @returns {Promise<string>} */
function get(endpoint, path) {
  const u = new URL(endpoint);
  return new Promise((resolve, reject) => {
    http
      .get({ host: u.hostname, port: u.port, path, agent }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * @typedef {{ header?: { member_id?: string, revision?: string }, leader?: string,
 *   error?: string, code?: number, message?: string }} EtcdAnswer
 * @param {string} text @returns {EtcdAnswer}
 */
const parse = (text) => /** @type {EtcdAnswer} */ (parseJson(text));

/** @param {string} ep */
async function memberStatus(ep) {
  const j = parse((await post(ep, '/v3/maintenance/status', '{}')).body);
  return {
    ep,
    memberId: j.header?.member_id,
    leader: j.leader,
    revision: Number(j.header?.revision ?? NaN),
  };
}

async function findLeader() {
  const st = await Promise.all(ENDPOINTS.map(memberStatus));
  const l = st.find((s) => s.memberId === s.leader);
  if (l === undefined) throw new Error(`no leader found: ${JSON.stringify(st)}`);
  return l.ep;
}

const FSYNC = 'etcd_disk_wal_fsync_duration_seconds_count';
/** WAL fsyncs so far, per member. @param {string} ep */
async function walFsyncs(ep) {
  const line = (await get(ep, '/metrics')).split('\n').find((l) => l.startsWith(`${FSYNC} `));
  return line === undefined ? NaN : Number(line.slice(FSYNC.length + 1));
}

const b64 = (/** @type {string} */ s) => Buffer.from(s).toString('base64');
/** Wall-clock ms, comparable with the Synod side's. */
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const leader = await findLeader();
  const runId = `${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const value64 = randomBytes(VALUE_SIZE).toString('base64');
  const fsyncsBefore = await Promise.all(ENDPOINTS.map(walFsyncs));
  const revBefore = (await memberStatus(leader)).revision;
  /** @type {number[]} */
  const lat = [];
  /** @type {Record<string, number>} */
  const errors = {};
  let okTotal = 0;
  let okWindow = 0;
  let errWindow = 0;
  const t0 = now();
  const tStart = t0 + WARMUP_S * 1000;
  const tEnd = tStart + DURATION_S * 1000;
  /** @param {string} kind @param {boolean} inWindow */
  const countErr = (kind, inWindow) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (inWindow) errWindow++;
  };
  /** @param {number} w */
  const worker = async (w) => {
    let seq = 0;
    const prefix = `bench/p/${runId}/${w}/`;
    for (;;) {
      const s = now();
      if (s >= tEnd) return;
      const body = `{"key":"${b64(prefix + seq++)}","value":"${value64}"}`;
      /** @type {{ status: number, body: string }} */
      let r;
      try {
        r = await post(leader, '/v3/kv/put', body);
      } catch (e) {
        const code = /** @type {{ code?: string }} */ (e).code;
        countErr(`net:${code ?? String(e)}`, s >= tStart && now() <= tEnd);
        continue;
      }
      const e = now();
      const inWindow = s >= tStart && e <= tEnd;
      if (r.status !== 200) {
        countErr(`http${r.status}:${r.body.slice(0, 80)}`, inWindow);
        continue;
      }
      /** @type {EtcdAnswer} */
      let j;
      try {
        j = parse(r.body);
      } catch {
        countErr('badjson', inWindow);
        continue;
      }
      if (j.error !== undefined || j.code !== undefined) {
        countErr(`etcd:${j.message ?? j.error}`, inWindow);
      } else if (j.header?.revision === undefined) {
        countErr('noheader', inWindow);
      } else {
        okTotal++;
        if (inWindow) {
          okWindow++;
          lat.push(e - s);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONC }, (_, w) => worker(w)));
  const revAfter = (await memberStatus(leader)).revision;
  const fsyncsAfter = await Promise.all(ENDPOINTS.map(walFsyncs));
  const l = latencySummary(lat);
  const fsyncs = fsyncsAfter.map((a, i) => a - fsyncsBefore[i]);
  console.log(
    JSON.stringify({
      client: 'node-http-json-gateway',
      conc: CONC,
      leader,
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      valueSize: VALUE_SIZE,
      okInWindow: okWindow,
      errorsInWindow: errWindow,
      opsPerSec: okWindow / DURATION_S,
      p50: l.p50,
      p99: l.p99,
      p999: l.p999,
      mean: l.mean,
      max: l.max,
      okTotal,
      errors,
      revisionDelta: revAfter - revBefore,
      revisionCheck: revAfter - revBefore === okTotal ? 'ok' : 'MISMATCH',
      walFsyncs: fsyncs,
      putsPerLeaderFsync: okTotal / Math.max(...fsyncs),
      windowStart: tStart,
      windowEnd: tEnd,
    }),
  );
  agent.destroy();
}

main().catch((/** @type {unknown} */ e) => {
  console.error(e);
  process.exit(1);
});
