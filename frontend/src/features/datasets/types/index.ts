import type { components } from "@/types/api";

type Schemas = components["schemas"];

/**
 * Dataset snapshots and their exports, as the API's schema describes them. `filters` and
 * `counts` are JSON objects in the schema; their shapes are spelled out here.
 */
export type Snapshot = Omit<Schemas["DatasetSnapshotOutput"], "filters" | "counts"> & {
  filters: SnapshotFilters;
  counts: SnapshotCounts;
};
export type SnapshotExport = Schemas["DatasetExportOutput"];
export type SnapshotModelVersion = Schemas["ModelVersionRef"];
export type SnapshotPreview = Schemas["SnapshotPreviewOutput"];
export type SnapshotDiff = Schemas["SnapshotDiffOutput"];
export type DiffKind = Schemas["DiffKind"];
export type DiffSample = Schemas["DiffSample"];
// Enum types are taken from the fields, not by name (drf-spectacular may rename an enum).
export type JobState = Snapshot["state"];
export type DatasetFormat = SnapshotExport["format"];
export type LabelSource = "human" | "import" | "moderation" | "appeal" | "auto" | "automatic_decision";
export type Split = "train" | "dev" | "test";

/**
 * What a snapshot is cut from (the body's `filters`); every key may be left out for the
 * server's default. A snapshot stores them canonical: every key, `[]` for "all", null dates.
 */
export type SnapshotFilters = {
  sources?: LabelSource[];
  splits?: Split[];
  classes?: string[];
  labeled_only?: boolean;
  labeled_after?: string | null;
  labeled_before?: string | null;
  metadata?: Record<string, (string | number | boolean | null)[]>;
};

/** Counts of a snapshot (its `counts`) or of a preview: items, labeled, per split / class / source. */
export type SnapshotCounts = Partial<SnapshotPreview>;

export const STATE_LABELS: Record<JobState, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Ready",
  failed: "Failed",
};

export const FORMAT_LABELS: Record<DatasetFormat, string> = {
  jsonl: "JSON Lines",
  csv: "CSV",
  parquet: "Parquet",
  hf: "Hugging Face",
  imagefolder: "ImageFolder",
};

export const SOURCE_LABELS: Record<LabelSource, string> = {
  human: "Annotators",
  import: "Imported",
  moderation: "Moderation decisions",
  appeal: "Appeal decisions",
  auto: "Auto-labels (the model's own)",
  automatic_decision: "Automatic moderation decisions",
};

/** People's labels, taken by default. */
export const DEFAULT_SOURCES: LabelSource[] = ["human", "import", "moderation", "appeal"];
/** The model's own labels: never taken unless asked, and then marked is_automatic. */
export const AUTOMATIC_SOURCES: LabelSource[] = ["auto", "automatic_decision"];
export const SPLITS: Split[] = ["train", "dev", "test"];

export function isStateActive(state: JobState | undefined): boolean {
  return state === "queued" || state === "running";
}

/** The formats offered for a project: ImageFolder only for image projects. */
export function formatsFor(dataType: string | null | undefined): DatasetFormat[] {
  const formats: DatasetFormat[] = ["jsonl", "csv", "parquet", "hf"];
  return dataType === "image" ? [...formats, "imagefolder"] : formats;
}
