import type { Paginated } from "@/types/pagination";

import type { ApiKey, Platform, PolicyGrant, WebhookDelivery, WebhookEndpoint } from "../types";

export function page<T>(results: T[]): Paginated<T> {
  return { count: results.length, next: null, previous: null, results };
}

export function platform(overrides: Partial<Platform> = {}): Platform {
  return { id: 4, name: "Riverside Forum", active_key_count: 0, created_at: "2026-01-01T10:00:00Z", ...overrides };
}

export function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 11,
    name: "",
    prefix: "tdm_k3Rb81xQ",
    scopes: ["intake"],
    created_at: "2026-01-02T10:00:00Z",
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

export function endpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: 21,
    platform: 4,
    url: "https://forum.example/tandem/events",
    active: true,
    secret_hint: "s3cr…",
    created_at: "2026-01-02T10:00:00Z",
    ...overrides,
  };
}

export function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: 31,
    delivery_id: "0b6f6d2e-5f0c-4c36-9d3e-7a1f4f0e9c21",
    event: "content.decided",
    payload: { external_id: "post-1", action: "remove" },
    status: "delivered",
    attempts: 1,
    last_status_code: 200,
    last_error: "",
    log: [{ attempt: 1, at: "2026-01-03T10:00:00Z", status_code: 200, error: "", duration_ms: 41.2 }],
    next_attempt_at: null,
    created_at: "2026-01-03T10:00:00Z",
    delivered_at: "2026-01-03T10:00:00Z",
    ...overrides,
  };
}

export function policyGrant(overrides: Partial<PolicyGrant> = {}): PolicyGrant {
  return {
    policy: 7,
    policy_name: "Community rules",
    project: 3,
    project_name: "Forum posts",
    granted: false,
    granted_at: null,
    granted_by: null,
    ...overrides,
  };
}

type Call = { method: string; path: string; body: unknown };

/** Requests the component made, in order, with JSON bodies parsed. */
export function recordedCalls(mock: { mock: { calls: unknown[][] } }): Call[] {
  return mock.mock.calls.map(([input, init]) => {
    const url = new URL(String(input), "http://localhost");
    const options = (init ?? {}) as RequestInit;
    return {
      method: options.method ?? "GET",
      path: url.pathname,
      body: typeof options.body === "string" ? (JSON.parse(options.body) as unknown) : undefined,
    };
  });
}
