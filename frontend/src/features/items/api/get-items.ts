import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Item, ItemFilters } from "../types";

export const itemsQueryKey = (projectId: number) => ["projects", projectId, "items"] as const;

type GetItemsArgs = {
  projectId: number;
  filters?: ItemFilters;
  page?: number;
  pageSize?: number;
};

export function getItems({ projectId, filters = {}, page = 1, pageSize }: GetItemsArgs): Promise<Paginated<Item>> {
  return api.get<Paginated<Item>>(`/projects/${projectId}/items/`, {
    ...filters,
    page,
    page_size: pageSize,
  });
}

export const itemsQueryOptions = (args: GetItemsArgs) =>
  queryOptions({
    queryKey: [
      ...itemsQueryKey(args.projectId),
      "list",
      { filters: args.filters ?? {}, page: args.page ?? 1, pageSize: args.pageSize },
    ],
    queryFn: () => getItems(args),
    placeholderData: keepPreviousData,
  });

export function useItems(args: GetItemsArgs) {
  return useQuery(itemsQueryOptions(args));
}
