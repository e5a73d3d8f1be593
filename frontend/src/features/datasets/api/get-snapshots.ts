import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import { isStateActive, type Snapshot } from "../types";

export const SNAPSHOT_POLL_INTERVAL_MS = 1000;

export const snapshotsQueryKey = (projectId: number) => ["projects", projectId, "snapshots"] as const;

/** One page of the project's snapshots, newest first. */
export function getSnapshots({ projectId, page = 1 }: { projectId: number; page?: number }): Promise<Paginated<Snapshot>> {
  return api.get<Paginated<Snapshot>>(`/projects/${projectId}/snapshots/`, { page });
}

/** Every second while a snapshot is being cut or one of its exports is being written. */
export function snapshotsPollInterval(snapshots: Snapshot[] | undefined): number | false {
  const busy = snapshots?.some(
    (snapshot) => isStateActive(snapshot.state) || snapshot.exports.some((item) => isStateActive(item.state)),
  );
  return busy ? SNAPSHOT_POLL_INTERVAL_MS : false;
}

export const snapshotsQueryOptions = (projectId: number, page = 1) =>
  queryOptions({
    queryKey: [...snapshotsQueryKey(projectId), "list", { page }],
    queryFn: () => getSnapshots({ projectId, page }),
    staleTime: 0,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => snapshotsPollInterval(query.state.data?.results),
  });

export function useSnapshots({ projectId, page = 1 }: { projectId: number; page?: number }) {
  return useQuery(snapshotsQueryOptions(projectId, page));
}
