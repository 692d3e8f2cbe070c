/**
 * The application's replicated state. Synod decides the order of commands; the app says what
 * they do. `apply` must be deterministic: the same commands in the same order must give the same
 * state and results on every peer (no clocks, no randomness, no I/O inside).
 */
export interface ApplyContext {
  /** The slot the command was decided in. */
  readonly slot: number;
  /** The client (peer id for commands of a node) that proposed it. */
  readonly client: string;
}

export interface StateMachine {
  /**
   * Apply one decided command and return its result. If it throws, the command is rejected
   * with the error's message on every replica, and it must have changed nothing.
   */
  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array;
  /** The whole state, as bytes. */
  snapshot(): Uint8Array;
  /** Replace the whole state with one produced by `snapshot()`. */
  restore(snapshot: Uint8Array): void;
}
