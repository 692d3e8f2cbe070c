#!/usr/bin/env node
// The `synod` command (src/cli/main.ts): compiled to dist/cli/ by tsc -b, then bundled into
// dist/synod/ by bin/build-cli.js (`npm run build`), which starts faster. CommonJS, to size
// libuv's thread pool before the ES module loader starts it (src/thread-pool.cts says why).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (above)
require('../dist/thread-pool.cjs');
void import('../dist/synod/main.js');
