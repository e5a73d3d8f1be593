import { queryOptions, useQuery } from "@tanstack/react-query";

import { ApiError, api } from "@/lib/api-client";

import type { User } from "../types";

export const meQueryKey = ["auth", "me"] as const;

/** The signed-in user, or null when nobody is signed in (the API answers 401/403). */
export async function getMe(): Promise<User | null> {
  try {
    return await api.get<User>("/auth/me/");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

export const meQueryOptions = () =>
  queryOptions({ queryKey: meQueryKey, queryFn: getMe, staleTime: 5 * 60_000 });

export function useMe() {
  return useQuery(meQueryOptions());
}
