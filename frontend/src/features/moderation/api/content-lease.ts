import { api, apiUrl, CSRF_COOKIE_NAME, CSRF_HEADER_NAME, readCookie } from "@/lib/api-client";

/** Keep holding the content being reviewed (the lease runs out after a few minutes otherwise). */
export function renewContent(contentId: number): Promise<unknown> {
  return api.post(`/moderation/contents/${contentId}/renew/`, {});
}

/** Give the content back to the queue without deciding it. */
export function releaseContent(contentId: number): Promise<unknown> {
  return api.post(`/moderation/contents/${contentId}/release/`, {});
}

/**
 * Give the content back while the page goes away (the tab closes, the browser leaves the app),
 * best effort. A `keepalive` fetch outlives the page, which the API client's requests do not; it
 * sends the CSRF token from its cookie, set by the claim that leased the content. A release that
 * does not arrive leaves the lease to run out on its own.
 */
export function releaseContentOnLeave(contentId: number): void {
  const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/json" };
  const csrf = readCookie(CSRF_COOKIE_NAME);
  if (csrf) headers[CSRF_HEADER_NAME] = csrf;
  try {
    void fetch(apiUrl(`/moderation/contents/${contentId}/release/`), {
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
