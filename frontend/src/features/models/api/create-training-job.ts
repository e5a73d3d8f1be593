import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { TrainingJob } from "../types";
import { trainingJobsQueryKey } from "./get-training-jobs";

/**
 * Ask for a model to be trained now. The server answers 202 with the job: a new one, or the one
 * already queued or running (which then runs once more when it ends).
 */
export function createTrainingJob({ projectId }: { projectId: number }): Promise<TrainingJob> {
  return api.post<TrainingJob>(`/projects/${projectId}/training-jobs/`, { kind: "train" });
}

export function useCreateTrainingJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTrainingJob,
    onSuccess: (_job, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: trainingJobsQueryKey(projectId) });
    },
  });
}
