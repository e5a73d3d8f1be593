import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Appeal } from "../types";
import { moderationKeys } from "./keys";

export function getAppeals({ state, page }: { state: string; page: number }): Promise<Paginated<Appeal>> {
  return api.get<Paginated<Appeal>>("/moderation/appeals/", { state, page });
}

export function useAppeals({ state, page }: { state: string; page: number }) {
  return useQuery({
    queryKey: moderationKeys.appeals(state, page),
    queryFn: () => getAppeals({ state, page }),
    placeholderData: keepPreviousData,
  });
}
