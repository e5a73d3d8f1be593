import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { AuditEvent, AuditFilters } from "../types";
import { moderationKeys } from "./keys";

/** The audit log, newest first. Read-only: the API has no way to change it. */
export function getAuditEvents({ filters, page }: { filters: AuditFilters; page: number }) {
  return api.get<Paginated<AuditEvent>>("/audit/", { ...filters, page });
}

export function useAuditEvents({ filters, page }: { filters: AuditFilters; page: number }) {
  return useQuery({
    queryKey: moderationKeys.audit(filters, page),
    queryFn: () => getAuditEvents({ filters, page }),
    placeholderData: keepPreviousData,
  });
}
