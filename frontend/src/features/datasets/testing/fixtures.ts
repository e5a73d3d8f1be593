import type { Snapshot, SnapshotDiff, SnapshotExport } from "../types";

export function snapshotExport(overrides: Partial<SnapshotExport> = {}): SnapshotExport {
  return {
    format: "parquet",
    state: "queued",
    progress: 0,
    size_bytes: null,
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
    a: 1,
    b: 2,
    added: 12,
    removed: 2,
    relabeled: 3,
    unchanged: 95,
    distribution: { a: { ham: 60, spam: 40 }, b: { ham: 58, spam: 52 } },
    samples: {
      added: [{ id: 201, external_id: "sms-201", text: "WIN a prize now", labels: ["spam"] }],
      removed: [{ id: 7, external_id: "sms-7", text: "see you at 6", labels: ["ham"] }],
      relabeled: [{ id: 9, external_id: "sms-9", text: "free entry", labels_a: ["ham"], labels_b: ["spam"] }],
    },
    ...overrides,
  };
}
