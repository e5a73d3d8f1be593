import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { type ImportJob, isFinished } from "../types";
import { importsQueryKey } from "./get-imports";

export const IMPORT_POLL_INTERVAL_MS = 1000;

export const importQueryKey = (projectId: number, importId: number) =>
  [...importsQueryKey(projectId), "detail", importId] as const;

export function getImport({ projectId, importId }: { projectId: number; importId: number }): Promise<ImportJob> {
  return api.get<ImportJob>(`/projects/${projectId}/imports/${importId}/`);
}

/** The job, polled every second until it has succeeded or failed. */
export const importQueryOptions = (projectId: number, importId: number) =>
  queryOptions({
    queryKey: importQueryKey(projectId, importId),
    queryFn: () => getImport({ projectId, importId }),
    staleTime: 0,
    refetchInterval: (query) => (isFinished(query.state.data?.status) ? false : IMPORT_POLL_INTERVAL_MS),
    refetchIntervalInBackground: true,
  });

export function useImport({ projectId, importId }: { projectId: number; importId: number }) {
  return useQuery(importQueryOptions(projectId, importId));
}
