import { api } from "@/lib/api-client";

import type { NextAssignment } from "../types";

/**
 * Lease a new item to the signed-in user. The workspace calls this while an item is still on
 * screen, so the next one is already held (and rendered) when the person answers.
 * `assignment` is null, with a message saying why, when nothing is left for them.
 */
export function getNextAssignment({ projectId }: { projectId: number }): Promise<NextAssignment> {
  return api.post<NextAssignment>(`/projects/${projectId}/queue/next/`, {});
}
