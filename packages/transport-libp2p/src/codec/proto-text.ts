/**
 * The .proto text of a schema, generated from its tables (proto.ts): the schema files in
 * proto/ are this function's output, checked by a test and rewritten by `npm run proto`, so
 * they cannot drift from the codec. Other implementations (and the protons codec the tests
 * compare with) start from them.
 */
import type { OneofInfo, SchemaInfo } from './proto.js';

/** camelCase -> snake_case (the naming rule: a field is the core's field in snake_case). */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function comment(doc: string | undefined, indent: string): string[] {
  if (doc === undefined) return [];
  return doc.split('\n').map((line) => `${indent}// ${line}`.trimEnd());
}

function messageText(m: SchemaInfo): string[] {
  const lines = [...comment(m.doc, ''), `message ${m.name} {`];
  for (const f of m.fields) {
    const kind = f.kind;
    const label = f.maxEntries > 0 ? 'repeated ' : f.optional ? 'optional ' : '';
    const options = kind.protoOptions !== undefined ? ` [${kind.protoOptions}]` : '';
    lines.push(...comment(f.doc, '  '));
    lines.push(`  ${label}${kind.protoType} ${snakeCase(f.key)} = ${f.no}${options};`);
  }
  lines.push('}');
  return lines;
}

function oneofText(u: OneofInfo, doc: string | undefined): string[] {
  const lines = [...comment(doc, ''), `message ${u.name} {`, `  oneof ${u.oneofName} {`];
  for (const m of u.members) {
    lines.push(`    ${m.schema.name} ${snakeCase(m.value)} = ${m.no};`);
  }
  lines.push('  }', '}');
  return lines;
}

export interface ProtoFile {
  /** Comment lines at the top. */
  readonly header: string;
  /** Messages in the order they should appear; a oneof with its comment. */
  readonly messages: readonly (SchemaInfo | { readonly oneof: OneofInfo; readonly doc?: string })[];
}

export function protoText(file: ProtoFile): string {
  const out = [...comment(file.header, ''), '', 'syntax = "proto3";'];
  for (const m of file.messages) {
    out.push('');
    if ('oneof' in m) out.push(...oneofText(m.oneof, m.doc));
    else out.push(...messageText(m));
  }
  return `${out.join('\n')}\n`;
}
