import { vi } from "vitest";

import type { Assignment, QueueAnnotation, QueueStats, SimilarItems } from "../types";

export function assignment(id: number, overrides: Partial<Assignment> = {}): Assignment {
  return {
    item: {
      id,
      external_id: `item-${id}`,
      text: `Text of item ${id}`,
      image_url: null,
      thumbnail_url: null,
      media_restricted: false,
      metadata: {},
    },
    suggestion: { labels: ["spam"], confidence: 0.91, model_version: 3, source: "model" },
    leased_at: "2024-05-01T10:00:00Z",
    expires_at: "2024-05-01T10:05:00Z",
    ...overrides,
  };
}

export function queueStats(overrides: Partial<QueueStats> = {}): QueueStats {
  return {
    done_today: 12,
    done_total: 40,
    rate_per_hour: 95.5,
    acceptance_rate: 0.75,
    queue_size: 300,
    open_leases: 2,
    model: { version: 3, roc_auc: 0.92, previous_roc_auc: 0.9, created_at: "2024-05-01T09:00:00Z" },
    ...overrides,
  };
}

export type RecordedRequest = { method: string; path: string; body: unknown };

type FakeServerOptions = {
  /** Items handed out by queue/next, in order. */
  items: Assignment[];
  /** Open leases returned by queue/assignments (resume). */
  open?: Assignment[];
  history?: QueueAnnotation[];
  stats?: () => QueueStats;
  /** Fail this many submit requests with a network error before accepting them. */
  failSubmits?: number;
  /** Answer submits with this status and message instead (e.g. 409 for an expired lease). */
  refuseSubmits?: { status: number; message: string };
  /**
   * Hand out the next item in submit and skip answers that ask for it (`next`), as the server
   * does; without it the fake answers as a server from before that field did.
   */
  roundTrip?: boolean;
  /** The answer of items/{id}/similar/ for an item, or a refusal (status and message). */
  similar?: (itemId: number) => SimilarItems | { status: number; message: string };
};

export function similarItems(overrides: Partial<SimilarItems> = {}): SimilarItems {
  return {
    embedder: "minilm-int8@all-MiniLM-L6-v2+onnx-int8-pc",
    exact: true,
    labels_hidden: false,
    items: [
      {
        id: 41,
        external_id: "item-41",
        excerpt: "WIN a free prize now, text CLAIM",
        thumbnail: null,
        media_restricted: false,
        labels: ["spam"],
        predicted_label: "spam",
        confidence: 0.97,
        similarity: 0.912,
      },
      {
        id: 42,
        external_id: "item-42",
        excerpt: "Free entry to a weekly prize draw",
        thumbnail: null,
        media_restricted: false,
        labels: [],
        predicted_label: "",
        confidence: null,
        similarity: 0.8,
      },
    ],
    ...overrides,
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/**
 * A stand-in for the queue API behind `fetch`, recording every request the workspace makes.
 * It follows the contract's shapes (201 for a new answer, 200 for a repeated client key).
 */
export function fakeQueueServer(options: FakeServerOptions) {
  const queue = [...options.items];
  const requests: RecordedRequest[] = [];
  /** Stored annotations by client key. */
  const annotations = new Map<string, QueueAnnotation>();
  let failSubmits = options.failSubmits ?? 0;
  let nextAnnotationId = 100;
  // Django's page would have set it; unsafe requests carry it back in a header.
  document.cookie = "csrftoken=test-csrf-token; path=/";

  const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" && init.body ? (JSON.parse(init.body) as unknown) : undefined;
    const path = url.pathname.replace(/^\/api\/v1\/projects\/\d+\//, "");
    requests.push({ method, path: `${path}${url.search}`, body });

    const take = () => {
      const next = queue.shift() ?? null;
      return { assignment: next, message: next ? "" : "Every item has the labels it needs." };
    };
    const asksNext = options.roundTrip === true && (body as { next?: boolean } | undefined)?.next === true;
    if (path === "queue/next/") return json(take());
    if (path === "queue/assignments/") return json(page(options.open ?? []));
    if (path === "queue/history/") return json(page(options.history ?? []));
    if (path === "queue/stats/") return json(options.stats?.() ?? queueStats());
    let match = /^queue\/items\/(\d+)\/(renew|release|skip|submit)\/$/.exec(path);
    if (match) {
      const itemId = Number(match[1]);
      const action = match[2];
      if (action === "renew") return json(assignment(itemId));
      if (action === "skip" && asksNext) return json(take());
      if (action === "release" || action === "skip") return new Response(null, { status: 204 });
      if (failSubmits > 0) {
        failSubmits -= 1;
        throw new TypeError("Failed to fetch");
      }
      if (options.refuseSubmits) return json({ message: options.refuseSubmits.message, extra: {} }, options.refuseSubmits.status);
      const input = body as { labels: string[]; client_key: string; time_on_item_ms?: number; client: "web" | "api" };
      const existing = annotations.get(input.client_key);
      if (existing) return json({ ...existing, next: asksNext ? take() : null }, 200);
      const annotation: QueueAnnotation = {
        id: nextAnnotationId++,
        item: itemId,
        labels: input.labels,
        outcome: "accepted",
        suggested_labels: ["spam"],
        suggested_by_version: 3,
        time_on_item_ms: input.time_on_item_ms ?? null,
        client: input.client,
        client_key: input.client_key,
        created_at: "2024-05-01T10:00:00Z",
        updated_at: "2024-05-01T10:00:00Z",
      };
      annotations.set(input.client_key, annotation);
      return json({ ...annotation, next: asksNext ? take() : null }, 201);
    }
    match = /^annotations\/(\d+)\/$/.exec(path);
    if (match && method === "PATCH") {
      const annotation = [...annotations.values()].find((candidate) => candidate.id === Number(match?.[1]));
      if (!annotation) return json({ message: "Annotation not found.", extra: {} }, 404);
      const changed = { ...annotation, labels: (body as { labels: string[] }).labels };
      annotations.set(changed.client_key, changed);
      return json(changed);
    }
    match = /^items\/(\d+)\/flags\/$/.exec(path);
    if (match) {
      return json(
        {
          id: 1,
          item: Number(match[1]),
          item_external_id: `item-${match[1]}`,
          user: "ann",
          reason: (body as { reason?: string } | undefined)?.reason ?? "",
          created_at: "2024-05-01T10:00:00Z",
          resolved_at: null,
          resolved_by: null,
        },
        201,
      );
    }
    match = /^items\/(\d+)\/similar\/$/.exec(path);
    if (match) {
      const answer = options.similar?.(Number(match[1])) ?? similarItems();
      if ("status" in answer) return json({ message: answer.message, extra: {} }, answer.status);
      return json(answer);
    }
    match = /^items\/(\d+)\/$/.exec(path);
    if (match) {
      const id = Number(match[1]);
      return json({ id, external_id: `item-${id}`, text: `Text of item ${id}`, image: null, thumbnail: null, media_restricted: false, metadata: {} });
    }
    return json({ message: `Unexpected request ${method} ${path}`, extra: {} }, 500);
  });

  return {
    fetchMock,
    requests,
    annotations,
    /** Requests to one action, e.g. "submit" or "skip". */
    calls: (action: string) => requests.filter((request) => request.path.includes(`/${action}/`) || request.path.startsWith(`${action}/`)),
  };
}

export function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}
