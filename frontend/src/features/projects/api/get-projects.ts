import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Project } from "../types";

export const projectsQueryKey = ["projects"] as const;

export function getProjects({ page = 1 }: { page?: number } = {}): Promise<Paginated<Project>> {
  return api.get<Paginated<Project>>("/projects/", { page });
}

export const projectsQueryOptions = (page = 1) =>
  queryOptions({
    queryKey: [...projectsQueryKey, "list", { page }],
    queryFn: () => getProjects({ page }),
    placeholderData: keepPreviousData,
  });

export function useProjects({ page = 1 }: { page?: number } = {}) {
  return useQuery(projectsQueryOptions(page));
}
