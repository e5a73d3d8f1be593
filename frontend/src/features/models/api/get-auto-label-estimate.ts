import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { AutoLabelEstimate } from "../types";

export const autoLabelEstimateQueryKey = (projectId: number) => ["projects", projectId, "auto-label"] as const;

/** The latest auto-label estimate (its fields are null until a training run has made one). */
export function getAutoLabelEstimate({ projectId }: { projectId: number }): Promise<AutoLabelEstimate> {
  return api.get<AutoLabelEstimate>(`/projects/${projectId}/auto-label/`);
}

export const autoLabelEstimateQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: autoLabelEstimateQueryKey(projectId),
    queryFn: () => getAutoLabelEstimate({ projectId }),
  });

export function useAutoLabelEstimate({ projectId }: { projectId: number }) {
  return useQuery(autoLabelEstimateQueryOptions(projectId));
}
