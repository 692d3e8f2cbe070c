/**
 * The renderer's entry point. In Electron the preload has put the bridge on `window.synod`
 * (raw: answers as data); in a browser the page builds it over the local API of the peer that
 * served it, with the token from the URL fragment.
 */
import { fromRawBridge, type RawSynodBridge, type SynodBridge } from '../src/desktop/bridge-api.js';
import { App } from './app.js';
import { createBrowserBridge, takeToken } from './browser-bridge.js';
import { fill, h } from './dom.js';

declare global {
  interface Window {
    synod?: RawSynodBridge;
  }
}

function bridge(): SynodBridge | string {
  if (window.synod !== undefined) return fromRawBridge(window.synod);
  const token = takeToken();
  if (token === undefined) {
    return 'No access token: open the address that `synod start` (or `npm start`) printed, including its #token=… part.';
  }
  try {
    return createBrowserBridge(token);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const root = document.getElementById('app');
if (root !== null) {
  const b = bridge();
  if (typeof b === 'string') {
    fill(
      root,
      h('div', { class: 'setup' }, h('h1', null, 'Synod'), h('p', { class: 'banner bad' }, b)),
    );
  } else {
    void new App(b, root).start();
  }
}
