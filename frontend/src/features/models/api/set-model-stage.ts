import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ModelStage, ModelVersion } from "../types";
import { modelVersionsQueryKey } from "./get-model-versions";

type SetModelStageInput = { projectId: number; versionId: number; stage: ModelStage };

export function setModelStage({ projectId, versionId, stage }: SetModelStageInput): Promise<ModelVersion> {
  return api.post<ModelVersion>(`/projects/${projectId}/model-versions/${versionId}/stage/`, { stage });
}

export function useSetModelStage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setModelStage,
    // Promoting one version can move another (the previous production model), so the whole list
    // is fetched again rather than patched.
    onSuccess: (_version, { projectId }) => {
      void queryClient.invalidateQueries({ queryKey: modelVersionsQueryKey(projectId) });
    },
  });
}
