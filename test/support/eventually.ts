import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` until it returns a value `accept` likes, then returns that value. On timeout the error says
 * what was awaited and the last value seen, which is what a failing end-to-end test needs to show.
 */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const seen = last === undefined ? `error: ${String(lastError)}` : JSON.stringify(last);
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${description}; last seen ${seen.slice(0, 2000)}`,
  );
}
