/** Human-readable output of the client commands (each also has --json). */
import type { EntryView, HistoryRecord } from '../document/index.js';
import type { OperationName, OperationResult } from '../operations/table.js';
import type { LogsView, ServiceStatus } from '../service/types.js';

function ago(ms: number | null): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 2) return 'now';
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function roles(r: { replica: boolean; leader: boolean; acceptor: boolean }): string {
  return [r.replica && 'replica', r.leader && 'leader', r.acceptor && 'acceptor']
    .filter(Boolean)
    .join('+');
}

/** The list of logs: name (or -), id, state, title. */
export function formatLogs(v: LogsView): string {
  if (v.logs.length === 0) return `no log yet (${v.state}): synod init, or synod join <invite>`;
  return v.logs
    .map((l) => `${l.logName ?? '-'}  ${l.logId}  ${l.state}${l.title ? `  "${l.title}"` : ''}`)
    .join('\n');
}

export function formatStatus(s: ServiceStatus): string {
  const lines: string[] = [];
  lines.push(`peer      ${s.id ?? '(none yet)'} (${s.name})`);
  lines.push(`data      ${s.dataDir}`);
  lines.push(`state     ${s.state}${s.failure ? `: ${s.failure}` : ''}`);
  // Removed, and the log may still need this peer: stopping it now is a risk.
  if (s.handover !== null && !s.handover.done)
    lines.push(
      `handover  pending: no member that stays has confirmed it holds the slots before ${s.handover.start}; keep this peer running (a stop waits for it at most 2-5 s)`,
    );
  if (s.logId === null) {
    lines.push('log       none yet: synod init, or synod join <invite>');
    return lines.join('\n');
  }
  const named = s.logName !== null ? ` (${s.logName} here)` : '';
  lines.push(`log       ${s.logId}${named}${s.log?.title ? ` "${s.log.title}"` : ''}`);
  const p = s.protocol;
  if (p === null) return lines.join('\n');
  if (s.log) {
    lines.push(
      `entries   ${s.log.entries} (${s.log.deleted} deleted), ${s.log.operations} operations`,
    );
  }
  if (s.majority) {
    lines.push(
      `majority  ${s.majority.reachable} of ${s.majority.total} acceptors reachable, need ${s.majority.needed}${s.majority.ok ? '' : ' — NO MAJORITY: writes wait'}`,
    );
  }
  lines.push(
    `protocol  slot_in ${p.slotIn}, slot_out ${p.slotOut}, leader ${p.activeLeader ?? 'none known'}, ballot ${p.leader.ballot.text}${p.leader.active ? ' (active here)' : ''}`,
  );
  lines.push(
    `          acceptor ballot ${p.acceptor.ballot.text}, ${p.acceptor.accepted} accepted; pending ${p.pending}; snapshot at ${p.snapshotSlot}`,
  );
  if (!p.initialized) lines.push('          waiting for the first snapshot (joining)');
  if (p.catchup) {
    const b = p.catchup.snapshotBytes;
    lines.push(
      `          catching up to slot ${p.catchup.target}${b ? `, snapshot ${b.received}/${b.total} bytes` : ''}`,
    );
  }
  lines.push('peers');
  for (const peer of s.peers) {
    const flags = [
      peer.self ? 'this peer' : peer.online ? 'online' : 'OFFLINE',
      peer.leader ? 'LEADER' : '',
      roles(peer.roles),
      peer.self ? '' : `seen ${ago(peer.lastSeen)}`,
      peer.rttMs !== null && !peer.self ? `rtt ${peer.rttMs.toFixed(1)} ms` : '',
      peer.protocol !== null ? `protocol ${peer.protocol}` : '',
    ].filter(Boolean);
    lines.push(`  ${(peer.name || '?').padEnd(16)} ${peer.id}  ${flags.join(', ')}`);
    if (peer.incompatible !== null) lines.push(`    INCOMPATIBLE: ${peer.incompatible}`);
  }
  if (s.addresses.length > 0) {
    lines.push('addresses');
    for (const a of s.addresses) lines.push(`  ${a}`);
  }
  return lines.join('\n');
}

function describe(r: HistoryRecord): string {
  switch (r.type) {
    case 'append':
      return `append #${r.entry} "${r.text}" (${r.inserted} chars)`;
    case 'edit':
      return `edit #${r.entry} v${r.version} +${r.inserted} -${r.deleted}${r.text ? ` title "${r.text}"` : ''}${r.rebased ? ' (rebased)' : ''}`;
    case 'delete':
    case 'restore':
      return `${r.type} #${r.entry} v${r.version}`;
    case 'rename-log':
      return `rename log "${r.text}"`;
    case 'set-name':
      return `name "${r.text}"`;
  }
}

export function formatHistory(records: readonly HistoryRecord[]): string {
  return records
    .map(
      (r) =>
        `${String(r.n).padStart(6)}  slot ${String(r.slot).padEnd(7)} ${new Date(r.time).toISOString()}  ${(r.author || r.client.slice(-8)).padEnd(12)} ${describe(r)}`,
    )
    .join('\n');
}

export function formatEntries(entries: readonly EntryView[]): string {
  return entries
    .map((e) => {
      const first = e.body.split('\n', 1)[0] ?? '';
      const preview = first.length > 60 ? first.slice(0, 57) + '...' : first;
      return `#${String(e.id).padEnd(5)} v${String(e.version).padEnd(5)} ${e.deleted ? '[deleted] ' : ''}${e.title}  — ${e.author}: ${preview}`;
    })
    .join('\n');
}

/** One entry in full: its header, then its body. */
export function formatEntry(e: EntryView): string {
  const when = new Date(e.updated).toISOString();
  return [
    `#${e.id} v${e.version}${e.deleted ? ' [deleted]' : ''} ${e.title}`,
    `by ${e.author}; last changed ${when} by ${e.updatedBy || e.author} (slot ${e.updatedSlot})`,
    '',
    e.body,
  ].join('\n');
}

/** The answer of a derived subcommand (operation-commands.ts), for a person. */
export function formatOperationResult(
  name: OperationName,
  request: Record<string, unknown>,
  result: unknown,
): string {
  const r = result as OperationResult<typeof name>;
  switch (name) {
    case 'entry':
      return formatEntry(r as OperationResult<'entry'>);
    case 'deleteEntry':
    case 'restoreEntry': {
      const done = name === 'deleteEntry' ? 'deleted' : 'restored';
      return `${done} entry #${String(request.id)} (now version ${(r as { version: number }).version})`;
    }
    case 'renameLog':
      return `renamed the log to "${String(request.title)}"`;
    case 'setName':
      return `this peer is now called "${String(request.name)}"`;
    case 'editMany':
      return (r as OperationResult<'editMany'>).results
        .map((o, i) =>
          o.ok
            ? `edit ${i + 1}: version ${o.version}${o.rebased ? ' (rebased)' : ''}`
            : `edit ${i + 1}: refused (${o.code}): ${o.message}`,
        )
        .join('\n');
    case 'discovered': {
      const peers = (r as OperationResult<'discovered'>).peers;
      if (peers.length === 0) return 'no peers seen (mDNS finds peers on the LAN)';
      return peers
        .map(
          (p) =>
            `${p.peer}  ${p.member ? 'member' : 'not a member'}, seen ${ago(p.lastSeen)}  ${p.addrs.join(' ')}`,
        )
        .join('\n');
    }
    case 'suspend':
    case 'resume':
      return `${name === 'suspend' ? 'suspended' : 'resumed'}: the peer is ${(r as LogsView).state}`;
    case 'openLog':
      return `opened log ${(r as ServiceStatus).logId ?? '?'}: it reconnects and catches up`;
    case 'closeLog':
      return `closed; this peer's logs:\n${formatLogs(r as LogsView)}`;
    default:
      return JSON.stringify(result, null, 2);
  }
}
