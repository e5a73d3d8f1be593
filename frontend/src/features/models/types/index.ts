import type { components } from "@/types/api";

type Schemas = components["schemas"];

export type TrainingJob = Schemas["TrainingJobOutput"];
// Enum types are taken from the fields, not by name: drf-spectacular renames an enum as soon as
// another schema has a field of the same name with other choices.
export type TrainingJobStatus = TrainingJob["status"];
export type TrainingJobKind = TrainingJob["kind"];
export type TrainingJobTrigger = TrainingJob["trigger"];
/** `dataset_snapshot`: the snapshot it was trained on, by number; null for versions from before snapshots. */
export type ModelVersion = Schemas["ModelVersionOutput"];
export type ModelMetrics = Schemas["ModelMetrics"];
export type ModelStage = ModelVersion["stage"];
export type LearningCurve = Schemas["LearningCurveOutput"];
export type LearningCurvePoint = Schemas["LearningCurvePoint"];
export type AutoLabelEstimate = Schemas["AutoLabelOutput"];

type SettingsInput = Schemas["PatchedProjectUpdateInputRequest"];
export type SamplingStrategy = NonNullable<SettingsInput["sampling_strategy"]>;
export type Embedder = Exclude<NonNullable<SettingsInput["embedder"]>, "">;

/** The project fields that steer active learning and auto-labeling (sent with PATCH). */
export type TrainingSettings = Required<
  Pick<
    SettingsInput,
    | "sampling_strategy"
    | "embedder"
    | "retrain_every"
    | "min_labels_per_class"
    | "few_shot_enabled"
    | "few_shot_budget_seconds"
    | "auto_label_enabled"
    | "auto_label_target_precision"
    | "audit_rate"
    | "train_on_auto_labels"
  >
>;

export const JOB_STATUS_LABELS: Record<TrainingJobStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting for labels",
  succeeded: "Succeeded",
  failed: "Failed",
};

export const JOB_KIND_LABELS: Record<TrainingJobKind, string> = {
  train: "Training",
  embed: "Embedding",
};

export const JOB_TRIGGER_LABELS: Record<TrainingJobTrigger, string> = {
  labels: "New labels",
  manual: "By hand",
  schedule: "Schedule",
  moderation: "Moderation decisions",
  import: "Import",
  settings: "Settings changed",
  rerun: "Requested while running",
  embeddings: "Exact embeddings ready",
  drift: "Drift alarm",
};

export const STAGE_LABELS: Record<ModelStage, string> = {
  candidate: "Candidate",
  shadow: "Shadow",
  canary: "Canary",
  production: "Production",
  archived: "Archived",
};

export const SAMPLING_STRATEGY_LABELS: Record<SamplingStrategy, string> = {
  random: "Random",
  uncertainty: "Least confident",
  margin: "Smallest margin",
  entropy: "Highest entropy",
  hybrid: "Hybrid (uncertain and diverse)",
  adaptive: "Adaptive (chosen on the dev split)",
};

/** Queued and running jobs move on their own and are polled every second. */
export function isJobActive(status: TrainingJobStatus | undefined): boolean {
  return status === "queued" || status === "running";
}

/** Finished, with a model or without: a waiting job stopped because there were too few labels. */
export function isJobFinished(status: TrainingJobStatus | undefined): boolean {
  return status === "succeeded" || status === "failed" || status === "waiting";
}

/** Embedders that suit each data type (models_app/ml/embedders/registry.py). */
export const EMBEDDERS_BY_DATA_TYPE: Record<"text" | "image", Embedder[]> = {
  text: ["minilm-int8", "minilm", "hashing"],
  image: ["pixels"],
};

export const EMBEDDER_LABELS: Record<Embedder, string> = {
  "minilm-int8": "MiniLM, int8 ONNX (fast)",
  minilm: "MiniLM sentence embeddings (PyTorch)",
  hashing: "Hashed words (fast, no model download)",
  pixels: "Image pixels",
};

export type ModelComparison = Schemas["CompareOutput"];
export type ComparisonSide = Schemas["CompareSide"];
export type SameItemsMetrics = Schemas["SameItemsMetrics"];
export type MetricIntervals = Schemas["MetricIntervals"];
export type Promotion = Schemas["Promotion"];
