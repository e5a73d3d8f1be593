import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { ImportJob } from "../types";

export const importsQueryKey = (projectId: number) => ["projects", projectId, "imports"] as const;

export function getImports({ projectId, page = 1 }: { projectId: number; page?: number }): Promise<Paginated<ImportJob>> {
  return api.get<Paginated<ImportJob>>(`/projects/${projectId}/imports/`, { page });
}

export const importsQueryOptions = (projectId: number, page = 1) =>
  queryOptions({
    queryKey: [...importsQueryKey(projectId), "list", { page }],
    queryFn: () => getImports({ projectId, page }),
  });

export function useImports({ projectId, page = 1 }: { projectId: number; page?: number }) {
  return useQuery(importsQueryOptions(projectId, page));
}
