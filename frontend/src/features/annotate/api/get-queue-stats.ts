import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { QueueStats } from "../types";

/** How often the progress strip is refreshed while the workspace is open. */
export const QUEUE_STATS_INTERVAL_MS = 30_000;

export const queueStatsQueryKey = (projectId: number) => ["projects", projectId, "queue", "stats"] as const;

export function getQueueStats({ projectId }: { projectId: number }): Promise<QueueStats> {
  return api.get<QueueStats>(`/projects/${projectId}/queue/stats/`);
}

export const queueStatsQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: queueStatsQueryKey(projectId),
    queryFn: () => getQueueStats({ projectId }),
    refetchInterval: QUEUE_STATS_INTERVAL_MS,
    staleTime: 0,
  });

export function useQueueStats({ projectId }: { projectId: number }) {
  return useQuery(queueStatsQueryOptions(projectId));
}
