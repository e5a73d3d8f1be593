import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { DriftState, DriftWindow } from "../types";

export const driftQueryKey = (projectId: number) => ["projects", projectId, "drift"] as const;

export function getDriftState({ projectId }: { projectId: number }): Promise<DriftState> {
  return api.get<DriftState>(`/projects/${projectId}/drift/`);
}

export const driftStateQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: [...driftQueryKey(projectId), "state"],
    queryFn: () => getDriftState({ projectId }),
    // Windows close in the background (every minute at most): look again now and then.
    refetchInterval: 60_000,
  });

export function useDriftState({ projectId, enabled = true }: { projectId: number; enabled?: boolean }) {
  return useQuery({ ...driftStateQueryOptions(projectId), enabled });
}

/** The newest windows (up to 200), oldest first for charting. */
export async function getDriftWindows({ projectId }: { projectId: number }): Promise<DriftWindow[]> {
  const page = await api.get<Paginated<DriftWindow>>(`/projects/${projectId}/drift/windows/`, {
    page_size: 200,
  });
  return [...page.results].sort((a, b) => a.number - b.number);
}

export function useDriftWindows({ projectId }: { projectId: number }) {
  return useQuery({
    queryKey: [...driftQueryKey(projectId), "windows"],
    queryFn: () => getDriftWindows({ projectId }),
    refetchInterval: 60_000,
  });
}
