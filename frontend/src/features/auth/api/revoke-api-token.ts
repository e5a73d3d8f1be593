import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { apiTokenQueryKey } from "./get-api-token";

export function revokeApiToken(): Promise<void> {
  return api.delete("/auth/token/");
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApiToken,
    onSuccess: () => queryClient.setQueryData(apiTokenQueryKey, null),
  });
}
