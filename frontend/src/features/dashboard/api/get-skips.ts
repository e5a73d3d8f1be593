import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Skip } from "../types";

export const SKIPS_PAGE_SIZE = 20;

export const skipsQueryKey = (projectId: number) => ["projects", projectId, "skips"] as const;

type GetSkipsArgs = { projectId: number; page: number };

/** Items annotators skipped, with the reason they gave, newest first. */
export function getSkips({ projectId, page }: GetSkipsArgs) {
  return api.get<Paginated<Skip>>(`/projects/${projectId}/skips/`, { page, page_size: SKIPS_PAGE_SIZE });
}

export const skipsQueryOptions = (args: GetSkipsArgs) =>
  queryOptions({
    queryKey: [...skipsQueryKey(args.projectId), args.page],
    queryFn: () => getSkips(args),
    placeholderData: keepPreviousData,
  });

export function useSkips(args: GetSkipsArgs) {
  return useQuery(skipsQueryOptions(args));
}
