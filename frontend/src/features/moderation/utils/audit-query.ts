/**
 * The audit page's filters as they live in the address bar (so a filtered view can be shared and
 * survives a reload), and as the API takes them.
 *
 * Dates are whole local days, both ends included: "from 2026-12-01 to 2026-12-05" asks for
 * `since` = the start of the 1st and `until` = the start of the 6th.
 */

import type { AuditFilters } from "../types";

export type AuditQuery = {
  action: string;
  actor: string;
  object_type: string;
  object_id: string;
  request_id: string;
  /** yyyy-mm-dd, local; "" for no bound. */
  from: string;
  to: string;
  page: number;
};

export const EMPTY_AUDIT_QUERY: AuditQuery = {
  action: "",
  actor: "",
  object_type: "",
  object_id: "",
  request_id: "",
  from: "",
  to: "",
  page: 1,
};

const TEXT_KEYS = ["action", "actor", "object_type", "object_id", "request_id", "from", "to"] as const;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a yyyy-mm-dd day, `plusDays` later; null for anything that is not a real day. */
export function localDayStart(day: string, plusDays = 0): Date | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, date + plusDays);
  const roundTrips = new Date(year, month - 1, date);
  if (roundTrips.getFullYear() !== year || roundTrips.getMonth() !== month - 1 || roundTrips.getDate() !== date) {
    return null;
  }
  return start;
}

export function auditQueryFromParams(params: URLSearchParams): AuditQuery {
  const query: AuditQuery = { ...EMPTY_AUDIT_QUERY };
  for (const key of TEXT_KEYS) query[key] = (params.get(key) ?? "").trim();
  if (query.from && !localDayStart(query.from)) query.from = "";
  if (query.to && !localDayStart(query.to)) query.to = "";
  const page = Number(params.get("page") ?? "1");
  query.page = Number.isInteger(page) && page > 0 ? page : 1;
  return query;
}

export function auditQueryToParams(query: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const value = query[key].trim();
    if (value) params.set(key, value);
  }
  if (query.page > 1) params.set("page", String(query.page));
  return params;
}

/** What the API is asked for: blank filters left out, days turned into instants. */
export function auditFiltersOf(query: AuditQuery): AuditFilters {
  const since = query.from ? localDayStart(query.from) : null;
  const until = query.to ? localDayStart(query.to, 1) : null;
  return {
    action: query.action || undefined,
    actor: query.actor || undefined,
    object_type: query.object_type || undefined,
    object_id: query.object_id || undefined,
    request_id: query.request_id || undefined,
    since: since?.toISOString(),
    until: until?.toISOString(),
  };
}

const pad = (value: number) => String(value).padStart(2, "0");

/** "2026-12-05 19:59:03" in local time: sortable, and narrow enough for a dense table. */
export function formatAuditTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
