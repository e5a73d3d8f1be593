import { api } from "@/lib/api-client";

import type { ItemFlag } from "../types";

/** Mark an item as unclear for a reviewer (a second flag by the same user returns the first). */
export function flagItem({ projectId, itemId, reason }: { projectId: number; itemId: number; reason?: string }) {
  return api.post<ItemFlag>(`/projects/${projectId}/items/${itemId}/flags/`, reason ? { reason } : {});
}
