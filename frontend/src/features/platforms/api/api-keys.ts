import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { ApiKey, ApiKeyCreated, ApiKeyScope } from "../types";
import { platformKeys } from "./keys";

/** The platform's keys, newest first: prefixes only, the secret is never sent again. */
export function getApiKeys(platformId: number): Promise<Paginated<ApiKey>> {
  return api.get<Paginated<ApiKey>>(`/moderation/platforms/${platformId}/keys/`, { page_size: 500 });
}

export function useApiKeys(platformId: number) {
  return useQuery({ queryKey: platformKeys.apiKeys(platformId), queryFn: () => getApiKeys(platformId) });
}

type CreateInput = { platformId: number; name: string; scopes: ApiKeyScope[] };

/** Make a key; the answer's `key` is the whole key, this one time. */
export function createApiKey({ platformId, name, scopes }: CreateInput): Promise<ApiKeyCreated> {
  return api.post<ApiKeyCreated>(`/moderation/platforms/${platformId}/keys/`, { name, scopes });
}

/** Revoke a key: the platform's requests with it get 401 from now on. */
export function revokeApiKey({ platformId, keyId }: { platformId: number; keyId: number }): Promise<ApiKey> {
  return api.post<ApiKey>(`/moderation/platforms/${platformId}/keys/${keyId}/revoke/`);
}

function useInvalidatingMutation<TInput extends { platformId: number }, TOutput>(
  mutationFn: (input: TInput) => Promise<TOutput>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (_data, input) => {
      void queryClient.invalidateQueries({ queryKey: platformKeys.apiKeys(input.platformId) });
      // The list shows each platform's number of active keys.
      void queryClient.invalidateQueries({ queryKey: platformKeys.list });
    },
  });
}

export function useCreateApiKey() {
  return useInvalidatingMutation(createApiKey);
}

export function useRevokeApiKey() {
  return useInvalidatingMutation(revokeApiKey);
}
