import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { isJobActive, type LabelQuality } from "../types";

export const labelQualityQueryKey = (projectId: number) => ["projects", projectId, "label-quality"] as const;

/** The latest suspects job and the estimated label-error rates per class and per annotator. */
export function getLabelQuality(projectId: number) {
  return api.get<LabelQuality>(`/projects/${projectId}/label-quality/`);
}

export const labelQualityQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: labelQualityQueryKey(projectId),
    queryFn: () => getLabelQuality(projectId),
    // While a job runs, follow its progress.
    refetchInterval: (query) => (query.state.data?.job && isJobActive(query.state.data.job.status) ? 2000 : false),
  });

export function useLabelQuality(projectId: number) {
  return useQuery(labelQualityQueryOptions(projectId));
}
