import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { ModelCompare, ModelStage, StageModelVersion } from "../types";
import { moderationKeys } from "./keys";

export function getStageModelVersions(projectId: number): Promise<Paginated<StageModelVersion>> {
  return api.get<Paginated<StageModelVersion>>(`/projects/${projectId}/model-versions/`, { page_size: 100 });
}

export function useStageModelVersions(projectId: number) {
  return useQuery({
    queryKey: moderationKeys.modelVersions(projectId),
    queryFn: () => getStageModelVersions(projectId),
  });
}

export type StageChange =
  | { kind: "stage"; projectId: number; versionId: number; stage: Extract<ModelStage, "canary" | "production"> }
  | { kind: "rollback"; projectId: number; reason?: string };

/** Promote a version (audited as `model.stage`), or roll production back to the previous version. */
export function changeStage(change: StageChange): Promise<unknown> {
  if (change.kind === "rollback") {
    return api.post(`/projects/${change.projectId}/model-versions/rollback/`, { reason: change.reason ?? "" });
  }
  return api.post(`/projects/${change.projectId}/model-versions/${change.versionId}/stage/`, {
    stage: change.stage,
  });
}

export function useChangeStage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changeStage,
    // One promotion moves other versions too (the old production is archived): refetch them all.
    onSuccess: (_result, change) => {
      void queryClient.invalidateQueries({ queryKey: moderationKeys.modelVersions(change.projectId) });
    },
  });
}

export function getModelCompare({ projectId, a, b }: { projectId: number; a: number; b: number }) {
  return api.get<ModelCompare>(`/projects/${projectId}/model-versions/compare/`, { a, b });
}

/** Held-out metrics of two versions (by version number) side by side, and (for shadow / canary)
 * agreement with people. */
export function useModelCompare({ projectId, a, b }: { projectId: number; a: number | null; b: number | null }) {
  return useQuery({
    queryKey: moderationKeys.modelCompare(projectId, a ?? 0, b ?? 0),
    queryFn: () => getModelCompare({ projectId, a: a ?? 0, b: b ?? 0 }),
    enabled: a !== null && b !== null && a !== b,
  });
}
