/** Query keys of the platforms feature, in one place so mutations invalidate the right lists. */
export const platformKeys = {
  all: ["platforms"] as const,
  list: ["platforms", "list"] as const,
  apiKeys: (platformId: number) => ["platforms", platformId, "api-keys"] as const,
  webhooks: (platformId: number) => ["platforms", platformId, "webhooks"] as const,
  grants: (platformId: number) => ["platforms", platformId, "grants"] as const,
  deliveries: (endpointId: number, page: number) => ["platforms", "deliveries", endpointId, page] as const,
};
