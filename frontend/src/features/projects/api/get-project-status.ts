import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ProjectStatus } from "../types";
import { projectsQueryKey } from "./get-projects";

// While an import, embedding or training runs, the status line asks again this often.
export const PROJECT_STATUS_POLL_INTERVAL_MS = 3_000;

export const projectStatusQueryKey = (projectId: number) => [...projectsQueryKey, "status", projectId] as const;

export function getProjectStatus(projectId: number): Promise<ProjectStatus> {
  return api.get<ProjectStatus>(`/projects/${projectId}/status/`);
}

export const projectStatusQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: projectStatusQueryKey(projectId),
    queryFn: () => getProjectStatus(projectId),
    // Polls only while something runs; an idle project is asked again when the page is.
    refetchInterval: (query) => (query.state.data?.active ? PROJECT_STATUS_POLL_INTERVAL_MS : false),
  });

export function useProjectStatus(projectId: number) {
  return useQuery(projectStatusQueryOptions(projectId));
}
