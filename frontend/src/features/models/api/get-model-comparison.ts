import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ModelComparison } from "../types";
import { modelVersionsQueryKey } from "./get-model-versions";

/** Two versions by number (what people see), scored on the same held-out items. */
export function getModelComparison({
  projectId,
  a,
  b,
}: {
  projectId: number;
  a: number;
  b: number;
}): Promise<ModelComparison> {
  return api.get<ModelComparison>(`/projects/${projectId}/model-versions/compare/`, { a, b });
}

export const modelComparisonQueryOptions = (projectId: number, a: number, b: number) =>
  queryOptions({
    queryKey: [...modelVersionsQueryKey(projectId), "compare", { a, b }],
    queryFn: () => getModelComparison({ projectId, a, b }),
  });

export function useModelComparison({ projectId, a, b }: { projectId: number; a: number; b: number }) {
  return useQuery(modelComparisonQueryOptions(projectId, a, b));
}
