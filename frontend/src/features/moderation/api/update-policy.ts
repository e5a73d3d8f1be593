import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Policy, PolicyUpdate } from "../types";
import { moderationKeys } from "./keys";

/** Change a policy (audited on the server as `policy.update` with before and after). */
export function updatePolicy({ policyId, input }: { policyId: number; input: PolicyUpdate }): Promise<Policy> {
  return api.patch<Policy>(`/moderation/policies/${policyId}/`, input);
}

export function useUpdatePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updatePolicy,
    onSuccess: (policy) => {
      queryClient.setQueryData(moderationKeys.policy(policy.id), policy);
      void queryClient.invalidateQueries({ queryKey: moderationKeys.policies });
    },
  });
}
