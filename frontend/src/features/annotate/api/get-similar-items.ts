import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { SimilarItems } from "../types";

/** How many neighbours the panel shows (the API allows up to 50). */
export const SIMILAR_ITEMS_LIMIT = 8;

export const similarItemsQueryKey = (projectId: number, itemId: number) =>
  ["projects", projectId, "items", itemId, "similar"] as const;

export function getSimilarItems({ projectId, itemId }: { projectId: number; itemId: number }): Promise<SimilarItems> {
  return api.get<SimilarItems>(`/projects/${projectId}/items/${itemId}/similar/`, { limit: SIMILAR_ITEMS_LIMIT });
}

export const similarItemsQueryOptions = (projectId: number, itemId: number) =>
  queryOptions({
    queryKey: similarItemsQueryKey(projectId, itemId),
    queryFn: () => getSimilarItems({ projectId, itemId }),
    // Neighbours change only as items are embedded or labeled: a minute is fresh enough.
    staleTime: 60_000,
    retry: false,
  });

/** The items most like `itemId`; fetched only while `enabled` (the panel is open). */
export function useSimilarItems({ projectId, itemId, enabled }: { projectId: number; itemId: number | null; enabled: boolean }) {
  return useQuery({
    ...similarItemsQueryOptions(projectId, itemId ?? 0),
    enabled: enabled && itemId !== null,
  });
}
