import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Policy } from "../types";
import { moderationKeys } from "./keys";

export function getPolicies(): Promise<Paginated<Policy>> {
  return api.get<Paginated<Policy>>("/moderation/policies/", { page_size: 100 });
}

export function usePolicies() {
  return useQuery({ queryKey: moderationKeys.policies, queryFn: getPolicies });
}
