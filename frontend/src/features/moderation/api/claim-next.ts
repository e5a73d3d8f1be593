import { api } from "@/lib/api-client";

import type { NextContent, ReviewTier } from "../types";

export type ClaimNextInput = {
  tier: ReviewTier;
  policy?: number | undefined;
  category?: number | undefined;
  /** One review queue (the server refuses one the moderator may not work). */
  queue?: number | undefined;
  /** Content the moderator skipped in this session, not to be handed back at once. */
  exclude?: readonly number[];
};

/**
 * Lease the highest-priority open content of a tier to the signed-in moderator. `content` is null
 * when nothing is left for them.
 */
export function claimNext({ tier, policy, category, queue, exclude = [] }: ClaimNextInput): Promise<NextContent> {
  return api.post<NextContent>("/moderation/queue/next/", {
    tier,
    ...(policy === undefined ? {} : { policy }),
    ...(category === undefined ? {} : { category }),
    ...(queue === undefined ? {} : { queue }),
    ...(exclude.length === 0 ? {} : { exclude }),
  });
}
