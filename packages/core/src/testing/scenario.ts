/**
 * Data-driven scenario scripts, in the manner of etcd-io/raft's testdata/*.txt (and
 * cockroachdb/datadriven): a file holds commands, each followed by `----` and the output it
 * must print. `runScenario` executes a script against a SimCluster and returns the file as it
 * should read; a test compares it with the file on disk, and rewrites it when asked
 * (`UPDATE_SCENARIOS=1`).
 *
 * Commands (peers are named p1, p2, ...; messages are held until delivered unless `net auto`):
 *   log-create p1 p2 p3 [window=N] [snapshot-interval=N] [retention=N] [batch=N]
 *              [catchup-max=N] [max-slots-ahead=N]   a log with these members and options
 *   start p4                 start a peer with no state (it joins when added)
 *   tick [ms]                let time pass (default one tick, 10 ms)
 *   propose p1 <key> <value> an append of <value> to <key> at p1's client
 *   propose-many p1 N        N appends, printing only how many completed
 *   read p1 <key>            a linearizable read
 *   deliver [from=p1] [to=p2] [type=p2a] [slot=N] [cfg=N]   deliver held messages that match,
 *                            printing them
 *   drop [from=] [to=] [type=] [slot=] [cfg=]        drop held messages that match
 *   drop-all                 drop every held message, printing how many of each type
 *   stabilize [ms]           deliver everything (network auto) for a while, print a summary
 *   net manual|auto          hold messages for `deliver`, or deliver them after a delay
 *   partition p1 | p2 p3     cut the network between the groups; `heal` restores it
 *   lose p1 p2 decision,p2b  messages of these types from p1 to p2 are lost until `heal`
 *   crash p1 / restart p1 / sleep p1 / wake p1
 *   crash-before-write p1    p1 crashes in its next turn that writes, after sending what that turn
 *                            may send at once (a leader's P2a) and before its write completes
 *   transfer p1 p2           p1, the leader, hands leadership over to p2
 *   reconfig p1 add|remove|learner p4     a membership change proposed at p1
 *   replace p1 p3 p4         proposed at p1: p4 takes p3's place
 *   status [p1 ...]          roles, ballot, leader, slotIn/slotOut of each peer
 *   state [p1 ...]           the key-value state of each peer
 *   storage [p1 ...]         how many decisions and pvalues each peer's storage holds
 *   results                  client operations completed since the last `results`
 *   pending [p1 ...]         client operations not answered yet (a failed read is answered)
 *   check                    the simulator's end checks (exactly once, convergence of the
 *                            members at one slot, linearizability of every result so far):
 *                            `ok`, or each VIOLATION
 */
import { formatBallot } from '../ballot.js';
import type { BugName } from '../bugs.js';
import { membersOf, type Membership } from '../configuration.js';
import type { Message } from '../messages.js';
import { SimCluster, type InFlight } from './sim-cluster.js';
import { checkOutcome } from './simulator.js';

interface Directive {
  readonly cmd: string;
  readonly args: string[];
  readonly line: string;
}

interface Block {
  readonly comments: string[];
  readonly directive: Directive;
  readonly expected: string;
}

/** Parse a scenario file into blocks of (comments, command, expected output). */
export function parseScenario(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      if (comments.length > 0) comments.push('');
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      continue;
    }
    const [cmd, ...args] = line.trim().split(/\s+/);
    if (lines[i + 1] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${line}"`);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    while (comments.length > 0 && comments[comments.length - 1] === '') comments.pop();
    blocks.push({
      comments,
      directive: { cmd: cmd!, args, line: line.trim() },
      expected: out.join('\n'),
    });
    comments = [];
  }
  return blocks;
}

export interface ScenarioResult {
  /** The file as it should read, with every command's actual output. */
  readonly text: string;
  /** Commands whose output differs from the file. */
  readonly mismatches: { line: string; expected: string; actual: string }[];
}

/**
 * Run a script. `bugs` switches on injected bugs (the test shows that a script that must pass
 * fails with the bug it is about).
 */
export function runScenario(text: string, seed = 1, bugs: readonly BugName[] = []): ScenarioResult {
  const runner = new ScenarioRunner(seed, new Set(bugs));
  const out: string[] = [];
  const mismatches: ScenarioResult['mismatches'] = [];
  for (const b of parseScenario(text)) {
    let actual: string;
    try {
      actual = runner.run(b.directive).trimEnd() || 'ok';
    } catch (err) {
      actual = `error: ${(err as Error).message}`;
    }
    if (actual !== b.expected)
      mismatches.push({ line: b.directive.line, expected: b.expected, actual });
    if (out.length > 0) out.push('');
    out.push(...b.comments, b.directive.line, '----', actual);
  }
  return { text: `${out.join('\n')}\n`, mismatches };
}

function describe(m: Message): string {
  switch (m.type) {
    case 'p1a':
      return `p1a cfg=${m.config} ${formatBallot(m.ballot)} from=${m.fromSlot}`;
    case 'p1b':
      return `p1b cfg=${m.config} ${formatBallot(m.ballot)} accepted=[${m.accepted.map((p) => `${p.slot}@${formatBallot(p.ballot)}`).join(' ')}] wm=${m.watermark}`;
    case 'p2a':
      return `p2a cfg=${m.config} ${formatBallot(m.ballot)} slot=${m.slot}`;
    case 'p2b':
      return `p2b cfg=${m.config} ${formatBallot(m.ballot)} slot=${m.slot}`;
    case 'decision':
      return `decision slot=${m.slot}`;
    case 'request':
      return `request hops=${m.hops}`;
    case 'heartbeat':
      return `heartbeat cfg=${m.config} ${formatBallot(m.ballot)} slotOut=${m.slotOut}`;
    case 'heartbeatAck':
      return `heartbeatAck cfg=${m.config} ${formatBallot(m.ballot)}`;
    case 'transfer':
      return `transfer cfg=${m.config} ${formatBallot(m.ballot)} to=${m.to}`;
    case 'readIndexReq':
      return `readIndexReq`;
    case 'readIndexResp':
      return `readIndexResp index=${m.index}`;
    case 'catchupReq':
      return `catchupReq from=${m.fromSlot}`;
    case 'catchupDecisions':
      return `catchupDecisions n=${m.decisions.length}`;
    case 'snapshotChunk':
      return `snapshotChunk slot=${m.slot} ${m.offset}/${m.total}`;
    case 'rolledBack':
      return `rolledBack (${m.why})`;
  }
}

class ScenarioRunner {
  private cluster: SimCluster;
  private completed = 0;
  private readonly seed: number;

  constructor(
    seed: number,
    private readonly bugs: ReadonlySet<BugName>,
  ) {
    this.seed = seed;
    this.cluster = new SimCluster({
      seed,
      bugs,
      manual: true,
      tickMs: 10,
      fsyncMs: [0, 0],
      network: { minDelayMs: 1, maxDelayMs: 1 },
    });
  }

  private kv(args: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of args) {
      const i = a.indexOf('=');
      if (i > 0) out[a.slice(0, i)] = a.slice(i + 1);
    }
    return out;
  }

  private filter(args: string[]): (m: InFlight) => boolean {
    const f = this.kv(args);
    return (m) =>
      (f.from === undefined || m.from === f.from) &&
      (f.to === undefined || m.to === f.to) &&
      (f.type === undefined || m.msg.type === f.type) &&
      (f.slot === undefined || ('slot' in m.msg && m.msg.slot === Number(f.slot))) &&
      (f.cfg === undefined || ('config' in m.msg && m.msg.config === Number(f.cfg)));
  }

  /** Run held turns at the current time (storage writes are instant in scenarios). */
  private settle(): void {
    this.cluster.runFor(0);
  }

  run(d: Directive): string {
    const c = this.cluster;
    const a = d.args;
    switch (d.cmd) {
      case 'log-create': {
        const ids = a.filter((x) => !x.includes('='));
        const o = this.kv(a);
        const protocol = {
          window: Number(o.window ?? 4),
          snapshotInterval: Number(o['snapshot-interval'] ?? 1000),
          logRetention: Number(o.retention ?? 1000),
          // Scripts count heartbeats: their timing is pinned, whatever the defaults become.
          heartbeatIntervalMs: 50,
          ...(o.batch !== undefined ? { maxBatchCommands: Number(o.batch) } : {}),
          ...(o['catchup-max'] !== undefined
            ? { catchupMaxDecisions: Number(o['catchup-max']) }
            : {}),
          ...(o['max-slots-ahead'] !== undefined
            ? { maxSlotsAhead: Number(o['max-slots-ahead']) }
            : {}),
        };
        this.cluster = new SimCluster({
          seed: this.seed,
          bugs: this.bugs,
          manual: true,
          tickMs: 10,
          fsyncMs: [0, 0],
          network: { minDelayMs: 1, maxDelayMs: 1 },
          protocol,
        });
        const snap = SimCluster.initialSnapshot(
          { replicas: ids, leaders: ids, acceptors: ids },
          protocol.window,
        );
        this.traceMark = 0;
        for (const id of ids) {
          this.cluster.addPeer(id, snap);
          this.cluster.start(id);
        }
        this.settle();
        return `log with ${ids.join(' ')}, window ${protocol.window}`;
      }
      case 'start': {
        for (const id of a) {
          if (!c.peers.has(id)) c.addPeer(id);
          c.start(id);
        }
        this.settle();
        return 'ok';
      }
      case 'tick': {
        c.runFor(Number(a[0] ?? 10));
        return this.traceSince();
      }
      case 'net':
        c.manual = a[0] === 'manual';
        return `network ${a[0]}`;
      case 'propose': {
        const [peer, key, value] = a as [string, string, string];
        if (!c.invoke(peer, { op: 'append', key, value })) return `${peer} cannot propose`;
        this.settle();
        return this.traceSince();
      }
      case 'propose-many': {
        const [peer, n] = [a[0]!, Number(a[1])];
        const before = c.history.filter((o) => o.ret !== Infinity).length;
        let issued = 0;
        const target = c.history.length + n;
        while (issued < n) {
          while (issued < n && c.outstanding(peer) < 64) {
            c.invoke(peer, { op: 'append', key: 'bulk', value: 'x' });
            issued++;
          }
          c.runFor(5);
        }
        void target;
        const done = () => c.outstanding(peer) === 0;
        for (let i = 0; i < 2000 && !done(); i++) c.runFor(10);
        const after = c.history.filter((o) => o.ret !== Infinity).length;
        this.traceSince();
        return `${after - before} of ${n} completed`;
      }
      case 'read': {
        const [peer, key] = a as [string, string];
        if (!c.invoke(peer, { op: 'get', key })) return `${peer} cannot read`;
        this.settle();
        return this.traceSince();
      }
      case 'deliver': {
        const out: string[] = [];
        const msgs = c.deliver(this.filter(a));
        for (const m of msgs) out.push(`${m.from}->${m.to} ${describe(m.msg)}`);
        this.settle();
        const trace = this.traceSince();
        if (trace !== '') out.push(trace);
        return out.join('\n') || 'nothing to deliver';
      }
      case 'drop': {
        const msgs = c.drop(this.filter(a));
        return (
          msgs.map((m) => `dropped ${m.from}->${m.to} ${describe(m.msg)}`).join('\n') ||
          'nothing to drop'
        );
      }
      case 'drop-all': {
        const count = new Map<string, number>();
        for (const m of c.drop(() => true)) count.set(m.msg.type, (count.get(m.msg.type) ?? 0) + 1);
        return (
          [...count]
            .sort((a, b) => (a[0] < b[0] ? -1 : 1))
            .map(([type, n]) => `dropped ${n} ${type}`)
            .join('\n') || 'nothing to drop'
        );
      }
      case 'stabilize': {
        const wasManual = c.manual;
        c.manual = false;
        for (const m of c.inFlight.splice(0)) c.at(1, () => c.receive(m.from, m.to, m.msg));
        c.runFor(Number(a[0] ?? 2000));
        c.manual = wasManual;
        this.traceSince();
        return this.statusLines([...c.peers.keys()]);
      }
      case 'partition': {
        const groups: string[][] = [[]];
        for (const x of a) {
          if (x === '|') groups.push([]);
          else groups[groups.length - 1]!.push(x);
        }
        c.partition(groups);
        return 'ok';
      }
      case 'lose': {
        const [from, to, types] = a as [string, string, string];
        c.loseTypes(from, to, types.split(',') as Message['type'][]);
        return 'ok';
      }
      case 'heal':
        c.heal();
        return 'ok';
      case 'crash':
        for (const id of a) c.crash(id);
        return 'ok';
      case 'crash-before-write':
        for (const id of a) c.peer(id).crashBeforeWrite = true;
        return 'ok';
      case 'restart':
        for (const id of a) c.start(id);
        this.settle();
        return 'ok';
      case 'sleep':
        for (const id of a) c.pause(id);
        return 'ok';
      case 'wake':
        for (const id of a) c.resume(id);
        return 'ok';
      case 'transfer': {
        const [from, to] = a as [string, string];
        const node = c.peer(from).node;
        if (node === null) return `${from} is down`;
        c.observeTime(node);
        node.transferLeadership(to);
        c.kick(from);
        this.settle();
        return this.traceSince() || 'ok';
      }
      case 'reconfig':
      case 'replace': {
        const peer = a[0]!;
        const node = c.peer(peer).node;
        if (node === null) return `${peer} is down`;
        const cfg = node.status().config;
        if (cfg === null) return `${peer} has no configuration`;
        let next: Membership;
        const add = (l: readonly string[], x: string) => [...new Set([...l, x])];
        const del = (l: readonly string[], x: string) => l.filter((y) => y !== x);
        if (d.cmd === 'replace') {
          const [old, neu] = [a[1]!, a[2]!];
          const sw = (l: readonly string[]) => l.map((x) => (x === old ? neu : x));
          next = {
            replicas: sw(cfg.replicas),
            leaders: sw(cfg.leaders),
            acceptors: sw(cfg.acceptors),
          };
        } else {
          const [op, id] = [a[1]!, a[2]!];
          next =
            op === 'add'
              ? {
                  replicas: add(cfg.replicas, id),
                  leaders: add(cfg.leaders, id),
                  acceptors: add(cfg.acceptors, id),
                }
              : op === 'learner'
                ? {
                    replicas: add(cfg.replicas, id),
                    leaders: cfg.leaders,
                    acceptors: cfg.acceptors,
                  }
                : {
                    replicas: del(cfg.replicas, id),
                    leaders: del(cfg.leaders, id),
                    acceptors: del(cfg.acceptors, id),
                  };
        }
        c.observeTime(node);
        node.proposeReconfig(next);
        c.kick(peer);
        this.settle();
        return this.traceSince() || 'proposed';
      }
      case 'status':
        return this.statusLines(a.length > 0 ? a : [...c.peers.keys()]);
      case 'state': {
        const ids = a.length > 0 ? a : [...c.peers.keys()];
        return ids
          .map((id) => {
            const sm = c.peer(id).sm;
            if (sm === null) return `${id}: down`;
            const kv = [...sm.data]
              .sort()
              .map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v}`);
            return `${id}: ${kv.join(' ') || '(empty)'}`;
          })
          .join('\n');
      }
      case 'storage': {
        const ids = a.length > 0 ? a : [...c.peers.keys()];
        return ids
          .map((id) => {
            const s = c.peer(id).storage.sizes();
            const st = c.peer(id).storage.loadSync();
            return `${id}: decisions=${s.decisions} pvalues=${s.accepted} snapshot=${st.snapshot?.slot ?? '-'} watermark=${st.watermark}`;
          })
          .join('\n');
      }
      case 'pending': {
        const ids = a.length > 0 ? a : [...c.peers.keys()];
        return ids
          .map((id) => {
            const p = c.peer(id);
            const ops = [...p.commands.values(), ...p.reads.values()].map(
              ({ op }) => `${op.input.op} ${op.input.key}`,
            );
            return `${id}: ${ops.join(', ') || 'none'}`;
          })
          .join('\n');
      }
      case 'results': {
        const done = c.history.filter((o) => o.ret !== Infinity);
        const fresh = done.slice(this.completed);
        this.completed = done.length;
        return (
          fresh
            .map(
              (o) =>
                `${o.client}: ${o.input.op} ${o.input.key}${o.input.op === 'get' ? '' : ` ${o.input.value}`} -> ${JSON.stringify(o.output)}`,
            )
            .join('\n') || 'none'
        );
      }
      case 'check': {
        const before = c.violations.length;
        checkOutcome(c);
        this.traceSince();
        return c.violations
          .slice(before)
          .map((v) => `VIOLATION ${v.replace(/^t=\S+ /, '')}`)
          .join('\n');
      }
      default:
        throw new Error(`unknown command ${d.cmd}`);
    }
  }

  private traceMark = 0;

  /** Protocol events (leadership, configuration, snapshots) since the last command. */
  private traceSince(): string {
    const lines = this.cluster.traceSince(this.traceMark);
    this.traceMark = this.cluster.traceCount;
    return lines
      .filter((l) => !l.includes('ignores p1a') && !l.includes(' starts ('))
      .map((l) => l.trim().replace(/^\d+\.\d+ /, ''))
      .join('\n');
  }

  private statusLines(ids: string[]): string {
    const c = this.cluster;
    return ids
      .map((id) => {
        const node = c.peer(id).node;
        if (node === null) return `${id}: down`;
        const s = node.status();
        const roles =
          s.config === null
            ? '-'
            : `${membersOf(s.config).includes(id) ? '' : 'not a member '}${[s.roles.replica ? 'R' : '', s.roles.leader ? 'L' : '', s.roles.acceptor ? 'A' : ''].join('')}`;
        return `${id}: ${roles} cfg=${s.config?.id ?? '-'} leader=${s.activeLeader ?? '-'}${s.leader.active ? ' (active ' + formatBallot(s.leader.ballot) + ')' : ''} slotIn=${s.slotIn} slotOut=${s.slotOut}${s.removed ? ' removed' : ''}`;
      })
      .join('\n');
  }
}
