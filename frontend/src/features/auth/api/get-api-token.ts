import { useQuery } from "@tanstack/react-query";

import { ApiError, api } from "@/lib/api-client";

import type { ApiTokenInfo } from "../types";

export const apiTokenQueryKey = ["auth", "token"] as const;

/** The caller's API token as the server keeps it (prefix, dates), or null when they have none. */
export async function getApiToken(): Promise<ApiTokenInfo | null> {
  try {
    return await api.get<ApiTokenInfo>("/auth/token/");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function useApiToken() {
  return useQuery({ queryKey: apiTokenQueryKey, queryFn: getApiToken });
}
