// Waiting for something to hold, by looking again every few milliseconds: for tests, which must
// wait for what a user would see rather than sleep for a guessed time.
import assert from 'node:assert/strict';

/** Resolves after `ms`: for a wait whose length is the point (a phase to measure, a pace to keep); waitFor waits for a state. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether `check` holds within `ms`, looked at every `everyMs`; never fails the test itself. */
export async function holdsWithin(check: () => boolean | Promise<boolean>, ms: number, everyMs = 50): Promise<boolean> {
  const end = performance.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > end) return false;
    await sleep(everyMs);
  }
}

/** Fails the test unless `check` holds within `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  if (!(await holdsWithin(check, ms))) assert.fail(`not within ${ms} ms: ${what}`);
}
