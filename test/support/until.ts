/** Polling for the tests: a small module of its own, so a stack that runs the services as processes can use it without loading them. */

/** Polls until `check` resolves truthy; fails naming `what` after `timeoutMs`. */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
