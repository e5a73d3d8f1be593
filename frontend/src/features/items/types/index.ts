import type { components } from "@/types/api";

export type Item = components["schemas"]["ItemOutput"];
export type Annotation = components["schemas"]["AnnotationOutput"];
export type Split = components["schemas"]["SplitEnum"];
export type AnnotationSource = components["schemas"]["SourceEnum"];

export type ItemFilters = {
  split?: Split;
  labeled?: boolean;
  source?: AnnotationSource;
  label?: string;
  search?: string;
};

export const SPLIT_LABELS: Record<Split, string> = { train: "Train", dev: "Dev", test: "Test" };

export const SOURCE_LABELS: Record<AnnotationSource, string> = {
  human: "Human",
  import: "Import",
  moderation: "Moderation",
  appeal: "Appeal",
  auto: "Automatic",
};
