import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, apiRequest } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { PolicyGrant } from "../types";
import { platformKeys } from "./keys";

/** Every policy, each saying whether the platform's keys may use it (one page of 500 holds them). */
export function getPolicyGrants(platformId: number): Promise<Paginated<PolicyGrant>> {
  return api.get<Paginated<PolicyGrant>>(`/moderation/platforms/${platformId}/grants/`, { page_size: 500 });
}

export function usePolicyGrants(platformId: number) {
  return useQuery({ queryKey: platformKeys.grants(platformId), queryFn: () => getPolicyGrants(platformId) });
}

type GrantInput = { platformId: number; policyId: number };

/** Let the platform's keys use the policy (201 when granted now, 200 when it already was). */
export function grantPolicy({ platformId, policyId }: GrantInput): Promise<PolicyGrant> {
  return apiRequest<PolicyGrant>(`/moderation/platforms/${platformId}/grants/${policyId}/`, { method: "PUT" });
}

/** Stop the platform's keys using the policy: from their next request, its intake, reports,
 * appeals and status under it answer 404. */
export function revokePolicyGrant({ platformId, policyId }: GrantInput): Promise<void> {
  return api.delete(`/moderation/platforms/${platformId}/grants/${policyId}/`);
}

function useGrantMutation<TOutput>(mutationFn: (input: GrantInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (_data, input) => {
      void queryClient.invalidateQueries({ queryKey: platformKeys.grants(input.platformId) });
    },
  });
}

export function useGrantPolicy() {
  return useGrantMutation(grantPolicy);
}

export function useRevokePolicyGrant() {
  return useGrantMutation(revokePolicyGrant);
}
