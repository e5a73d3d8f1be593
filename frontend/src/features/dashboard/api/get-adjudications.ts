import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { AdjudicationItem, AdjudicationState } from "../types";

export const ADJUDICATION_PAGE_SIZE = 20;

export const adjudicationsQueryKey = (projectId: number) => ["projects", projectId, "adjudication"] as const;

type GetAdjudicationsArgs = { projectId: number; state: AdjudicationState; page: number };

/** Items whose annotators disagree (open) or that already have a gold label (resolved). */
export function getAdjudications({ projectId, state, page }: GetAdjudicationsArgs) {
  return api.get<Paginated<AdjudicationItem>>(`/projects/${projectId}/adjudication/`, {
    state,
    page,
    page_size: ADJUDICATION_PAGE_SIZE,
  });
}

export const adjudicationsQueryOptions = (args: GetAdjudicationsArgs) =>
  queryOptions({
    queryKey: [...adjudicationsQueryKey(args.projectId), args.state, args.page],
    queryFn: () => getAdjudications(args),
    placeholderData: keepPreviousData,
  });

export function useAdjudications(args: GetAdjudicationsArgs) {
  return useQuery(adjudicationsQueryOptions(args));
}
