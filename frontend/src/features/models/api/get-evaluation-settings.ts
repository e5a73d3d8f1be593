import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { EvaluationSettings } from "../types";

export const evaluationSettingsQueryKey = (projectId: number) =>
  ["projects", projectId, "evaluation-settings"] as const;

/** The slice fields every evaluation reports, and the metadata fields that can be declared. */
export function getEvaluationSettings({ projectId }: { projectId: number }): Promise<EvaluationSettings> {
  return api.get<EvaluationSettings>(`/projects/${projectId}/evaluation-settings/`);
}

export const evaluationSettingsQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: evaluationSettingsQueryKey(projectId),
    queryFn: () => getEvaluationSettings({ projectId }),
  });

export function useEvaluationSettings({ projectId }: { projectId: number }) {
  return useQuery(evaluationSettingsQueryOptions(projectId));
}
