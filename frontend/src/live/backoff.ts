export interface BackoffOptions {
  /** first delay, ms */
  baseMs: number;
  /** longest delay, ms */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry): exponential growth capped at
 * `capMs`, with "equal jitter" so that many tabs do not retry in lockstep. The result lies in
 * [ceiling / 2, ceiling] where ceiling = min(capMs, baseMs * 2^attempt).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
