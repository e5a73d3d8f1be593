import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { AdjudicationItem } from "../types";
import { adjudicationsQueryKey } from "./get-adjudications";
import { dashboardQueryKey } from "./get-dashboard";

type ResolveAdjudicationArgs = { projectId: number; itemId: number; labels: string[]; note?: string };

/** Set the gold label of a disputed item (training uses it instead of the disagreeing labels). */
export function resolveAdjudication({ projectId, itemId, labels, note }: ResolveAdjudicationArgs) {
  return api.post<AdjudicationItem>(`/projects/${projectId}/adjudication/${itemId}/`, {
    labels,
    ...(note ? { note } : {}),
  });
}

export function useResolveAdjudication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resolveAdjudication,
    onSuccess: (_result, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: adjudicationsQueryKey(projectId) });
      void queryClient.invalidateQueries({ queryKey: dashboardQueryKey(projectId) });
    },
  });
}
