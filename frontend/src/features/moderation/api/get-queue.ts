import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { QueueFilters, QueueRow } from "../types";
import { moderationKeys } from "./keys";

export function getQueue({ filters, page }: { filters: QueueFilters; page: number }): Promise<Paginated<QueueRow>> {
  return api.get<Paginated<QueueRow>>("/moderation/queue/", { ...filters, page });
}

/** The open content, highest priority first; refreshed every 30 s so new content shows up. */
export function useQueue({ filters, page }: { filters: QueueFilters; page: number }) {
  return useQuery({
    queryKey: moderationKeys.queue(filters, page),
    queryFn: () => getQueue({ filters, page }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
