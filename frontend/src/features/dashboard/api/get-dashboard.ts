import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Dashboard } from "../types";

/** The dashboard follows the work as it happens. */
export const DASHBOARD_REFRESH_MS = 30_000;

export const dashboardQueryKey = (projectId: number) => ["projects", projectId, "dashboard"] as const;

export function getDashboard({ projectId }: { projectId: number }): Promise<Dashboard> {
  return api.get<Dashboard>(`/projects/${projectId}/dashboard/`);
}

export const dashboardQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: dashboardQueryKey(projectId),
    queryFn: () => getDashboard({ projectId }),
    refetchInterval: DASHBOARD_REFRESH_MS,
  });

export function useDashboard({ projectId }: { projectId: number }) {
  return useQuery(dashboardQueryOptions(projectId));
}
