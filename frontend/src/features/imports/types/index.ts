import type { components } from "@/types/api";

export type ImportJob = components["schemas"]["ImportJobOutput"];
// Taken from the job, not by enum name: drf-spectacular renames an enum ("StatusEnum") as soon as
// another schema has a field of the same name with other choices.
export type ImportStatus = ImportJob["status"];
export type ImportFormat = components["schemas"]["FormatEnum"];
export type Delimiter = components["schemas"]["DelimiterEnum"];
export type DataType = components["schemas"]["DataTypeEnum"];

export type ImportOptions = {
  format?: ImportFormat;
  textColumn?: string;
  labelColumn?: string;
  idColumn?: string;
  delimiter?: Delimiter;
};

export const STATUS_LABELS: Record<ImportStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
};

export function isFinished(status: ImportStatus | undefined): boolean {
  return status === "succeeded" || status === "failed";
}
