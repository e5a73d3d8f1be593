import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Member } from "../types";

export const membersQueryKey = (projectId: number) => ["projects", projectId, "members"] as const;

// A project has few members; one large page shows them all.
const MEMBERS_PAGE_SIZE = 500;

export function getMembers(projectId: number): Promise<Paginated<Member>> {
  return api.get<Paginated<Member>>(`/projects/${projectId}/members/`, { page_size: MEMBERS_PAGE_SIZE });
}

export const membersQueryOptions = (projectId: number) =>
  queryOptions({ queryKey: membersQueryKey(projectId), queryFn: () => getMembers(projectId) });

export function useMembers(projectId: number) {
  return useQuery(membersQueryOptions(projectId));
}
