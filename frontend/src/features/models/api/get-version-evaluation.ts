import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { isJobActive, type VersionEvaluation } from "../types";
import { TRAINING_POLL_INTERVAL_MS } from "./get-training-jobs";
import { modelVersionsQueryKey } from "./get-model-versions";

/** A version's stored evaluation report and its latest evaluation job. */
export function getVersionEvaluation({
  projectId,
  versionId,
}: {
  projectId: number;
  versionId: number;
}): Promise<VersionEvaluation> {
  return api.get<VersionEvaluation>(`/projects/${projectId}/model-versions/${versionId}/evaluation/`);
}

export const versionEvaluationQueryKey = (projectId: number, versionId: number) =>
  [...modelVersionsQueryKey(projectId), versionId, "evaluation"] as const;

export const versionEvaluationQueryOptions = (projectId: number, versionId: number) =>
  queryOptions({
    queryKey: versionEvaluationQueryKey(projectId, versionId),
    queryFn: () => getVersionEvaluation({ projectId, versionId }),
    // Poll while the version is being evaluated again: the report changes when the job ends.
    refetchInterval: (query) =>
      query.state.data?.job && isJobActive(query.state.data.job.status) ? TRAINING_POLL_INTERVAL_MS : false,
  });

export function useVersionEvaluation({ projectId, versionId }: { projectId: number; versionId: number }) {
  return useQuery(versionEvaluationQueryOptions(projectId, versionId));
}
