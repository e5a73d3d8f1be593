import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, ApiError } from "@/lib/api-client";

import type { GoldItem, QualityDashboard, QualitySettings } from "../types";
import { moderationKeys } from "./keys";

export type QualityFilters = { since: string; until: string; policy?: number };

/** Moderation quality over a period: per moderator (everyone in the policies you administer, or
 * your own row) and per policy you administer. */
export function getQualityDashboard(filters: QualityFilters): Promise<QualityDashboard> {
  return api.get<QualityDashboard>("/moderation/quality/", filters);
}

export function useQualityDashboard(filters: QualityFilters) {
  return useQuery({
    queryKey: moderationKeys.quality(filters),
    queryFn: () => getQualityDashboard(filters),
    placeholderData: keepPreviousData,
  });
}

/** A policy's gold and double-review rates; null when you may not set them (403). */
export async function getQualitySettings(policyId: number): Promise<QualitySettings | null> {
  try {
    return await api.get<QualitySettings>(`/moderation/policies/${policyId}/quality/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw error;
  }
}

export function useQualitySettings(policyId: number) {
  return useQuery({ queryKey: moderationKeys.qualitySettings(policyId), queryFn: () => getQualitySettings(policyId) });
}

export function useUpdateQualitySettings(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: { gold_rate?: number; double_review_rate?: number }) =>
      api.patch<QualitySettings>(`/moderation/policies/${policyId}/quality/`, values),
    onSuccess: (data) => queryClient.setQueryData(moderationKeys.qualitySettings(policyId), data),
  });
}

/** Make a decided content of the policy a gold item (its standing decision is the right one). */
export function useCreateGoldItem(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { content: number; note?: string }) =>
      api.post<GoldItem>(`/moderation/policies/${policyId}/gold-items/`, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: moderationKeys.goldItemsAll(policyId) }),
  });
}

type GoldPage = { count: number; next: string | null; previous: string | null; results: GoldItem[] };

export function useGoldItems(policyId: number, page: number) {
  return useQuery({
    queryKey: moderationKeys.goldItems(policyId, page),
    queryFn: () => api.get<GoldPage>(`/moderation/policies/${policyId}/gold-items/`, { page }),
    placeholderData: keepPreviousData,
  });
}
