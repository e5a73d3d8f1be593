import type { components } from "@/types/api";

type Schemas = components["schemas"];

export type DriftWindow = Schemas["DriftWindowOutput"];
export type DriftState = Schemas["DriftStateOutput"];
export type DriftSettings = Schemas["DriftSettings"];
export type DriftSettingsInput = Omit<DriftSettings, "updated_at">;

export type DriftMeasure = "score_psi" | "label_mix_psi" | "domain_auc" | "overturn_share";

/** The four measures in the order the page charts them, with words for each. */
export const DRIFT_MEASURES: {
  key: DriftMeasure;
  title: string;
  threshold: keyof DriftSettingsInput;
  help: string;
}[] = [
  {
    key: "score_psi",
    title: "Score PSI",
    threshold: "score_psi_threshold",
    help: "How far the model's scores moved from those on its training snapshot (population stability index; 0 = unchanged).",
  },
  {
    key: "label_mix_psi",
    title: "Predicted-label mix PSI",
    threshold: "label_mix_psi_threshold",
    help: "How far the share of each predicted class moved from the training snapshot's.",
  },
  {
    key: "domain_auc",
    title: "Domain classifier AUC",
    threshold: "domain_auc_threshold",
    help: "How well a classifier tells new items from training items by their embeddings (0.5 = it cannot: no drift).",
  },
  {
    key: "overturn_share",
    title: "Moderator overturn share",
    threshold: "overturn_share_threshold",
    help: "Share of moderators' decisions that went against the model's proposal.",
  },
];

export const MEASURE_TITLES: Record<string, string> = Object.fromEntries(
  DRIFT_MEASURES.map((measure) => [measure.key, measure.title]),
);
