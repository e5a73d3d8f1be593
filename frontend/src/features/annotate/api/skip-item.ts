import { api } from "@/lib/api-client";

/** Pass on an item: it goes back to the queue for others and is not offered to this user again. */
export function skipItem({ projectId, itemId, reason }: { projectId: number; itemId: number; reason?: string }) {
  return api.post<unknown>(`/projects/${projectId}/queue/items/${itemId}/skip/`, reason ? { reason } : {});
}
