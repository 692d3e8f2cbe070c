/**
 * docs/wire-format.md against the codec, so that the page other implementations start from
 * cannot drift: its byte-by-byte frames are what the codec writes, its list of message types is
 * the `.proto`'s `body` oneof, and its tables of drop reasons and join refusal codes are the
 * transport's own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeControl, encodeMessages } from '../src/frame-codec.js';
import { DROP_REASONS } from '../src/metrics.js';

const DOC = readFileSync(new URL('../../../docs/wire-format.md', import.meta.url), 'utf8');
const PROTO = readFileSync(new URL('../proto/paxos.proto', import.meta.url), 'utf8');
const ERRORS = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
const MAX = 16 * 1024 * 1024;

/** The ```text blocks of the section that starts at `heading`. */
function textBlocks(heading: string): string[] {
  const from = DOC.indexOf(`\n${heading}\n`);
  expect(from, `docs/wire-format.md has no heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const next = DOC.slice(from + heading.length + 2).search(/\n#{1,3} /);
  const body = DOC.slice(from, next === -1 ? undefined : from + heading.length + 2 + next);
  return [...body.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

/** The bytes a block lists: the hex pairs that open each line, up to its comment. */
function bytesOf(block: string): string {
  return block
    .split('\n')
    .map((line) => /^((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:\s|$)/.exec(line)?.[1] ?? '')
    .join(' ')
    .trim();
}

const hex = (...parts: Uint8Array[]): string =>
  parts
    .flatMap((p) => [...p])
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(' ');

/** The codes of a `|`-table whose first column is a backticked code, in `section`. */
function tableCodes(section: string): string[] {
  const from = DOC.indexOf(`\n${section}\n`);
  const rest = DOC.slice(from + 1);
  const end = rest.slice(section.length).search(/\n#{1,3} /);
  const text = end === -1 ? rest : rest.slice(0, section.length + end);
  return [...text.matchAll(/^\| `([a-z-]+)` /gm)].map((m) => m[1]!);
}

/** The string literals of the union type `name` in src/errors.ts. */
function unionCodes(name: string): string[] {
  const m = new RegExp(`export type ${name} =([\\s\\S]*?);`).exec(ERRORS);
  expect(m, name).not.toBeNull();
  return [...m![1]!.matchAll(/\| '([a-z-]+)'/g)].map((x) => x[1]!);
}

describe('docs/wire-format.md', () => {
  it('lists, byte by byte, what the codec writes', () => {
    const [decision, p2b, readIndex] = textBlocks('### Byte by byte');
    const ballot = { round: 7, leader: 'p1' };
    const decided = encodeMessages(
      [{ type: 'decision', slot: 300, value: new Uint8Array([1, 2]) }],
      MAX,
    ).frames[0]!;
    expect(bytesOf(decision!)).toBe(hex(decided));
    expect(bytesOf(p2b!)).toBe(
      hex(
        encodeMessages([{ type: 'p2b', config: 1, ballot, slot: 42, proposal: ballot }], MAX)
          .frames[0]!,
      ),
    );
    expect(bytesOf(readIndex!)).toBe(
      hex(
        encodeMessages([{ type: 'readIndexResp', id: 5, index: -1 }], MAX).frames[0]!,
        encodeControl({ ping: 1234.5 }),
      ),
    );
    // "13 bytes of frame (below), 25 with the yamux header, 43 on the wire": a 12-byte yamux
    // header, then a Noise record's 2-byte length and 16-byte tag.
    const sizes =
      /is (\d+) bytes of frame \(below\), (\d+) with the yamux header, (\d+) on the wire/
        .exec(DOC.replace(/\s+/g, ' '))!
        .slice(1)
        .map(Number);
    expect(sizes).toEqual([decided.length, decided.length + 12, decided.length + 12 + 2 + 16]);
  });

  it("names every message type by its body field's number in paxos.proto", () => {
    const text = DOC.replace(/\s+/g, ' ');
    const listed = [...text.matchAll(/`([a-z0-9_]+)` = (\d+)/g)].map((m) => `${m[1]} = ${m[2]}`);
    const body = /oneof body \{([\s\S]*?)\}/.exec(PROTO)![1]!;
    const declared = [...body.matchAll(/^\s*\w+ ([a-z0-9_]+) = (\d+);/gm)].map(
      (m) => `${m[1]} = ${m[2]}`,
    );
    expect(declared.length).toBeGreaterThan(10);
    expect(listed).toEqual(declared);
  });

  it('tables every drop reason, join refusal and invite-request refusal code', () => {
    expect(tableCodes('### What a receiver does with a bad frame').sort()).toEqual(
      [...DROP_REASONS].sort(),
    );
    expect(tableCodes('## Joining').sort()).toEqual(unionCodes('JoinRefusalCode').sort());
    const asking = /on\s+refusal `code` is ([^.]*)\./.exec(DOC)![1]!;
    expect([...asking.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).sort()).toEqual(
      unionCodes('InviteRequestRefusalCode').sort(),
    );
  });
});
