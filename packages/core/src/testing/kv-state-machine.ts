/**
 * A small key-value state machine for tests, the simulator and examples. Commands are JSON:
 *   { "op": "put", "key": "x", "value": "1" }     result: the previous value ("" if none)
 *   { "op": "append", "key": "x", "value": "1" }  result: the value after appending
 * It counts how many times each command id was applied, so exactly-once can be checked.
 */
import type { ApplyContext, StateMachine } from '../state-machine.js';

export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string; readonly id?: string }
  | { readonly op: 'append'; readonly key: string; readonly value: string; readonly id?: string };

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeKv(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeKvResult(r: Uint8Array): string {
  return dec.decode(r);
}

export class KvStateMachine implements StateMachine {
  readonly data = new Map<string, string>();
  /** How many times each command id took effect (exactly once: never above 1). */
  readonly appliedIds = new Map<string, number>();
  /** Every applied command id with its slot, in order. */
  readonly log: { slot: number; id: string | undefined }[] = [];
  keepLog = true;

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    const c = JSON.parse(dec.decode(command)) as KvCommand;
    if (c.op !== 'put' && c.op !== 'append')
      throw new Error(`unknown op ${String((c as { op: unknown }).op)}`);
    if (c.id !== undefined) this.appliedIds.set(c.id, (this.appliedIds.get(c.id) ?? 0) + 1);
    if (this.keepLog) this.log.push({ slot: ctx.slot, id: c.id });
    const prev = this.data.get(c.key) ?? '';
    const next = c.op === 'put' ? c.value : prev + c.value;
    this.data.set(c.key, next);
    return enc.encode(c.op === 'put' ? prev : next);
  }

  get(key: string): string {
    return this.data.get(key) ?? '';
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify({ data: [...this.data], ids: [...this.appliedIds] }));
  }

  restore(snapshot: Uint8Array): void {
    const s = JSON.parse(dec.decode(snapshot)) as {
      data: [string, string][];
      ids: [string, number][];
    };
    this.data.clear();
    for (const [k, v] of s.data) this.data.set(k, v);
    this.appliedIds.clear();
    for (const [k, v] of s.ids) this.appliedIds.set(k, v);
    this.log.length = 0;
  }
}
