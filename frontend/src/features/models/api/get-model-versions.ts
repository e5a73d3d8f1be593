import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { ModelVersion } from "../types";

export const modelVersionsQueryKey = (projectId: number) => ["projects", projectId, "model-versions"] as const;

export function getModelVersions({
  projectId,
  page = 1,
}: {
  projectId: number;
  page?: number;
}): Promise<Paginated<ModelVersion>> {
  return api.get<Paginated<ModelVersion>>(`/projects/${projectId}/model-versions/`, { page });
}

export const modelVersionsQueryOptions = (projectId: number, page = 1) =>
  queryOptions({
    queryKey: [...modelVersionsQueryKey(projectId), "list", { page }],
    queryFn: () => getModelVersions({ projectId, page }),
    placeholderData: keepPreviousData,
  });

export function useModelVersions({ projectId, page = 1 }: { projectId: number; page?: number }) {
  return useQuery(modelVersionsQueryOptions(projectId, page));
}
