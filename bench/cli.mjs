#!/usr/bin/env node
// CLI start benchmark (issue 17): how long a `synod` client subcommand takes from its spawn to
// its first byte of output, and the CPU it uses, against a bare `node -e 0` in the same run
// (the floor no CLI on Node goes under). One peer runs (`synod start`: SQLite, libp2p on
// 127.0.0.1, mDNS off) with a few entries; each command runs --runs times, interleaved with
// the others so that the machine's load falls on all alike. CPU is user + system time of the
// child (GNU time); the 1-minute load average is recorded beside each run.
//
// Each command also runs under SCHED_FIFO (`chrt -f 10`, root only): the other sessions on a
// shared machine then cannot delay it, which shows its latency on an idle machine (the peer
// that answers keeps its normal priority).
//
//   npm run bench -- cli [--runs 15]
//
// Writes bench/results/cli-<date>.json and appends a section to bench/REPORT.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import {
  appendReport,
  fmt,
  log,
  machineInfo,
  machineLine,
  ROOT,
  saveResults,
  summary,
  table,
  versionsLine,
} from './lib/common.mjs';

const { values: opts } = benchArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(opts.runs);
const SYNOD = join(ROOT, 'packages/desktop-app/bin/synod.cjs');
const TIME = '/usr/bin/time';
const dir = mkdtempSync(join(tmpdir(), 'synod-bench-cli-'));
const data = join(dir, 'alice');

/**
 * Spawn `args` under GNU time; resolves with ms to the first stdout byte, ms to exit, and the
 * child's CPU ms.
 * @param {string[]} args @returns {Promise<{ first: number, total: number, cpu: number }>}
 */
function measure(args) {
  return new Promise((resolve, reject) => {
    const cpuFile = join(dir, 'cpu');
    const t0 = performance.now();
    let first = NaN;
    const child = spawn(TIME, ['-f', '%U %S', '-o', cpuFile, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.once('data', () => (first = performance.now() - t0));
    child.stdout.resume();
    child.once('error', reject);
    child.once('exit', (code) => {
      const total = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ');
      resolve({ first, total, cpu: (Number(user) + Number(sys)) * 1000 });
    });
  });
}

/** @param {import('node:child_process').ChildProcess} child @param {RegExp} re */
function waitForLine(child, re) {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (/** @type {Buffer} */ d) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m !== null) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`synod start exited ${code}:\n${buf}`)));
  });
}

const machine = machineInfo(tmpdir());
log(`cli bench: ${RUNS} runs of each command`);
await measure([process.execPath, SYNOD, 'init', '--data', data, '--name', 'alice']);
const peer = spawn(
  process.execPath,
  [SYNOD, 'start', '--data', data, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-ui'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  await waitForLine(peer, /^synod: local API on /m);
  for (let i = 0; i < 5; i++) {
    await measure([process.execPath, SYNOD, 'append', `entry ${i}`, 'body', '--data', data]);
  }
  /** @type {[string, string[]][]} */
  const commands = [
    ['node -e 0 (the floor)', [process.execPath, '-e', 'process.stdout.write("x")']],
    ['synod --version', [process.execPath, SYNOD, '--version']],
    ['synod status', [process.execPath, SYNOD, 'status', '--data', data]],
    ['synod list', [process.execPath, SYNOD, 'list', '--data', data]],
    ['synod show 1', [process.execPath, SYNOD, 'show', '1', '--data', data]],
    ['synod log --limit 5', [process.execPath, SYNOD, 'log', '--limit', '5', '--data', data]],
  ];
  // Under SCHED_FIFO too, when root can set it (see the header).
  const modes = process.getuid?.() === 0 ? ['normal', 'SCHED_FIFO'] : ['normal'];
  /** @type {{command: string, mode: string, args: string[], first: number[], total: number[], cpu: number[], load: number[]}[]} */
  const cells = modes.flatMap((mode) =>
    commands.map(([command, args]) => ({
      command,
      mode,
      args: mode === 'normal' ? args : ['chrt', '-f', '10', ...args],
      first: [],
      total: [],
      cpu: [],
      load: [],
    })),
  );
  for (let run = 0; run < RUNS; run++) {
    for (const c of cells) {
      const r = await measure(c.args);
      c.first.push(r.first);
      c.total.push(r.total);
      c.cpu.push(r.cpu);
      c.load.push(loadavg()[0]);
    }
  }
  const rows = cells.map((c) => ({
    command: c.command,
    mode: c.mode,
    firstOutputMs: summary(c.first),
    exitMs: summary(c.total),
    cpuMs: summary(c.cpu),
    load1: summary(c.load),
  }));
  /** The floor measured in the same mode. @param {(typeof rows)[number]} r */
  const floorOf = (r) => rows.find((x) => x.mode === r.mode && x.command === commands[0][0]);
  const date = new Date().toISOString();
  const file = saveResults('cli', date, { date, runs: RUNS, machine, rows });
  const lines = [
    `## CLI start (${date.slice(0, 10)}, ${RUNS} runs of each, interleaved)`,
    '',
    machineLine(machine),
    versionsLine(machine),
    '',
    'Time from spawn to the first byte of output, and CPU (user + system) of the process;',
    'medians, [min–max]. Client subcommands talk to a running peer over its local API.',
    '',
    ...table(
      ['command', 'scheduling', 'first output ms', 'CPU ms', 'CPU over the floor', 'load (1 min)'],
      rows.map((r) => [
        r.command,
        r.mode,
        `${fmt(r.firstOutputMs.median)} [${fmt(r.firstOutputMs.min)}–${fmt(r.firstOutputMs.max)}]`,
        `${fmt(r.cpuMs.median)} [${fmt(r.cpuMs.min)}–${fmt(r.cpuMs.max)}]`,
        r === floorOf(r) ? '' : `+${fmt(r.cpuMs.median - (floorOf(r)?.cpuMs.median ?? NaN))}`,
        fmt(r.load1.median),
      ]),
    ),
    '',
    `Goal: a client subcommand's first output within 150 ms. Results: bench/results/${file}.`,
  ];
  await appendReport(lines);
  console.log(lines.join('\n'));
} finally {
  peer.kill('SIGTERM');
  await new Promise((resolve) => peer.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
