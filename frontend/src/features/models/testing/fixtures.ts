import type { LabelQuality, ModelVersion, SuspectLabel, TrainingJob } from "../types";

export function trainingJob(overrides: Partial<TrainingJob> = {}): TrainingJob {
  return {
    id: 7,
    kind: "train",
    status: "queued",
    step: "",
    progress: 0,
    message: "",
    error: "",
    trigger: "manual",
    model_version: null,
    result: {},
    rerun_requested: false,
    attempts: 1,
    requested_by: "alice",
    created_at: "2024-05-01T10:00:00Z",
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

export function modelVersion(overrides: Partial<ModelVersion> = {}): ModelVersion {
  return {
    id: 11,
    version: 1,
    artifact_url: null,
    algorithm: "logistic_regression",
    embedder: "minilm@1",
    snapshot_id: "training-job-7",
    snapshot_hash: "abc",
    dataset_snapshot: null,
    hyperparameters: {},
    label_count: 100,
    metrics: {
      n: 40,
      roc_auc: 0.91,
      f1_macro: 0.82,
      accuracy: 0.85,
      ece: 0.04,
      f1_per_class: { ham: 0.9, spam: 0.74 },
    },
    status: "ready",
    stage: "candidate",
    promoted_at: null,
    promotion: {},
    stage_history: [],
    created_by: "alice",
    created_at: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

export function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

export function suspectLabel(overrides: Partial<SuspectLabel> = {}): SuspectLabel {
  return {
    id: 1,
    item: 101,
    external_id: "sms-101",
    text: "WINNER!! Claim your prize now",
    given_label: "ham",
    suggested_label: "spam",
    score: 0.04,
    suggested_probability: 0.93,
    rank: 1,
    status: "open",
    annotator: "alice",
    sent_at: null,
    reviewer: null,
    review_labels: [],
    reviewed_at: null,
    created_at: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

export function labelQuality(overrides: Partial<LabelQuality> = {}): LabelQuality {
  return {
    job: trainingJob({ id: 9, kind: "suspects", status: "succeeded", progress: 1 }),
    finished_at: "2024-05-01T10:05:00Z",
    judged: 400,
    suspects: 30,
    estimated_error_rate: 0.0625,
    per_class: [
      { label: "ham", labels: 300, suspects: 12, estimated_error_rate: 0.04, threshold: 0.9 },
      { label: "spam", labels: 100, suspects: 18, estimated_error_rate: 0.13, threshold: 0.7 },
    ],
    per_annotator: [
      { annotator_id: 2, annotator: "bob", labels: 200, flagged: 24, flagged_share: 0.12 },
      { annotator_id: 1, annotator: "alice", labels: 200, flagged: 6, flagged_share: 0.03 },
    ],
    status_counts: { open: 30, sent: 0, confirmed: 0, corrected: 0 },
    ...overrides,
  };
}
