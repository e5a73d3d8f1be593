import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { LearningCurve } from "../types";

export const learningCurveQueryKey = (projectId: number) => ["projects", projectId, "learning-curve"] as const;

export function getLearningCurve({ projectId }: { projectId: number }): Promise<LearningCurve> {
  return api.get<LearningCurve>(`/projects/${projectId}/learning-curve/`);
}

export const learningCurveQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: learningCurveQueryKey(projectId),
    queryFn: () => getLearningCurve({ projectId }),
  });

export function useLearningCurve({ projectId }: { projectId: number }) {
  return useQuery(learningCurveQueryOptions(projectId));
}
