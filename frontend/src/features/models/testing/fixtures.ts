import type { ModelVersion, TrainingJob } from "../types";

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
