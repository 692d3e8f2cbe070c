/**
 * The part of fetch the API client uses, over node:http. A client subcommand makes a request
 * or two to 127.0.0.1, and the first call of the global fetch loads its implementation
 * (undici), which costs more CPU than the rest of the command (bench/cli.mjs measures both).
 */
import { request } from 'node:http';
import type { FetchLike } from '../api/client.js';

export const httpFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, text: () => Promise.resolve(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
