import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Project } from "../types";
import { projectsQueryKey } from "./get-projects";

export const projectQueryKey = (projectId: number) => [...projectsQueryKey, "detail", projectId] as const;

export function getProject(projectId: number): Promise<Project> {
  return api.get<Project>(`/projects/${projectId}/`);
}

export const projectQueryOptions = (projectId: number) =>
  queryOptions({ queryKey: projectQueryKey(projectId), queryFn: () => getProject(projectId) });

export function useProject(projectId: number) {
  return useQuery(projectQueryOptions(projectId));
}
