import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Flag } from "../types";

export const FLAGS_PAGE_SIZE = 20;

export const flagsQueryKey = (projectId: number) => ["projects", projectId, "flags"] as const;

type GetFlagsArgs = { projectId: number; resolved: boolean; page: number };

/** Items annotators flagged as unclear, open or already dealt with. */
export function getFlags({ projectId, resolved, page }: GetFlagsArgs) {
  return api.get<Paginated<Flag>>(`/projects/${projectId}/flags/`, {
    resolved,
    page,
    page_size: FLAGS_PAGE_SIZE,
  });
}

export const flagsQueryOptions = (args: GetFlagsArgs) =>
  queryOptions({
    queryKey: [...flagsQueryKey(args.projectId), args.resolved, args.page],
    queryFn: () => getFlags(args),
    placeholderData: keepPreviousData,
  });

export function useFlags(args: GetFlagsArgs) {
  return useQuery(flagsQueryOptions(args));
}
