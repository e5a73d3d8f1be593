import { apiUrl, CSRF_COOKIE_NAME, CSRF_HEADER_NAME, readCookie } from "@/lib/api-client";

/** Items given back in the last few seconds (their release may still be on its way). */
const released = new Map<number, number>();
const RELEASE_GRACE_MS = 15_000;

/** Whether this tab released the item moments ago: a page opened again must not resume it. */
export function releasedRecently(itemId: number): boolean {
  const at = released.get(itemId);
  return at !== undefined && Date.now() - at < RELEASE_GRACE_MS;
}

/**
 * Give an item back to the queue without answering it, best effort.
 *
 * Called while the page goes away, so it uses `fetch` with `keepalive` (the request outlives the
 * page) rather than the API client; a lease that is not released simply expires.
 */
export function releaseLease({ projectId, itemId }: { projectId: number; itemId: number }): void {
  released.set(itemId, Date.now());
  const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/json" };
  const csrf = readCookie(CSRF_COOKIE_NAME);
  if (csrf) headers[CSRF_HEADER_NAME] = csrf;
  try {
    void fetch(apiUrl(`/projects/${projectId}/queue/items/${itemId}/release/`), {
      method: "POST",
      headers,
      body: "{}",
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => undefined);
  } catch {
    // fetch itself can throw while the page unloads; the lease then runs out on its own.
  }
}
