import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api, ApiError } from "@/lib/api-client";

import type { Exposure } from "../types";
import { moderationKeys } from "./keys";

type ExposurePage = { count: number; next: string | null; previous: string | null; results: Exposure[] };

/** Reveals of graphic content today and over the last seven days: yours, or a moderator's you manage. */
export function getExposure(userId?: number): Promise<Exposure> {
  return api.get<Exposure>("/moderation/wellness/exposure/", { user: userId });
}

export function useExposure(userId?: number) {
  return useQuery({ queryKey: moderationKeys.exposure(userId), queryFn: () => getExposure(userId) });
}

/** The exposure of the moderators you manage; 403 (null here) when you manage nobody. */
export async function getModeratorExposure(page: number): Promise<ExposurePage | null> {
  try {
    return await api.get<ExposurePage>("/moderation/wellness/exposure/moderators/", { page });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw error;
  }
}

export function useModeratorExposure(page: number) {
  return useQuery({
    queryKey: moderationKeys.exposureModerators(page),
    queryFn: () => getModeratorExposure(page),
    placeholderData: keepPreviousData,
  });
}
