/**
 * Dataset snapshots and their exports, as the API describes them (/work/coord contract; the
 * backend's OpenAPI schema is the source once it is generated into "@/types/api").
 */

export type JobState = "queued" | "running" | "succeeded" | "failed";
export type DatasetFormat = "jsonl" | "csv" | "parquet" | "hf" | "imagefolder";
export type LabelSource = "human" | "import" | "moderation" | "appeal" | "auto" | "automatic_decision";
export type Split = "train" | "dev" | "test";

/** What a snapshot is cut from; every key may be left out for the server's default. */
export type SnapshotFilters = {
  sources?: LabelSource[];
  splits?: Split[];
  classes?: string[];
  labeled_only?: boolean;
  labeled_after?: string | null;
  labeled_before?: string | null;
  metadata?: Record<string, string[]>;
};

/** Counts of a snapshot or of a preview: items, labeled ones, and per split / class / source. */
export type SnapshotCounts = {
  items?: number;
  labeled?: number;
  automatic?: number;
  splits?: Record<string, number>;
  classes?: Record<string, number>;
  sources?: Record<string, number>;
  [key: string]: unknown;
};

export type SnapshotExport = {
  format: DatasetFormat;
  state: JobState;
  progress: number;
  size_bytes: number | null;
  sha256: string;
  file_name: string;
  download_url: string | null;
  error_message: string;
};

export type SnapshotModelVersion = { id: number; version: number; stage: string };

export type Snapshot = {
  id: number;
  number: number;
  name: string;
  state: JobState;
  progress: number;
  rows_total: number;
  rows_done: number;
  error_message: string;
  filters: SnapshotFilters;
  label_rule: string;
  counts: SnapshotCounts;
  content_hash: string;
  manifest_sha256: string;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  training_job_id: number | null;
  model_versions: SnapshotModelVersion[];
  exports: SnapshotExport[];
};

export type DiffSample = {
  id?: number;
  external_id?: string;
  text?: string;
  image_name?: string;
  labels?: string[];
  labels_a?: string[];
  labels_b?: string[];
  [key: string]: unknown;
};

export type SnapshotDiff = {
  a: number;
  b: number;
  added: number;
  removed: number;
  relabeled: number;
  unchanged: number;
  distribution: { a: Record<string, number>; b: Record<string, number> };
  samples: { added: DiffSample[]; removed: DiffSample[]; relabeled: DiffSample[] };
};

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
