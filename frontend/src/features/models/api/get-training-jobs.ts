import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import { isJobActive, type TrainingJob } from "../types";

export const TRAINING_POLL_INTERVAL_MS = 1000;

export const trainingJobsQueryKey = (projectId: number) => ["projects", projectId, "training-jobs"] as const;

export function getTrainingJobs({
  projectId,
  page = 1,
}: {
  projectId: number;
  page?: number;
}): Promise<Paginated<TrainingJob>> {
  return api.get<Paginated<TrainingJob>>(`/projects/${projectId}/training-jobs/`, { page });
}

/**
 * Every second while a job is queued or running, else not at all. A waiting job has stopped (too
 * few labels); the next one is started by new labels or "Train now", which refetches the list.
 */
export function trainingJobsPollInterval(jobs: TrainingJob[] | undefined): number | false {
  return jobs?.some((job) => isJobActive(job.status)) ? TRAINING_POLL_INTERVAL_MS : false;
}

export const trainingJobsQueryOptions = (projectId: number, page = 1) =>
  queryOptions({
    queryKey: [...trainingJobsQueryKey(projectId), "list", { page }],
    queryFn: () => getTrainingJobs({ projectId, page }),
    staleTime: 0,
    refetchInterval: (query) => trainingJobsPollInterval(query.state.data?.results),
  });

export function useTrainingJobs({ projectId, page = 1 }: { projectId: number; page?: number }) {
  return useQuery(trainingJobsQueryOptions(projectId, page));
}
