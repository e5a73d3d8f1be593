import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { TrainingJob } from "../types";
import { labelQualityQueryKey } from "./get-label-quality";

/** Start finding suspect labels (a background job; a running one is returned instead). */
export function runSuspectLabels({ projectId }: { projectId: number }): Promise<TrainingJob> {
  return api.post<TrainingJob>(`/projects/${projectId}/suspect-labels/run/`, {});
}

export function useRunSuspectLabels() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runSuspectLabels,
    onSuccess: (_job, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: labelQualityQueryKey(projectId) });
    },
  });
}
