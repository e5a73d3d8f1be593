import type { AuditFilters, QueueFilters, SearchFilters } from "../types";

/** Query keys of the moderation feature, in one place so mutations invalidate the right lists. */
export const moderationKeys = {
  all: ["moderation"] as const,
  queue: (filters: QueueFilters, page: number) => ["moderation", "queue", { filters, page }] as const,
  queueAll: ["moderation", "queue"] as const,
  content: (contentId: number) => ["moderation", "contents", contentId] as const,
  similar: (contentId: number) => ["moderation", "contents", contentId, "similar"] as const,
  appeals: (state: string, page: number) => ["moderation", "appeals", { state, page }] as const,
  appealsAll: ["moderation", "appeals"] as const,
  audit: (filters: AuditFilters, page: number) => ["moderation", "audit", { filters, page }] as const,
  policies: ["moderation", "policies"] as const,
  searchAll: ["moderation", "search"] as const,
  search: (filters: SearchFilters, cursor: string | null) => ["moderation", "search", { filters, cursor }] as const,
  bulkAction: (bulkId: number) => ["moderation", "bulk-actions", bulkId] as const,
  author: (authorId: number) => ["moderation", "authors", authorId] as const,
  policy: (policyId: number) => ["moderation", "policies", policyId] as const,
  wellness: ["moderation", "wellness", "me"] as const,
  wellnessDefaults: ["moderation", "wellness", "defaults"] as const,
  exposureAll: ["moderation", "wellness", "exposure"] as const,
  exposure: (userId?: number) => ["moderation", "wellness", "exposure", userId ?? "me"] as const,
  exposureModerators: (page: number) => ["moderation", "wellness", "exposure", "moderators", page] as const,
  quality: (filters: { since: string; until: string; policy?: number }) => ["moderation", "quality", filters] as const,
  qualitySettings: (policyId: number) => ["moderation", "quality-settings", policyId] as const,
  goldItemsAll: (policyId: number) => ["moderation", "gold-items", policyId] as const,
  goldItems: (policyId: number, page: number) => ["moderation", "gold-items", policyId, page] as const,
  modelVersions: (projectId: number) => ["moderation", "model-versions", projectId] as const,
  modelCompare: (projectId: number, a: number, b: number) =>
    ["moderation", "model-versions", projectId, "compare", a, b] as const,
};
