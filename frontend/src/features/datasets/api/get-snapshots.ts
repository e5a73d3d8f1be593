import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import { isStateActive, type Snapshot } from "../types";

export const SNAPSHOT_POLL_INTERVAL_MS = 1000;

export const snapshotsQueryKey = (projectId: number) => ["projects", projectId, "snapshots"] as const;

/** Newest first. The list may come paginated or as a plain array: both read as one page. */
export async function getSnapshots({ projectId }: { projectId: number }): Promise<Snapshot[]> {
  const body = await api.get<Paginated<Snapshot> | Snapshot[]>(`/projects/${projectId}/snapshots/`);
  return Array.isArray(body) ? body : body.results;
}

/** Every second while a snapshot is being cut or one of its exports is being written. */
export function snapshotsPollInterval(snapshots: Snapshot[] | undefined): number | false {
  const busy = snapshots?.some(
    (snapshot) => isStateActive(snapshot.state) || snapshot.exports.some((item) => isStateActive(item.state)),
  );
  return busy ? SNAPSHOT_POLL_INTERVAL_MS : false;
}

export const snapshotsQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: [...snapshotsQueryKey(projectId), "list"],
    queryFn: () => getSnapshots({ projectId }),
    staleTime: 0,
    refetchInterval: (query) => snapshotsPollInterval(query.state.data),
  });

export function useSnapshots({ projectId }: { projectId: number }) {
  return useQuery(snapshotsQueryOptions(projectId));
}
