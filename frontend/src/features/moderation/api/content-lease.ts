import { api } from "@/lib/api-client";

/** Keep holding the content being reviewed (the lease runs out after a few minutes otherwise). */
export function renewContent(contentId: number): Promise<unknown> {
  return api.post(`/moderation/contents/${contentId}/renew/`, {});
}

/** Give the content back to the queue without deciding it. */
export function releaseContent(contentId: number): Promise<unknown> {
  return api.post(`/moderation/contents/${contentId}/release/`, {});
}
