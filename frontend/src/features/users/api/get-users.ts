import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { SiteUser } from "../types";

export const usersQueryKey = ["users"] as const;

type GetUsersArgs = { page?: number; search?: string };

export function getUsers({ page = 1, search }: GetUsersArgs = {}): Promise<Paginated<SiteUser>> {
  return api.get<Paginated<SiteUser>>("/users/", { page, search });
}

export const usersQueryOptions = (args: GetUsersArgs = {}) =>
  queryOptions({
    queryKey: [...usersQueryKey, { page: args.page ?? 1, search: args.search ?? "" }],
    queryFn: () => getUsers(args),
    placeholderData: keepPreviousData,
  });

export function useUsers(args: GetUsersArgs = {}) {
  return useQuery(usersQueryOptions(args));
}
