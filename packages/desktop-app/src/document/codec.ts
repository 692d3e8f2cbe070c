/**
 * The binary encoding of document commands and results: compact (a typed character is a
 * command of about 20 bytes, and the trace pushes 260k of them through the log) and strict on
 * decoding (every string must be valid UTF-8, so a lone surrogate cannot even be encoded;
 * anything malformed is refused with a result, never a throw).
 *
 *   command = format:u8 type:u8 time:uint author:str fields…
 *   result  = 0:u8 id:uint version:uint rebased:u8 | 1:u8 code:str message:str version:uint
 *
 * uint is an unsigned LEB128 varint, str a uint length and UTF-8 bytes (core's ByteWriter).
 */
import { ByteReader, ByteWriter } from '@synod/core';
import { DOCUMENT_FORMAT } from './limits.js';
import { strictUtf8 } from './text.js';
import type {
  DocumentCommand,
  DocumentErrorCode,
  DocumentResult,
  OperationType,
  Patch,
} from './types.js';

/**
 * Every operation, declared once, in code order: a command's type byte is an operation's
 * position here plus one (0 is never a command), a snapshot's history record keeps its position
 * (document-log.ts). Append only: a position, once written, means the same operation forever.
 */
export const OPERATION_TYPES = [
  'append',
  'edit',
  'delete',
  'restore',
  'rename-log',
  'set-name',
] as const satisfies readonly OperationType[];

/** Fails to compile while an OperationType is missing from OPERATION_TYPES. */
export const ALL_OPERATIONS_LISTED: Exclude<
  OperationType,
  (typeof OPERATION_TYPES)[number]
> extends never
  ? true
  : never = true;

const POSITION = new Map<OperationType, number>(OPERATION_TYPES.map((t, i) => [t, i]));

/** An operation's position in OPERATION_TYPES (its code in a snapshot's history). */
export function operationPosition(type: OperationType): number {
  return POSITION.get(type)!;
}

/** The operation at `position`, or undefined for a code this version does not know. */
export function operationAt(position: number): OperationType | undefined {
  return OPERATION_TYPES[position];
}

const FLAG_TITLE = 1;
const FLAG_REBASE = 2;

/** A command that cannot be decoded: `code` is the refusal the state machine answers with. */
export class CommandFormatError extends Error {
  constructor(
    readonly code: Extract<DocumentErrorCode, 'bad-command' | 'bad-text'>,
    message: string,
  ) {
    super(message);
  }
}

export function encodeCommand(c: DocumentCommand): Uint8Array {
  const w = new ByteWriter(64);
  w.byte(DOCUMENT_FORMAT)
    .byte(operationPosition(c.type) + 1)
    .uint(c.time)
    .string(c.author);
  switch (c.type) {
    case 'append':
      w.string(c.title).string(c.body);
      break;
    case 'edit': {
      const flags =
        (c.title !== undefined ? FLAG_TITLE : 0) | (c.rebase === true ? FLAG_REBASE : 0);
      w.uint(c.id).uint(c.version).byte(flags);
      if (c.title !== undefined) w.string(c.title);
      w.uint(c.patches.length);
      for (const [pos, del, ins] of c.patches) w.uint(pos).uint(del).string(ins);
      break;
    }
    case 'delete':
    case 'restore':
      w.uint(c.id).uint(c.version);
      break;
    case 'rename-log':
      w.string(c.title);
      break;
    case 'set-name':
      break;
  }
  return w.finish();
}

function readString(r: ByteReader): string {
  const bytes = r.bytes();
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new CommandFormatError('bad-text', 'a string is not valid UTF-8 (or holds a surrogate)');
  }
}

/** Decode a command; throws CommandFormatError for anything but a well-formed command. */
export function decodeCommand(bytes: Uint8Array): DocumentCommand {
  try {
    return decodeUnchecked(bytes);
  } catch (err) {
    if (err instanceof CommandFormatError) throw err;
    throw new CommandFormatError(
      'bad-command',
      `not a document command: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function decodeUnchecked(bytes: Uint8Array): DocumentCommand {
  const r = new ByteReader(bytes);
  const format = r.byte();
  if (format !== DOCUMENT_FORMAT) {
    throw new CommandFormatError('bad-command', `unknown command format ${format}`);
  }
  const type = operationAt(r.byte() - 1);
  if (type === undefined) throw new CommandFormatError('bad-command', 'unknown operation');
  const time = r.uint();
  const author = readString(r);
  let c: DocumentCommand;
  switch (type) {
    case 'append':
      c = { type, time, author, title: readString(r), body: readString(r) };
      break;
    case 'edit': {
      const id = r.uint();
      const version = r.uint();
      const flags = r.byte();
      if ((flags & ~(FLAG_TITLE | FLAG_REBASE)) !== 0) {
        throw new CommandFormatError('bad-command', 'unknown edit flags');
      }
      const title = (flags & FLAG_TITLE) !== 0 ? readString(r) : undefined;
      const n = r.uint();
      // Each patch takes at least 3 bytes: a count beyond that is garbage (and no allocation).
      if (n * 3 > bytes.length) throw new CommandFormatError('bad-command', 'truncated patches');
      const patches: Patch[] = [];
      for (let i = 0; i < n; i++) patches.push([r.uint(), r.uint(), readString(r)]);
      c = {
        type,
        time,
        author,
        id,
        version,
        patches,
        ...(title !== undefined ? { title } : {}),
        ...((flags & FLAG_REBASE) !== 0 ? { rebase: true } : {}),
      };
      break;
    }
    case 'delete':
    case 'restore':
      c = { type, time, author, id: r.uint(), version: r.uint() };
      break;
    case 'rename-log':
      c = { type, time, author, title: readString(r) };
      break;
    case 'set-name':
      c = { type, time, author };
      break;
  }
  r.end();
  return c;
}

export function encodeResult(res: DocumentResult): Uint8Array {
  const w = new ByteWriter(res.ok ? 16 : 64);
  if (res.ok)
    w.byte(0)
      .uint(res.id)
      .uint(res.version)
      .byte(res.rebased ? 1 : 0);
  else w.byte(1).string(res.code).string(res.message).uint(res.version);
  return w.finish();
}

export function decodeResult(bytes: Uint8Array): DocumentResult {
  const r = new ByteReader(bytes);
  const tag = r.byte();
  let res: DocumentResult;
  if (tag === 0) res = { ok: true, id: r.uint(), version: r.uint(), rebased: r.byte() === 1 };
  else if (tag === 1) {
    res = {
      ok: false,
      code: r.string() as DocumentErrorCode,
      message: r.string(),
      version: r.uint(),
    };
  } else throw new CommandFormatError('bad-command', 'not a document result');
  r.end();
  return res;
}
