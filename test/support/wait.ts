// Waiting in tests: poll with a generous deadline instead of sleeping a fixed time, so a test stays
// right on a loaded 2-core machine and fails with what it waited for.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a truthy value (returned), failing after `timeoutMs` with `what` and,
 * when given, what `diagnose` says about the state then.
 */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, what: string, diagnose?: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${diagnose ? `\n${diagnose()}` : ''}`);
    await sleep(50);
  }
}

/**
 * Reads a value until `accept` takes it (returned), failing after `timeoutMs` with the last value
 * read, for checks on values whose last state explains the failure.
 */
export async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await sleep(100);
    last = await read();
  }
  return last;
}
