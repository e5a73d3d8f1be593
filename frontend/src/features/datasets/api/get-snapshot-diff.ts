import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { SnapshotDiff } from "../types";
import { snapshotsQueryKey } from "./get-snapshots";

export function getSnapshotDiff({ projectId, a, b }: { projectId: number; a: number; b: number }): Promise<SnapshotDiff> {
  return api.get<SnapshotDiff>(`/projects/${projectId}/snapshots/diff/`, { a, b });
}

/** Snapshots never change once cut, so a diff is fetched once. */
export function useSnapshotDiff({ projectId, a, b }: { projectId: number; a: number | null; b: number | null }) {
  return useQuery({
    queryKey: [...snapshotsQueryKey(projectId), "diff", { a, b }],
    queryFn: () => getSnapshotDiff({ projectId, a: a ?? 0, b: b ?? 0 }),
    enabled: a !== null && b !== null && a !== b,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
