/**
 * How long a page takes to answer each keystroke and click, from Chromium's own trace, measured
 * as INP does: for each keydown or click, the tasks its renderer main thread ran from that
 * event until the end of the first frame painted after it (the handlers, then style, layout and
 * paint of the frame that shows the result; a task that ran in between, such as the app's
 * timers or the next keystroke's handlers, counts too: it delayed that frame). Background work
 * after that frame, before the next keystroke, is not the interaction's.
 *
 * Two figures per interaction: `cpuMs`, the main thread's CPU time in those tasks (Chromium's
 * thread time: what the UI costs, whatever else the machine runs), and `wallMs`, the same
 * tasks' wall-clock time (on a machine at load 20 a task waits for a core: this one includes
 * that wait).
 */
import type { Page } from 'playwright-core';

export interface InteractionTiming {
  readonly kind: 'keydown' | 'click';
  readonly cpuMs: number;
  readonly wallMs: number;
  /** Whether a frame was painted after it (else it is counted until the trace ends). */
  readonly painted: boolean;
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { name?: string; data?: { type?: string; message?: string } };
}

/** Run `act` (keystrokes, clicks) under a trace; one timing per keydown and click, in order. */
export async function traceInteractions(
  page: Page,
  act: () => Promise<void>,
): Promise<InteractionTiming[]> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    categories: 'toplevel,devtools.timeline',
    transferMode: 'ReportEvents',
  });
  // The trace holds every renderer of the browser (one per page, the others' too): this
  // marker, stamped by this page, names its main thread.
  const marker = `interaction-timing ${Date.now()} ${Math.random()}`;
  try {
    // (A string: this file has no DOM types; it runs in the page.)
    await page.evaluate(`console.timeStamp(${JSON.stringify(marker)})`);
    await act();
    // The frame that shows the last interaction's result, drawn.
    // (A string: this file has no DOM types; it runs in the page.)
    await page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))',
    );
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  const main = events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === marker);
  if (main === undefined) throw new Error("the trace has no marker from the page's main thread");
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const tasks = onMain.filter(
    (e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask',
  );
  const anchors = onMain
    .filter(
      (e) =>
        e.name === 'EventDispatch' &&
        (e.args?.data?.type === 'keydown' || e.args?.data?.type === 'click'),
    )
    .sort((a, b) => a.ts - b.ts);
  if (anchors.length === 0 || tasks.length === 0) {
    throw new Error('the trace has no interactions or no tasks (categories changed?)');
  }
  const endOf = (e: TraceEvent) => e.ts + (e.dur ?? 0);
  const end = Math.max(...tasks.map(endOf));
  // Paint on the main thread: the paint phase of a frame's lifecycle (PrePaint alone also runs
  // for hit tests, without a frame).
  const paints = onMain.filter((e) => e.name === 'Paint').sort((a, b) => a.ts - b.ts);
  return anchors.map((a) => {
    // The first frame painted after the event. (On a loaded machine the next keystroke may be
    // handled before it: that work delayed this event's frame too, and counts, as in INP.)
    const paint = paints.find((p) => p.ts >= a.ts);
    // The end of the task that painted it (the paint itself if no task holds it).
    const until =
      paint === undefined
        ? end
        : Math.max(
            endOf(paint),
            ...tasks.filter((t) => t.ts <= paint.ts && endOf(t) >= endOf(paint)).map(endOf),
          );
    const window = tasks.filter((t) => endOf(t) > a.ts && t.ts < until);
    const sum = (f: (t: TraceEvent) => number) => window.reduce((s, t) => s + f(t), 0) / 1000;
    return {
      kind: a.args?.data?.type === 'click' ? 'click' : 'keydown',
      cpuMs: sum((t) => t.tdur ?? t.dur ?? 0),
      wallMs: sum((t) => t.dur ?? 0),
      painted: paint !== undefined,
    };
  });
}
