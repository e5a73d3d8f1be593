import type { Paginated } from "@/types/pagination";

import type { Snapshot, SnapshotDiff, SnapshotExport } from "../types";

export function snapshotExport(overrides: Partial<SnapshotExport> = {}): SnapshotExport {
  return {
    format: "parquet",
    state: "queued",
    progress: 0,
    size_bytes: 0,
    sha256: "",
    file_name: "",
    download_url: null,
    error_message: "",
    ...overrides,
  };
}

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    id: 3,
    number: 1,
    name: "",
    state: "succeeded",
    progress: 1,
    rows_total: 100,
    rows_done: 100,
    error_message: "",
    filters: { sources: ["human", "import", "moderation", "appeal"], labeled_only: true },
    label_rule: "gold > majority > latest",
    counts: { items: 100, labeled: 100, splits: { train: 80, dev: 10, test: 10 }, classes: { ham: 60, spam: 40 } },
    content_hash: "c".repeat(64),
    file_sha256: "f".repeat(64),
    manifest_sha256: "m".repeat(64),
    created_by: "ada",
    created_at: "2026-05-01T10:00:00Z",
    finished_at: "2026-05-01T10:00:05Z",
    training_job_id: null,
    model_versions: [],
    exports: [],
    ...overrides,
  };
}

export function snapshotDiff(overrides: Partial<SnapshotDiff> = {}): SnapshotDiff {
  return {
    a: { number: 1, items: 100 },
    b: { number: 2, items: 110 },
    added: {
      count: 12,
      classes: { spam: 12 },
      sample: [{ id: 201, external_id: "sms-201", before: null, after: ["spam"] }],
    },
    removed: {
      count: 2,
      classes: { ham: 2 },
      sample: [{ id: 7, external_id: "sms-7", before: ["ham"], after: null }],
    },
    relabeled: {
      count: 3,
      classes: { spam: 3 },
      sample: [{ id: 9, external_id: "sms-9", before: ["ham"], after: ["spam"] }],
    },
    unchanged: { count: 95, classes: { ham: 58, spam: 37 } },
    distribution: { a: { ham: 60, spam: 40 }, b: { ham: 58, spam: 52 } },
    ...overrides,
  };
}

export function page<T>(results: T[]): Paginated<T> {
  return { count: results.length, next: null, previous: null, results };
}
