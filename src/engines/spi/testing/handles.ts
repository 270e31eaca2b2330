/**
 * Counts the process's active handles by kind (sockets, timers, workers, child processes…), so a
 * test can prove that an engine released everything it opened.
 */
export function activeHandleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Kinds whose count grew between two snapshots, with the growth. */
export function leakedHandles(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const leaked: Record<string, number> = {};
  for (const [kind, n] of after) {
    const grown = n - (before.get(kind) ?? 0);
    if (grown > 0) leaked[kind] = grown;
  }
  return leaked;
}

/** Waits until the handles settle back to `before` (engines close asynchronously) or the time is up. */
export async function waitForHandlesReleased(
  before: Map<string, number>,
  timeoutMs = 2000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const leaked = leakedHandles(before, activeHandleCounts());
    // The timer this loop itself may hold is not the engine's.
    delete leaked['Timeout'];
    if (Object.keys(leaked).length === 0 || Date.now() > deadline) return leaked;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
