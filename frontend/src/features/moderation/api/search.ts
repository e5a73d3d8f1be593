import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { AuthorRecord, BulkAction, BulkActionInput, SearchFilters, SearchPage } from "../types";
import { moderationKeys } from "./keys";

export const SEARCH_PAGE_SIZE = 50;

export function searchContents({ filters, cursor }: { filters: SearchFilters; cursor: string | null }): Promise<SearchPage> {
  return api.get<SearchPage>("/moderation/search/", {
    ...filters,
    cursor: cursor ?? undefined,
    limit: SEARCH_PAGE_SIZE,
  });
}

/** One page of the search (newest first); ``cursor`` is the page's start (null: the first page). */
export function useContentSearch({ filters, cursor, enabled = true }: { filters: SearchFilters; cursor: string | null; enabled?: boolean }) {
  return useQuery({
    queryKey: moderationKeys.search(filters, cursor),
    queryFn: () => searchContents({ filters, cursor }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function createBulkAction(body: BulkActionInput): Promise<BulkAction> {
  return api.post<BulkAction>("/moderation/bulk-actions/", body);
}

export function useCreateBulkAction() {
  return useMutation({ mutationFn: createBulkAction });
}

const FINISHED = new Set(["succeeded", "failed"]);

/** A bulk action's progress, read every second until it finishes; the search is read again then. */
export function useBulkAction(bulkId: number | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: moderationKeys.bulkAction(bulkId ?? 0),
    queryFn: async () => {
      const bulk = await api.get<BulkAction>(`/moderation/bulk-actions/${bulkId}/`);
      if (FINISHED.has(bulk.state ?? "")) {
        void queryClient.invalidateQueries({ queryKey: moderationKeys.searchAll });
        void queryClient.invalidateQueries({ queryKey: moderationKeys.queueAll });
      }
      return bulk;
    },
    enabled: bulkId !== null,
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.state ?? "") ? false : 1000),
  });
}

/** The author's record: live strike points, strikes and actions under the policies the caller moderates. */
export function useAuthorRecord(authorId: number) {
  return useQuery({
    queryKey: moderationKeys.author(authorId),
    queryFn: () => api.get<AuthorRecord>(`/moderation/authors/${authorId}/`),
  });
}
