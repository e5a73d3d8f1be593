import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { apiRequest } from "@/lib/api-client";

import type { SnapshotFilters, SnapshotPreview } from "../types";
import { snapshotsQueryKey } from "./get-snapshots";

/** The counts a snapshot cut with these filters would have; nothing is cut (POST, no writes). */
export function previewSnapshot({
  projectId,
  filters,
  signal,
}: {
  projectId: number;
  filters: SnapshotFilters;
  signal?: AbortSignal;
}): Promise<SnapshotPreview> {
  return apiRequest<SnapshotPreview>(`/projects/${projectId}/snapshots/preview/`, {
    method: "POST",
    body: { filters },
    signal,
  });
}

/** Give it debounced filters: each distinct set is asked once and kept while the next loads. */
export function useSnapshotPreview({ projectId, filters }: { projectId: number; filters: SnapshotFilters }) {
  return useQuery({
    queryKey: [...snapshotsQueryKey(projectId), "preview", filters],
    queryFn: ({ signal }) => previewSnapshot({ projectId, filters, signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
