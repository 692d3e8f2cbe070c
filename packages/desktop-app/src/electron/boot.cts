/**
 * Electron's entry (electron-builder's `main`, and what `synod-desktop` starts): libuv's thread
 * pool sized first (../thread-pool.cts says why), then the main process (main.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- before the ES module loader runs
require('../thread-pool.cjs');
void import('./main.js');
