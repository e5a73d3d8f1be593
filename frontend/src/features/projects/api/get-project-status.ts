import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

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
    // Polls only while something runs. An idle project is asked again when the window regains
    // focus or the person moves to another tab of the project (see useRefreshStaleProjectStatus),
    // once its answer is a few seconds old.
    refetchInterval: (query) => (query.state.data?.active ? PROJECT_STATUS_POLL_INTERVAL_MS : false),
    staleTime: PROJECT_STATUS_POLL_INTERVAL_MS,
    refetchOnWindowFocus: true,
  });

export function useProjectStatus(projectId: number) {
  return useQuery(projectStatusQueryOptions(projectId));
}

/** Ask for the status again when `page` changes (and the last answer is stale): labels given on
 * Annotate or a run started on Models show once the person moves on, without idle polling. */
export function useRefreshStaleProjectStatus(projectId: number, page: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    void queryClient.refetchQueries({ queryKey: projectStatusQueryKey(projectId), stale: true });
  }, [queryClient, projectId, page]);
}
