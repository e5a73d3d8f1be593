import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { SimilarContents } from "../types";
import { moderationKeys } from "./keys";

export function getSimilarContents(contentId: number, limit = 10): Promise<SimilarContents> {
  return api.get<SimilarContents>(`/moderation/contents/${contentId}/similar/?limit=${limit}`);
}

/** Contents nearest this one by embedding (only those the caller moderates), most similar first. */
export function useSimilarContents(contentId: number) {
  return useQuery({
    queryKey: moderationKeys.similar(contentId),
    queryFn: () => getSimilarContents(contentId),
    // A 503 (index still being built) is shown, not retried in a loop.
    retry: false,
  });
}
