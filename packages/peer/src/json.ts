/**
 * State machines of plain objects: commands, results and snapshots as UTF-8 JSON, so that an
 * app writes what its commands do and nothing about bytes.
 *
 *   const todos = new JsonStateMachine({
 *     initial: (): Todos => ({ items: [] }),
 *     parseCommand: parseTodoCommand, // bytes from any peer of the log are input: check them
 *     apply(state, command) { ... return result; },
 *   });
 *   const peer = await createPeer({ dataDir, stateMachine: todos });
 *   const result = await proposeJson(peer.node, { type: 'add', text: 'milk' });
 */
import {
  SynodError,
  type ApplyContext,
  type OperationOptions,
  type StateMachine,
  type SynodNode,
} from '@synod/core';

/** A value JSON carries unchanged (no undefined, functions, NaN, Infinity, Dates or Maps). */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Bytes that are not the JSON expected (not UTF-8 JSON, or refused by a parse function). */
export class InvalidJsonError extends SynodError {
  constructor(message: string) {
    super('invalid-json', message);
  }
}

/** Values to bytes and back. */
export interface Codec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const text = new TextEncoder();
const untext = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 JSON. `parse` checks what is decoded and gives it its type (a schema library's parse
 * fits); it throws to refuse. Without it, decoded values are trusted to be `T`.
 */
export function jsonCodec<T = JsonValue>(parse?: (value: unknown) => T): Codec<T> {
  return {
    encode(value: T): Uint8Array {
      // undefined (a function returning nothing) becomes null, which JSON can carry.
      return text.encode(JSON.stringify(value) ?? 'null');
    },
    decode(bytes: Uint8Array): T {
      let value: unknown;
      try {
        value = JSON.parse(untext.decode(bytes));
      } catch (err) {
        throw new InvalidJsonError(`not UTF-8 JSON: ${(err as Error).message}`);
      }
      if (parse === undefined) return value as T;
      try {
        return parse(value);
      } catch (err) {
        if (err instanceof SynodError) throw err;
        throw new InvalidJsonError(err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/** What a JsonStateMachine does: its initial state, how it checks and applies commands. */
export interface JsonMachineSpec<S, C, R> {
  /** The state of a new log. */
  initial(): S;
  /**
   * Check a decoded command and give it its type; throw to refuse it. Any peer of the log can
   * propose any bytes, so an app whose commands matter checks them here.
   */
  parseCommand?(value: unknown): C;
  /**
   * Apply one command to `state` and return its result. Deterministic (no clock, randomness or
   * I/O): every peer applies the same commands in the same order. To refuse a command, throw
   * before changing anything: the proposer gets the error's message, and every peer's state
   * stays as it was.
   */
  apply(state: S, command: C, ctx: ApplyContext): R;
}

/**
 * A StateMachine whose state is a plain object: commands and results are JSON, snapshots are
 * the state as JSON. Read `state` afresh each time (a snapshot restore replaces the object).
 */
export class JsonStateMachine<S, C, R = unknown> implements StateMachine {
  state: S;
  readonly commands: Codec<C>;
  readonly results: Codec<R> = jsonCodec<R>();
  private readonly states: Codec<S> = jsonCodec<S>();

  constructor(private readonly spec: JsonMachineSpec<S, C, R>) {
    this.state = spec.initial();
    this.commands = jsonCodec<C>(spec.parseCommand?.bind(spec));
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.results.encode(this.spec.apply(this.state, this.commands.decode(command), ctx));
  }

  snapshot(): Uint8Array {
    return this.states.encode(this.state);
  }

  restore(snapshot: Uint8Array): void {
    this.state = this.states.decode(snapshot);
  }
}

/** Propose a command to a node of a JsonStateMachine; its result, once decided and applied. */
export async function proposeJson<S, C, R>(
  node: SynodNode<JsonStateMachine<S, C, R>>,
  command: C,
  options?: OperationOptions,
): Promise<R> {
  const machine = node.stateMachine;
  return machine.results.decode(await node.propose(machine.commands.encode(command), options));
}
