import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { ProjectListItem } from "../types";

export const projectsQueryKey = ["projects"] as const;

// While something runs in a project on the page, its status line is refreshed this often.
export const PROJECTS_POLL_INTERVAL_MS = 5_000;

export function getProjects({ page = 1 }: { page?: number } = {}): Promise<Paginated<ProjectListItem>> {
  return api.get<Paginated<ProjectListItem>>("/projects/", { page });
}

export const projectsQueryOptions = (page = 1) =>
  queryOptions({
    queryKey: [...projectsQueryKey, "list", { page }],
    queryFn: () => getProjects({ page }),
    placeholderData: keepPreviousData,
    // Only while an import, embedding or training runs somewhere on the page; idle lists stay still.
    refetchInterval: (query) =>
      query.state.data?.results.some((project) => project.status.active) ? PROJECTS_POLL_INTERVAL_MS : false,
  });

export function useProjects({ page = 1 }: { page?: number } = {}) {
  return useQuery(projectsQueryOptions(page));
}
