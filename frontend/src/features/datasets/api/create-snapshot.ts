import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

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
      // Show it at once on the first page, then let the list (which polls while it is cut) take over.
      queryClient.setQueryData<Paginated<Snapshot>>([...snapshotsQueryKey(projectId), "list", { page: 1 }], (current) =>
        current
          ? {
              ...current,
              count: current.count + 1,
              results: [snapshot, ...current.results.filter((row) => row.number !== snapshot.number)],
            }
          : current,
      );
      void queryClient.invalidateQueries({ queryKey: snapshotsQueryKey(projectId) });
    },
  });
}
