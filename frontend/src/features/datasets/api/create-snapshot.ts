import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Snapshot, SnapshotFilters } from "../types";
import { snapshotsQueryKey } from "./get-snapshots";

export type CreateSnapshotInput = { projectId: number; name: string; filters: SnapshotFilters };

/** Cut a snapshot: 202 with it queued, or 400 (before any job) when the filters select nothing. */
export function createSnapshot({ projectId, name, filters }: CreateSnapshotInput): Promise<Snapshot> {
  return api.post<Snapshot>(`/projects/${projectId}/snapshots/`, { name, filters });
}

export function useCreateSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSnapshot,
    onSuccess: (snapshot, { projectId }) => {
      // Show it at once, then let the list (which polls while it is cut) take over.
      queryClient.setQueryData<Snapshot[]>([...snapshotsQueryKey(projectId), "list"], (current) =>
        current ? [snapshot, ...current.filter((row) => row.number !== snapshot.number)] : [snapshot],
      );
      void queryClient.invalidateQueries({ queryKey: snapshotsQueryKey(projectId) });
    },
  });
}
