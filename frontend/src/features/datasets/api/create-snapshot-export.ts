import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { DatasetFormat, SnapshotExport } from "../types";
import { snapshotsQueryKey } from "./get-snapshots";

export type CreateExportInput = { projectId: number; number: number; format: DatasetFormat };

/**
 * Write a snapshot in one format: 202 with the export queued, or 200 with the one that exists.
 * A failed export is asked again the same way (the retry).
 */
export function createSnapshotExport({ projectId, number, format }: CreateExportInput): Promise<SnapshotExport> {
  return api.post<SnapshotExport>(`/projects/${projectId}/snapshots/${number}/exports/`, { format });
}

export function useCreateSnapshotExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSnapshotExport,
    onSettled: (_export, _error, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: snapshotsQueryKey(projectId) });
    },
  });
}
