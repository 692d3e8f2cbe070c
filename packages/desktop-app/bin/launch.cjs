#!/usr/bin/env node
// `npm start`: the desktop demo's launcher (src/desktop/launch.ts), Electron or browser mode.
// CommonJS, as bin/synod.cjs, to size libuv's thread pool before the ES module loader starts it
// (src/thread-pool.cts says why): browser mode runs the peer in this very process.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (above)
require('../dist/thread-pool.cjs');
void import('../dist/desktop/launch.js');
