/**
 * How long a page takes to answer each keystroke and click, from Chromium's own trace: for
 * each keydown or click, the tasks its renderer main thread ran from that event until the
 * next one (the handlers, then style, layout and paint of the frames that show the result;
 * anything else the page did meanwhile counts too, so the figure is an upper bound).
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
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { name?: string; data?: { type?: string } };
}

/** Resolves once the page has drawn a frame after everything it was asked so far. */
export async function frameDrawn(page: Page): Promise<void> {
  // (A string: this file has no DOM types; it runs in the page.)
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))',
  );
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
  try {
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
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
  );
  if (main === undefined) throw new Error('the trace has no renderer main thread');
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
  const end = Math.max(...tasks.map((t) => t.ts + (t.dur ?? 0)));
  return anchors.map((a, k) => {
    const until = anchors[k + 1]?.ts ?? end;
    const window = tasks.filter((t) => t.ts + (t.dur ?? 0) > a.ts && t.ts < until);
    const sum = (f: (t: TraceEvent) => number) => window.reduce((s, t) => s + f(t), 0) / 1000;
    return {
      kind: a.args?.data?.type === 'click' ? 'click' : 'keydown',
      cpuMs: sum((t) => t.tdur ?? t.dur ?? 0),
      wallMs: sum((t) => t.dur ?? 0),
    };
  });
}
