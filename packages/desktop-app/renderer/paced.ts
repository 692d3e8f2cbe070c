/**
 * Drawing what arrives from the peer (decided entries, history, status), paced: the first
 * request after a quiet spell is drawn in the next frame; while requests keep coming (a busy
 * log decides hundreds of operations a second), at most one draw every `everyMs`.
 *
 * Why: every frame that changes the page costs style, layout and paint, whatever little it
 * changed. Drawn at every frame, a page following a bulk load of 10,000 appends spent ~6 s of
 * its main thread's CPU (Chromium's trace: paint 3.7 s, layout 1.1 s, pre-paint 0.8 s; the
 * script itself 0.8 s), more than the peer spent deciding them, plus the compositor's and the
 * GPU process's share of each frame.
 */
export interface Pacer {
  /** Draw soon (requests before the draw are one draw). */
  request(): void;
}

export function paced(everyMs: number, draw: () => void): Pacer {
  let last = -Infinity;
  let scheduled = false;
  const run = (): void => {
    scheduled = false;
    last = performance.now();
    draw();
  };
  return {
    request() {
      if (scheduled) return;
      scheduled = true;
      const wait = last + everyMs - performance.now();
      if (wait <= 0) requestAnimationFrame(run);
      else setTimeout(() => requestAnimationFrame(run), wait);
    },
  };
}
