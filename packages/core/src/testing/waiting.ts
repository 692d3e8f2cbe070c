/**
 * Waiting in tests on real time, with a deadline: never a fixed sleep (a busy machine makes any
 * fixed sleep too short somewhere), never an unbounded wait (a hang must fail, saying what).
 */

/** Poll `cond` every 10 ms until it holds; throws, naming `what`, after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * How `p` settles within `ms`: its rejection's error, 'resolved', or 'pending' if it has not
 * settled by then (for a call that must not hang: it is told apart from one that failed).
 */
export async function errorWithin(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r('pending'), ms)));
  try {
    return await Promise.race([
      p.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
