import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { components } from "@/types/api";
import type { Paginated } from "@/types/pagination";

import type { Policy } from "../types";
import { moderationKeys } from "./keys";

export type PolicyCreate = components["schemas"]["PolicyCreateInputRequest"];
type ProjectChoice = Pick<components["schemas"]["ProjectOutput"], "id" | "name" | "role">;

/** Create a policy on a labeling project the caller administers (audited as `policy.create`). */
export function createPolicy(input: PolicyCreate): Promise<Policy> {
  return api.post<Policy>("/moderation/policies/", input);
}

export function useCreatePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPolicy,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: moderationKeys.policies }),
  });
}

/** The labeling projects the caller administers: where they may create a policy. */
export function useAdministeredProjects() {
  return useQuery({
    queryKey: [...moderationKeys.all, "administered-projects"] as const,
    queryFn: async (): Promise<ProjectChoice[]> => {
      const page = await api.get<Paginated<ProjectChoice>>("/projects/", { page_size: 100 });
      return page.results.filter((project) => project.role === "admin");
    },
  });
}
