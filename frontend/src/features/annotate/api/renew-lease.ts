import { api } from "@/lib/api-client";

import type { Assignment } from "../types";

/** Extend the lease on an item the user holds (409 when it has run out or was finished). */
export function renewLease({ projectId, itemId }: { projectId: number; itemId: number }): Promise<Assignment> {
  return api.post<Assignment>(`/projects/${projectId}/queue/items/${itemId}/renew/`, {});
}
