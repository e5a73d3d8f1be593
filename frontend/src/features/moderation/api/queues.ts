import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { components } from "@/types/api";
import type { Paginated } from "@/types/pagination";

import type { PolicyQueue, QueueCreateInput, QueueUpdateInput, ReviewQueueStats, ReviewTier } from "../types";

/** Query keys of review queues: the picker's figures, and a policy's queues. */
export const queueKeys = {
  statsAll: ["moderation", "queues"] as const,
  stats: (tier: ReviewTier) => ["moderation", "queues", tier] as const,
  policy: (policyId: number) => ["moderation", "policies", policyId, "queues"] as const,
};

/** The queues the signed-in moderator may work, with depth, oldest item and SLA at risk. */
export function getQueueStats(tier: ReviewTier): Promise<ReviewQueueStats[]> {
  return api.get<ReviewQueueStats[]>("/moderation/queues/", { tier });
}

/** Refreshed every 30 s, like the queue itself, so the figures follow the work. */
export function useQueueStats(tier: ReviewTier) {
  return useQuery({
    queryKey: queueKeys.stats(tier),
    queryFn: () => getQueueStats(tier),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

export function getPolicyQueues(policyId: number): Promise<Paginated<PolicyQueue>> {
  return api.get<Paginated<PolicyQueue>>(`/moderation/policies/${policyId}/queues/`, { page_size: 100 });
}

export function usePolicyQueues(policyId: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: queueKeys.policy(policyId), queryFn: () => getPolicyQueues(policyId), enabled });
}

function useInvalidateQueues(policyId: number) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: queueKeys.policy(policyId) });
    void queryClient.invalidateQueries({ queryKey: queueKeys.statsAll });
  };
}

export function useCreateQueue(policyId: number) {
  const invalidate = useInvalidateQueues(policyId);
  return useMutation({
    mutationFn: (input: QueueCreateInput) => api.post<PolicyQueue>(`/moderation/policies/${policyId}/queues/`, input),
    onSuccess: invalidate,
  });
}

export function useUpdateQueue(policyId: number) {
  const invalidate = useInvalidateQueues(policyId);
  return useMutation({
    mutationFn: ({ queueId, input }: { queueId: number; input: QueueUpdateInput }) =>
      api.patch<PolicyQueue>(`/moderation/queues/${queueId}/`, input),
    onSuccess: invalidate,
  });
}

export function useDeleteQueue(policyId: number) {
  const invalidate = useInvalidateQueues(policyId);
  return useMutation({
    mutationFn: (queueId: number) => api.delete(`/moderation/queues/${queueId}/`),
    onSuccess: invalidate,
  });
}

export function useAddQueueMember(policyId: number) {
  const invalidate = useInvalidateQueues(policyId);
  return useMutation({
    mutationFn: ({ queueId, userId }: { queueId: number; userId: number }) =>
      api.post<PolicyQueue>(`/moderation/queues/${queueId}/members/`, { user_id: userId }),
    onSuccess: invalidate,
  });
}

export function useRemoveQueueMember(policyId: number) {
  const invalidate = useInvalidateQueues(policyId);
  return useMutation({
    mutationFn: ({ queueId, userId }: { queueId: number; userId: number }) =>
      api.delete(`/moderation/queues/${queueId}/members/${userId}/`),
    onSuccess: invalidate,
  });
}

/** A member of the policy's project, as the queue admin offers them for a restricted queue. */
export type ProjectPerson = Pick<components["schemas"]["MemberOutput"], "user" | "username" | "role">;

/** The people of the policy's project (one large page: a project has few members). */
export function useProjectPeople(projectId: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ["moderation", "project-people", projectId] as const,
    queryFn: () => api.get<Paginated<ProjectPerson>>(`/projects/${projectId}/members/`, { page_size: 200 }),
    enabled,
  });
}
