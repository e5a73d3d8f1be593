import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ApiTokenCreated, ApiTokenInfo } from "../types";
import { apiTokenQueryKey } from "./get-api-token";

/** Create (or replace) the caller's API token; the old one stops working. */
export function createApiToken(): Promise<ApiTokenCreated> {
  return api.post<ApiTokenCreated>("/auth/token/");
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiToken,
    onSuccess: ({ prefix, created_at, last_used_at }) => {
      // Only what the server keeps goes into the cache; the key stays in this answer.
      const kept: ApiTokenInfo = { prefix, created_at, last_used_at };
      queryClient.setQueryData(apiTokenQueryKey, kept);
    },
  });
}
