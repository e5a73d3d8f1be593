import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { EvaluationSettings } from "../types";
import { evaluationSettingsQueryKey } from "./get-evaluation-settings";

/** Declare the slice fields (project admins); the server names a field it refuses. */
export function updateEvaluationSettings({
  projectId,
  sliceFields,
}: {
  projectId: number;
  sliceFields: string[];
}): Promise<EvaluationSettings> {
  return api.put<EvaluationSettings>(`/projects/${projectId}/evaluation-settings/`, { slice_fields: sliceFields });
}

export function useUpdateEvaluationSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateEvaluationSettings,
    onSuccess: (settings, { projectId }) => {
      queryClient.setQueryData(evaluationSettingsQueryKey(projectId), settings);
    },
  });
}
