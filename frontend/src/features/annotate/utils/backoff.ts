import { ApiError } from "@/lib/api-client";

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before retry number `attempt` (1 for the first retry): doubling from half a
 * second up to 30 seconds, spread ±20% so many tabs recovering at once do not retry in step.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const plain = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/**
 * Whether a failed request may succeed if sent again unchanged: no answer at all (network),
 * a server error, or "too many requests". Any other 4xx is a refusal that retrying cannot fix.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429;
}
