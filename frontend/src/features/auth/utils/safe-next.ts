/**
 * Where to go after signing in. Only paths inside this app are followed, so a crafted
 * `?next=https://elsewhere` or `?next=//elsewhere` link cannot send someone off-site.
 */
export function safeNextPath(next: string | null | undefined, fallback = "/projects"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
    return fallback;
  }
  if (next.startsWith("/login")) return fallback;
  return next;
}
