import type { components } from "@/types/api";

type Schemas = components["schemas"];

/** The project as the dashboard needs it (label classes for resolving disagreements). */
export type DashboardProject = Pick<
  Schemas["ProjectOutput"],
  "id" | "task_type" | "label_classes" | "annotations_per_item"
>;

export type Dashboard = Schemas["DashboardOutput"];
export type AgreementSummary = Schemas["AgreementFigures"];
export type QueueDepth = Schemas["DashboardQueue"];
export type LabelCount = Schemas["DashboardLabelCount"];
export type AnnotatorStats = Schemas["DashboardAnnotator"];
export type AcceptanceDay = Schemas["DashboardAcceptanceDay"];
export type ThroughputDay = Schemas["DashboardThroughputDay"];
export type Flag = Schemas["Flag"];
export type Skip = Schemas["Skip"];

export type AdjudicationState = "open" | "resolved";

// The schema types these label lists as JSON of any shape (they are JSONFields on the models);
// the server always sends lists of label names.
type Labels = { labels: string[] };
export type AdjudicationItem = Omit<Schemas["AdjudicationOutput"], "annotations" | "gold"> & {
  annotations: (Omit<Schemas["AdjudicationAnswer"], "labels"> & Labels)[];
  gold: (Omit<Schemas["GoldLabel"], "labels"> & Labels) | null;
};
