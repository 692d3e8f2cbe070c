/**
 * What this peer knows of another's wire versions: the one their streams negotiated, the ones it
 * announced (libp2p identify lists a peer's protocols), and, when the two share none, why in
 * words ("bob runs protocol 3, this peer 1–2: upgrade this peer"), so that a status page says
 * what to do instead of showing a peer that never connects.
 */
import type { PeerId } from '@synod/core';
import { paxosVersionOf } from './protocols.js';

/** One peer's protocol, as seen from here. */
export interface PeerProtocol {
  /** The wire version of the last stream opened with the peer (any log), or null. */
  readonly version: number | null;
  /** The versions the peer announced (identify), newest first; empty while unknown. */
  readonly theirs: readonly number[];
  /** Set when this peer and that one share no wire version: what is wrong and who upgrades. */
  readonly incompatible: string | null;
}

/** The Synod wire versions in a list of protocol ids (identify's), newest first. */
export function versionsIn(protocols: readonly string[]): number[] {
  const out = new Set<number>();
  for (const p of protocols) {
    const v = paxosVersionOf(p);
    if (v !== undefined) out.add(v);
  }
  return [...out].sort((a, b) => b - a);
}

/** "3", "1–2", "1, 3": a set of versions for a sentence. */
export function formatVersions(versions: readonly number[]): string {
  const v = [...new Set(versions)].sort((a, b) => a - b);
  if (v.length === 0) return 'none';
  if (v.length > 1 && v[v.length - 1]! - v[0]! === v.length - 1) {
    return `${v[0]}–${v[v.length - 1]}`;
  }
  return v.join(', ');
}

/**
 * Why `peer` cannot talk to this peer, or null when they share a version (or when nothing is
 * known of the peer's versions yet and `refused` is false).
 */
export function incompatibility(
  peer: PeerId,
  ours: readonly number[],
  theirs: readonly number[],
  refused: boolean,
): string | null {
  if (theirs.some((v) => ours.includes(v))) return null;
  if (theirs.length === 0) {
    if (!refused) return null;
    return `${peer} refused every Synod protocol this peer speaks (protocol ${formatVersions(ours)}): it runs another release, or no Synod at all`;
  }
  const newer = Math.max(...theirs) > Math.max(...ours);
  return `${peer} runs protocol ${formatVersions(theirs)}, this peer ${formatVersions(ours)}: ${newer ? 'upgrade this peer' : `${peer} must upgrade`}`;
}
