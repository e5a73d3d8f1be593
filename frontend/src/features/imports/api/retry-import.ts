import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ImportJob } from "../types";
import { importQueryKey } from "./get-import";
import { importsQueryKey } from "./get-imports";

export function retryImport({ projectId, importId }: { projectId: number; importId: number }): Promise<ImportJob> {
  return api.post<ImportJob>(`/projects/${projectId}/imports/${importId}/retry/`);
}

export function useRetryImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryImport,
    onSuccess: (job, { projectId }) => {
      queryClient.setQueryData(importQueryKey(projectId, job.id), job);
      void queryClient.invalidateQueries({ queryKey: [...importsQueryKey(projectId), "list"] });
    },
  });
}
