import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Flag } from "../types";
import { flagsQueryKey } from "./get-flags";

/** Mark a flag as dealt with; it moves to the resolved list. */
export function resolveFlag({ projectId, flagId }: { projectId: number; flagId: number }): Promise<Flag> {
  return api.post<Flag>(`/projects/${projectId}/flags/${flagId}/resolve/`, {});
}

export function useResolveFlag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resolveFlag,
    onSuccess: (_flag, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: flagsQueryKey(projectId) });
    },
  });
}
