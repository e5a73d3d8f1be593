import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Policy } from "../types";
import { moderationKeys } from "./keys";

export function getPolicy(policyId: number): Promise<Policy> {
  return api.get<Policy>(`/moderation/policies/${policyId}/`);
}

export function usePolicy(policyId: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: moderationKeys.policy(policyId), queryFn: () => getPolicy(policyId), enabled });
}
