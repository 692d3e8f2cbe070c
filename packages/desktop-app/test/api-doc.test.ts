/**
 * docs/api.md against the code it describes, so that the page cannot drift: every row of its
 * endpoint tables is a route of the operation table (method, path, body fields, answer status)
 * and every operation has a row; every code of its error table answers with the status the page
 * gives it, and every code the API maps has a row; its status example has the fields, nested, of
 * a real status of a running log.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynodError } from '@synod/core';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/api/http-error.js';
import { matchRoute, pathParams } from '../src/operations/http.js';
import { OPERATION_NAMES, OPERATIONS, type OperationName } from '../src/operations/table.js';
import { OperationTimeoutError } from '../src/service/errors.js';
import { PeerService } from '../src/service/peer-service.js';

const DOC = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
const API_SRC = new URL('../src/api/', import.meta.url);
const dataDir = mkdtempSync(join(tmpdir(), 'synod-api-doc-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The lines of the doc from the heading `from` to the next heading of the same level or above. */
function section(from: string): string[] {
  const lines = DOC.split('\n');
  const start = lines.indexOf(from);
  expect(start, `docs/api.md has no heading "${from}"`).toBeGreaterThanOrEqual(0);
  const level = from.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The cells of a table's rows whose first cell matches `first` (not the header). */
function rows(lines: readonly string[], first: RegExp): string[][] {
  return lines
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .filter((cells) => first.test(cells[0]!));
}

const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** A documented path with its placeholders filled (LOG, ID), as a request would send it. */
const concrete = (path: string): string => path.replace('LOG', 'trip').replace('ID', '1');

describe('docs/api.md', () => {
  it('lists every operation at its route, with its fields and answer status', () => {
    const seen = new Set<OperationName>();
    for (const [route, fields, answer] of rows(section('## Endpoints'), /^`/)) {
      const [main, older] = ticked(route!);
      const [method, path] = main!.split(' ');
      if (path === '/api/events') continue; // the event stream: not an operation
      const m = matchRoute(method!, concrete(path!));
      expect(m.found, `${main} is no route`).toBe(true);
      if (!m.found) continue;
      const op = OPERATIONS[m.name];
      seen.add(m.name);
      // The same operation at the older path, or at the path without /logs/LOG.
      const unscoped = older ?? path!.replace('/logs/LOG', '');
      if (unscoped !== path)
        expect(matchRoute(method!, concrete(unscoped))).toMatchObject({ name: m.name });
      const request = op.request as { entries: Record<string, unknown> };
      const expected = Object.keys(request.entries).filter(
        (k) => k !== 'log' && !pathParams(m.name).includes(k),
      );
      expect({ main, fields: ticked(fields!).sort() }).toEqual({ main, fields: expected.sort() });
      expect({ main, status: answer!.slice(1, 4) }).toEqual({
        main,
        status: String((op.http as { status?: number }).status ?? 200),
      });
    }
    expect([...seen].sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it('gives each error code the status the API answers it with, and lists every code', () => {
    const documented = new Map<string, number>();
    for (const [status, codes] of rows(section('### Errors'), /^\d{3}$/)) {
      // Details in brackets (`logs`, `version`, `Allow`) are not codes.
      for (const code of ticked(codes!.replace(/\([^)]*\)/g, '')))
        documented.set(code, Number(status));
    }
    // The API layer's own refusals, as its sources raise them: `new HttpError(403, 'forbidden-host'`.
    const raised = new Map<string, number>();
    for (const f of readdirSync(API_SRC)) {
      const text = readFileSync(new URL(f, API_SRC), 'utf8');
      for (const m of text.matchAll(/new HttpError\(\s*(\d{3}),\s*'([a-z-]+)'/g)) {
        raised.set(m[2]!, Number(m[1]));
      }
    }
    for (const [code, status] of documented) {
      const mapped = describeError(new SynodError(code, 'x')).status;
      const actual = code === 'internal' ? 500 : mapped !== 500 ? mapped : raised.get(code);
      expect({ code, status }).toEqual({ code, status: actual });
    }
    // The codes the API maps (http-error.ts's STATUS table) and raises: none left out.
    const table = readFileSync(new URL('http-error.ts', API_SRC), 'utf8');
    const block = /const STATUS[^{]*\{([\s\S]*?)\n\};/.exec(table)![1]!;
    const mappedCodes = [...block.matchAll(/^\s*'?([a-z-]+)'?: \d{3},/gm)].map((m) => m[1]!);
    expect(mappedCodes.length).toBeGreaterThan(20);
    const missing = [...mappedCodes, ...raised.keys()].filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });

  it('shows the no-majority answer as the API writes it', () => {
    const json = /`no-majority` is the answer[\s\S]*?```json\n([\s\S]*?)\n```/.exec(DOC);
    expect(json).not.toBeNull();
    const majority = { reachable: 1, total: 3, needed: 2, ok: false };
    const answer = describeError(new OperationTimeoutError(majority, 30_000));
    expect(answer.status).toBe(503);
    expect(JSON.parse(json![1]!)).toEqual(answer.body);
  });

  it("shows a status with the fields of a running log's status", async () => {
    const json = /### `GET \/api\/logs\/LOG\/status`[\s\S]*?```json\n([\s\S]*?)\n```/.exec(DOC);
    expect(json).not.toBeNull();
    const service = await PeerService.open({
      dataDir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    try {
      await service.createLog({ title: 'Notes' });
      expect(shape(JSON.parse(json![1]!))).toEqual(shape(service.status()));
    } finally {
      await service.stop();
    }
  });
});

/** The fields of a JSON value, nested (an array by its first element); leaves by kind only. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value === null) return null;
  if (typeof value !== 'object') return typeof value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, shape(v)]),
  );
}
