import type { components, operations } from "@/types/api";

/** An item with the serving model's proposal (`predicted_label` is "" before any model scored it). */
export type Item = components["schemas"]["ItemOutput"];
export type Annotation = components["schemas"]["AnnotationOutput"];
export type Split = components["schemas"]["SplitEnum"];
export type AnnotationSource = components["schemas"]["SourceEnum"];

/** "-priority": what the labeling queue asks next; "confidence": the model's least sure first. */
export type ItemOrdering = NonNullable<NonNullable<operations["projects_items_list"]["parameters"]["query"]>["ordering"]>;

export type ItemFilters = {
  ordering?: ItemOrdering;
  split?: Split;
  labeled?: boolean;
  source?: AnnotationSource;
  label?: string;
  search?: string;
};

export const SPLIT_LABELS: Record<Split, string> = { train: "Train", dev: "Dev", test: "Test" };

export const ORDERING_LABELS: Record<ItemOrdering, string> = {
  id: "Oldest first",
  "-priority": "Most informative first",
  confidence: "Least confident proposal first",
};

export const SOURCE_LABELS: Record<AnnotationSource, string> = {
  human: "Human",
  import: "Import",
  moderation: "Moderation",
  appeal: "Appeal",
  auto: "Automatic",
};
