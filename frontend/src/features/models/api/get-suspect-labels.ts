import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { SuspectLabel, SuspectStatus } from "../types";

export const SUSPECTS_PAGE_SIZE = 25;

export const suspectLabelsQueryKey = (projectId: number) => ["projects", projectId, "suspect-labels"] as const;

type GetSuspectLabelsArgs = { projectId: number; status: SuspectStatus | null; page: number };

/** People's labels that are probably wrong, most likely first. */
export function getSuspectLabels({ projectId, status, page }: GetSuspectLabelsArgs) {
  return api.get<Paginated<SuspectLabel>>(`/projects/${projectId}/suspect-labels/`, {
    status: status ?? undefined,
    page,
    page_size: SUSPECTS_PAGE_SIZE,
  });
}

export const suspectLabelsQueryOptions = (args: GetSuspectLabelsArgs) =>
  queryOptions({
    queryKey: [...suspectLabelsQueryKey(args.projectId), args.status, args.page],
    queryFn: () => getSuspectLabels(args),
    placeholderData: keepPreviousData,
  });

export function useSuspectLabels(args: GetSuspectLabelsArgs) {
  return useQuery(suspectLabelsQueryOptions(args));
}
