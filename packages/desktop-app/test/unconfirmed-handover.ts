/**
 * Make a stopped peer's data directory what a run stopped before its removal hand-over was
 * confirmed leaves: the one record such a run does not write, the confirmation (core
 * handover-record.ts, meta `synod.handedOver`), cleared. The race itself (a stop between
 * learning the removal and hearing a member that stays) cannot be steered over libp2p. Opened
 * again, the peer resumes the hand-over (docs/protocol.md, "A restart resumes it").
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStorage } from '@synod/storage-sqlite';

/** Every SQLite file under `dir` (the peer's home store and its logs' stores). */
function dbFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return dbFiles(p);
    return f.endsWith('.db') ? [p] : [];
  });
}

/** Clear the confirmation in every store under `dataDir` that has one; how many had one. */
export async function forgetHandover(dataDir: string): Promise<number> {
  let cleared = 0;
  for (const file of dbFiles(dataDir)) {
    const st = await openSqliteStorage(file);
    try {
      if ((await st.getMeta('synod.handedOver')) !== undefined) {
        await st.setMeta('synod.handedOver', new TextEncoder().encode('0'));
        cleared++;
      }
    } finally {
      await st.close();
    }
  }
  return cleared;
}
