import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Item } from "../types";
import { itemsQueryKey } from "./get-items";

export function getItem({ projectId, itemId }: { projectId: number; itemId: number }): Promise<Item> {
  return api.get<Item>(`/projects/${projectId}/items/${itemId}/`);
}

export const itemQueryOptions = (projectId: number, itemId: number) =>
  queryOptions({
    queryKey: [...itemsQueryKey(projectId), "detail", itemId],
    queryFn: () => getItem({ projectId, itemId }),
  });

export function useItem({ projectId, itemId }: { projectId: number; itemId: number }) {
  return useQuery(itemQueryOptions(projectId, itemId));
}
