import { api } from "@/lib/api-client";

import type { NextAssignment } from "../types";

type SkipItemInput = {
  projectId: number;
  itemId: number;
  /** Why (stored with the skip, shown to the project's data people); empty for none. */
  reason: string;
  /** Lease the next item in the same request. */
  next: boolean;
};

/**
 * Pass on an item: it goes back to the queue for others and is not offered to this user again.
 * With `next` the answer is the next leased item (as queue/next/ answers); without it, nothing.
 */
export async function skipItem({ projectId, itemId, reason, next }: SkipItemInput): Promise<NextAssignment | null> {
  const answer = await api.post<NextAssignment | undefined>(`/projects/${projectId}/queue/items/${itemId}/skip/`, {
    ...(reason ? { reason } : {}),
    next,
  });
  return answer ?? null;
}
