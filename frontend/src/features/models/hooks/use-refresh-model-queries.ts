import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { autoLabelEstimateQueryKey } from "../api/get-auto-label-estimate";
import { learningCurveQueryKey } from "../api/get-learning-curve";
import { modelVersionsQueryKey } from "../api/get-model-versions";

/** Refetch what a finished training job changes: the versions, the curve and the estimate. */
export function useRefreshModelQueries(projectId: number) {
  const queryClient = useQueryClient();
  return useCallback(() => {
    for (const queryKey of [
      modelVersionsQueryKey(projectId),
      learningCurveQueryKey(projectId),
      autoLabelEstimateQueryKey(projectId),
    ]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  }, [queryClient, projectId]);
}
