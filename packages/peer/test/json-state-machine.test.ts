/**
 * JsonStateMachine and jsonCodec: typed commands and results over a real node (core's runtime
 * on the in-memory network), bad bytes and refused commands changing nothing, and snapshots
 * that restore the state.
 */
import { describe, expect, it } from 'vitest';
import {
  CommandRejectedError,
  initLog,
  MemoryNetwork,
  MemoryStorage,
  startNode,
} from '@synod/core';
import { InvalidJsonError, jsonCodec, JsonStateMachine, proposeJson } from '../src/index.js';

interface Todos {
  items: { text: string; done: boolean }[];
}
type TodoCommand = { type: 'add'; text: string } | { type: 'done'; index: number };

function parseTodoCommand(v: unknown): TodoCommand {
  const c = v as Partial<{ type: string; text: unknown; index: unknown }>;
  if (c?.type === 'add' && typeof c.text === 'string') return { type: 'add', text: c.text };
  if (c?.type === 'done' && Number.isSafeInteger(c.index)) {
    return { type: 'done', index: c.index as number };
  }
  throw new Error('not a todo command');
}

const todos = () =>
  new JsonStateMachine<Todos, TodoCommand, number>({
    initial: () => ({ items: [] }),
    parseCommand: parseTodoCommand,
    apply(state, command) {
      if (command.type === 'add') return state.items.push({ text: command.text, done: false });
      const item = state.items[command.index];
      if (item === undefined) throw new Error(`no item ${command.index}`);
      item.done = true;
      return state.items.filter((i) => !i.done).length;
    },
  });

describe('JsonStateMachine', () => {
  it('applies typed commands on a node; refuses bad ones without changing anything', async () => {
    const storage = new MemoryStorage();
    await initLog(storage, 'a', todos());
    const node = await startNode({
      id: 'a',
      storage,
      transport: new MemoryNetwork().connect('a'),
      stateMachine: todos(),
    });
    try {
      expect(await proposeJson(node, { type: 'add', text: 'milk' })).toBe(1);
      expect(await proposeJson(node, { type: 'add', text: 'bread' })).toBe(2);
      expect(await proposeJson(node, { type: 'done', index: 0 })).toBe(1);
      const before = JSON.stringify(node.stateMachine.state);
      await expect(proposeJson(node, { type: 'done', index: 7 })).rejects.toThrow(/no item 7/);
      // Bytes from a peer that are not a command of this machine: refused, nothing changes.
      await expect(node.propose(new TextEncoder().encode('{"type":"drop"}'))).rejects.toThrow(
        CommandRejectedError,
      );
      await expect(node.propose(Uint8Array.of(0xff, 0xfe))).rejects.toThrow(/not UTF-8 JSON/);
      expect(JSON.stringify(node.stateMachine.state)).toBe(before);
      expect(await node.read((sm) => sm.state.items.map((i) => i.text))).toEqual(['milk', 'bread']);

      // A snapshot restores the same state into a new machine.
      const copy = todos();
      copy.restore(node.stateMachine.snapshot());
      expect(copy.state).toEqual(node.stateMachine.state);
    } finally {
      await node.stop();
    }
  });

  it('jsonCodec: round trips, typed errors for bad bytes and refused values', () => {
    const codec = jsonCodec();
    const value = { a: [1, 'two', null, true], b: { c: 'ü €' } };
    expect(codec.decode(codec.encode(value))).toEqual(value);
    expect(new TextDecoder().decode(jsonCodec().encode(undefined as never))).toBe('null');
    expect(() => codec.decode(new TextEncoder().encode('{'))).toThrow(InvalidJsonError);
    const strict = jsonCodec(parseTodoCommand);
    expect(() => strict.decode(new TextEncoder().encode('{"type":"x"}'))).toThrow(
      expect.objectContaining({ code: 'invalid-json', message: 'not a todo command' }),
    );
  });
});
