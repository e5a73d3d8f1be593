import type { components } from "@/types/api";

export type ExportFormat = "jsonl" | "csv";
export type AnnotationSource = components["schemas"]["SourceEnum"];

export type ExportOptions = {
  format: ExportFormat;
  source?: AnnotationSource;
  labeledOnly?: boolean;
};

export const SOURCE_OPTIONS: { value: AnnotationSource | ""; label: string }[] = [
  { value: "", label: "All sources" },
  { value: "human", label: "Human annotators" },
  { value: "import", label: "Imported labels" },
  { value: "moderation", label: "Moderation decisions" },
  { value: "appeal", label: "Appeal decisions" },
  { value: "auto", label: "Automatic (model)" },
];
