import { vi } from "vitest";

import { jsonResponse } from "@/testing/test-utils";

import type {
  AuthorRecord,
  ContentDetail,
  Exposure,
  Policy,
  QueueRow,
  SimilarContentRow,
  Wellness,
  WellnessValues,
} from "../types";

export const DEFAULT_WELLNESS: WellnessValues = {
  blur: "light",
  grayscale: false,
  sepia: false,
  hide_flagged_terms: false,
  mute_media: true,
  break_reminder_minutes: 0,
};

/** A person's wellness settings: `effective` as given, no values of their own. */
export function wellness(effective: Partial<WellnessValues> = {}): Wellness {
  return {
    effective: { ...DEFAULT_WELLNESS, ...effective },
    own: {
      blur: null,
      grayscale: null,
      sepia: null,
      hide_flagged_terms: null,
      mute_media: null,
      break_reminder_minutes: null,
    },
    defaults: DEFAULT_WELLNESS,
  };
}

export function exposure(today: number, overrides: Partial<Exposure> = {}): Exposure {
  return {
    user_id: 7,
    username: "mia",
    day: "2026-01-07",
    today,
    last_7_days: today,
    days: [],
    breaks_today: 0,
    ...overrides,
  };
}

export function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: 3,
    name: "Community rules",
    description: "",
    project: 9,
    automation_level: "assist",
    canary_share: 0.1,
    strike_ttl_days: 90,
    strike_thresholds: [],
    categories: [
      {
        id: 1,
        name: "spam",
        label_class: "spam",
        severity: 2,
        remove_threshold: 0.97,
        allow_threshold: 0.05,
        sla_hours: 24,
        rules: ["free money"],
      },
    ],
    reason_codes: [
      { id: 1, code: "OK-1", description: "Nothing wrong", action: "approve", category: null },
      { id: 2, code: "SPAM-1", description: "Unsolicited ads", action: "remove", category: "spam" },
      { id: 3, code: "SPAM-2", description: "Scam links", action: "remove", category: "spam" },
      { id: 4, code: "ESC-1", description: "Needs a senior look", action: "escalate", category: null },
    ],
    granted_platforms: [{ id: 4, name: "Riverside Forum", granted_at: "2026-01-02T10:00:00Z" }],
    created_at: "2026-01-01T10:00:00Z",
    updated_at: "2026-01-01T10:00:00Z",
    ...overrides,
  };
}

/** An author with one live 3-point strike and a warning in force, and one expired strike. */
export function authorRecord(overrides: Partial<AuthorRecord> = {}): AuthorRecord {
  const warning = {
    id: 8,
    kind: "warn" as const,
    source: "threshold" as const,
    policy: 3,
    policy_name: "Community rules",
    threshold_points: 3,
    live_points: 3,
    suspend_days: null,
    decision: 11,
    actor_name: "mia",
    created_at: "2026-02-01T10:00:00Z",
    ends_at: "2026-05-02T10:00:00Z",
    lifted_at: null,
    lifted_reason: "",
    in_force: true,
  };
  return {
    id: 5,
    external_id: "author-5",
    platform: "Forum",
    at: "2026-02-10T10:00:00Z",
    live_points: 3,
    policies: [{ policy: 3, policy_name: "Community rules", live_points: 3 }],
    strikes: [
      {
        id: 2,
        policy: 3,
        policy_name: "Community rules",
        category: "spam",
        reason_code: "SPAM-1",
        points: 3,
        decision: 11,
        rule: null,
        created_at: "2026-02-01T10:00:00Z",
        expires_at: "2026-05-02T10:00:00Z",
        reversed_at: null,
        state: "live",
      },
      {
        id: 1,
        policy: 3,
        policy_name: "Community rules",
        category: "spam",
        reason_code: "SPAM-2",
        points: 2,
        decision: 7,
        rule: null,
        created_at: "2025-09-01T10:00:00Z",
        expires_at: "2025-11-30T10:00:00Z",
        reversed_at: null,
        state: "expired",
      },
    ],
    actions: [warning],
    current_action: warning,
    ...overrides,
  };
}

export function contentDetail(id: number, overrides: Partial<ContentDetail> = {}): ContentDetail {
  return {
    id,
    external_id: `post-${id}`,
    platform: "Forum",
    policy: 3,
    policy_name: "Community rules",
    automation_level: "assist",
    state: "pending",
    tier: "standard",
    text: `Message ${id}`,
    has_image: false,
    blurred_thumbnail_url: null,
    image_url: null,
    context: {},
    category: "spam",
    scores: {},
    category_scores: [],
    model: null,
    model_flag: null,
    priority: 1.5,
    report_count: 0,
    user_report_count: 0,
    hash_match: false,
    sla_due_at: null,
    leased_by: "mia",
    lease_expires_at: null,
    created_at: "2026-01-01T10:00:00Z",
    decided_at: null,
    reports: [],
    rule_hits: [],
    graphic: false,
    flagged_segments: [],
    flagged_terms: [],
    hash_matches: [],
    author: null,
    author_history: [],
    similar: [],
    decisions: [],
    appeals: [],
    thread: { parent_id: null, parent_missing: false, ancestors: [], siblings: [], position: 0 },
    ...overrides,
  };
}

export function queueRow(id: number, overrides: Partial<QueueRow> = {}): QueueRow {
  return {
    id,
    external_id: `post-${id}`,
    policy: 3,
    policy_name: "Community rules",
    category: "spam",
    state: "pending",
    tier: "standard",
    text: `Message ${id}`,
    has_image: false,
    blurred_thumbnail_url: null,
    priority: 1,
    report_count: 0,
    user_report_count: 0,
    hash_match: false,
    sla_due_at: null,
    overdue: false,
    leased_by: null,
    lease_expires_at: null,
    created_at: "2026-01-01T10:00:00Z",
    ...overrides,
  };
}

export function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

type Call = { method: string; path: string; search: URLSearchParams; body: unknown };

/**
 * A fetch stand-in for the moderation API: `queue` is handed out by POST queue/next/ in order
 * (skipping excluded ids and decided ones); every request is recorded.
 */
export function fakeModerationServer({
  queue = [],
  policies = [policy()],
  onDecide,
  settings = {},
  graphicIds = [],
  similar = {},
}: {
  queue?: ContentDetail[];
  policies?: Policy[];
  onDecide?: (contentId: number, body: unknown) => Response | undefined;
  /** The reviewer's effective wellness settings. */
  settings?: Partial<WellnessValues>;
  /** Contents whose reveal counts towards today's exposure (once each). */
  graphicIds?: number[];
  /** Similar contents per content id (none unless given). */
  similar?: Record<number, SimilarContentRow[]>;
} = {}) {
  const calls: Call[] = [];
  const exposed = new Set<number>();
  const decided = new Set<number>();
  const held = new Set<number>();
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path, search: url.searchParams, body });
    if (path === "/auth/csrf/") return jsonResponse({ csrf_token: "token" });
    if (path === "/moderation/queue/next/") {
      const exclude = new Set(((body as { exclude?: number[] }).exclude ?? []) as number[]);
      const next = queue.find((content) => !decided.has(content.id) && !exclude.has(content.id)) ?? null;
      if (next) held.add(next.id);
      return jsonResponse({ content: next });
    }
    const decide = path.match(/^\/moderation\/contents\/(\d+)\/decide\/$/);
    if (decide) {
      const contentId = Number(decide[1]);
      const custom = onDecide?.(contentId, body);
      if (custom) return custom;
      decided.add(contentId);
      return jsonResponse({ id: 100 + contentId, action: (body as { action: string }).action }, { status: 201 });
    }
    if (/^\/moderation\/contents\/\d+\/(release|renew)\/$/.test(path)) return jsonResponse({});
    const similarMatch = path.match(/^\/moderation\/contents\/(\d+)\/similar\/$/);
    if (similarMatch) {
      const contents = similar[Number(similarMatch[1])] ?? [];
      return jsonResponse({ embedder: contents.length ? "minilm@1" : "", exact: true, contents });
    }
    if (path === "/moderation/wellness/me/") return jsonResponse(wellness(settings));
    if (path === "/moderation/wellness/exposure/") return jsonResponse(exposure(exposed.size));
    if (path === "/moderation/wellness/breaks/") return jsonResponse({ id: 1, ...(body as object) }, { status: 201 });
    const reveal = path.match(/^\/moderation\/contents\/(\d+)\/reveal\/$/);
    if (reveal) {
      const contentId = Number(reveal[1]);
      const graphic = graphicIds.includes(contentId);
      const counted = graphic && !exposed.has(contentId);
      if (graphic) exposed.add(contentId);
      return jsonResponse({ counted, graphic });
    }
    const policyMatch = path.match(/^\/moderation\/policies\/(\d+)\/$/);
    if (policyMatch) {
      const found = policies.find((candidate) => candidate.id === Number(policyMatch[1]));
      return found ? jsonResponse(found) : jsonResponse({ message: "Not found." }, { status: 404 });
    }
    if (path === "/moderation/policies/") return jsonResponse(page(policies));
    return jsonResponse({ message: `Unexpected ${method} ${path}` }, { status: 500 });
  });
  return {
    spy,
    calls: (method: string, pattern: RegExp) => calls.filter((call) => call.method === method && pattern.test(call.path)),
  };
}

export function similarRow(id: number, overrides: Partial<SimilarContentRow> = {}): SimilarContentRow {
  return {
    id,
    external_id: `post-${id}`,
    policy: 3,
    policy_name: "Community rules",
    category: "spam",
    state: "removed",
    created_at: "2026-01-01T09:00:00Z",
    decided_at: "2026-01-01T09:30:00Z",
    excerpt: `Message ${id}`,
    score: 0.91,
    ...overrides,
  };
}
