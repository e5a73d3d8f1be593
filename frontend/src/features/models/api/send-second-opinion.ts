import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { SecondOpinionResult } from "../types";
import { labelQualityQueryKey } from "./get-label-quality";
import { suspectLabelsQueryKey } from "./get-suspect-labels";

/** The most suspects one request may send (the server's cap). */
export const MAX_SECOND_OPINION_BATCH = 200;

/** Send suspects to the annotation queue for a blind second opinion from another annotator. */
export function sendSecondOpinion({ projectId, suspects }: { projectId: number; suspects: number[] }) {
  return api.post<SecondOpinionResult>(`/projects/${projectId}/suspect-labels/second-opinion/`, { suspects });
}

export function useSendSecondOpinion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: sendSecondOpinion,
    onSuccess: (_result, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: suspectLabelsQueryKey(projectId) });
      void queryClient.invalidateQueries({ queryKey: labelQualityQueryKey(projectId) });
    },
  });
}
