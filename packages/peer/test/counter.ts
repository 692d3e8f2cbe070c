/** The tests' state machine: a running total of the integers proposed (anything else is refused). */
import { JsonStateMachine } from '../src/index.js';

export const counter = () =>
  new JsonStateMachine<{ total: number }, number, number>({
    initial: () => ({ total: 0 }),
    parseCommand: (v) => {
      if (!Number.isSafeInteger(v)) throw new Error('not an integer');
      return v as number;
    },
    apply: (state, n) => (state.total += n),
  });
