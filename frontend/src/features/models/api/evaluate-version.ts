import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { TrainingJob } from "../types";
import { trainingJobsQueryKey } from "./get-training-jobs";
import { versionEvaluationQueryKey } from "./get-version-evaluation";

/** Evaluate a version again in a background job (e.g. after the slice fields changed). */
export function evaluateVersion({ projectId, versionId }: { projectId: number; versionId: number }) {
  return api.post<TrainingJob>(`/projects/${projectId}/model-versions/${versionId}/evaluation/`);
}

export function useEvaluateVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: evaluateVersion,
    onSuccess: (_job, { projectId, versionId }) => {
      void queryClient.invalidateQueries({ queryKey: versionEvaluationQueryKey(projectId, versionId) });
      void queryClient.invalidateQueries({ queryKey: trainingJobsQueryKey(projectId) });
    },
  });
}
