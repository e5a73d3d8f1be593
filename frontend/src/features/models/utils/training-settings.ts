import { EMBEDDER_LABELS, type Embedder, type SamplingStrategy, type TrainingSettings } from "../types";

/** The settings form's state: numbers are kept as typed, so a half-typed "0." is not lost. */
export type TrainingSettingsDraft = {
  sampling_strategy: SamplingStrategy;
  embedder: Embedder | "";
  retrain_every: string;
  min_labels_per_class: string;
  few_shot_enabled: boolean;
  few_shot_budget_seconds: string;
  auto_label_enabled: boolean;
  auto_label_target_precision: string;
  audit_rate: string;
  train_on_auto_labels: boolean;
};

export type TrainingSettingsErrors = Partial<Record<keyof TrainingSettings, string>>;

// The server's bounds (labeling/api/project_serializers.py LearningSettingsInputSerializer).
export const RETRAIN_EVERY_MAX = 1_000_000;
export const MIN_LABELS_PER_CLASS_MAX = 10_000;
export const FEW_SHOT_BUDGET_MIN = 30;
export const FEW_SHOT_BUDGET_MAX = 1200;
export const TARGET_PRECISION_MIN = 0.5;
// A precision of 1 can never be shown with finite audits, so the server stops at 0.999.
export const TARGET_PRECISION_MAX = 0.999;
export const AUDIT_RATE_MIN = 0;
export const AUDIT_RATE_MAX = 0.5;

export function isEmbedder(value: string): value is Embedder {
  return Object.hasOwn(EMBEDDER_LABELS, value);
}

/** The project's settings as the form edits them, with the server's defaults for any missing. */
export function trainingSettingsFrom(project: {
  sampling_strategy?: SamplingStrategy;
  embedder?: string;
  retrain_every?: number;
  min_labels_per_class?: number;
  few_shot_enabled?: boolean;
  few_shot_budget_seconds?: number;
  auto_label_enabled?: boolean;
  auto_label_target_precision?: number;
  audit_rate?: number;
  train_on_auto_labels?: boolean;
}): TrainingSettings {
  return {
    sampling_strategy: project.sampling_strategy ?? "adaptive",
    embedder: project.embedder && isEmbedder(project.embedder) ? project.embedder : "",
    retrain_every: project.retrain_every ?? 50,
    min_labels_per_class: project.min_labels_per_class ?? 5,
    few_shot_enabled: project.few_shot_enabled ?? false,
    few_shot_budget_seconds: project.few_shot_budget_seconds ?? 180,
    auto_label_enabled: project.auto_label_enabled ?? false,
    auto_label_target_precision: project.auto_label_target_precision ?? 0.95,
    audit_rate: project.audit_rate ?? 0.05,
    train_on_auto_labels: project.train_on_auto_labels ?? false,
  };
}

export function draftFromSettings(settings: TrainingSettings): TrainingSettingsDraft {
  return {
    ...settings,
    retrain_every: String(settings.retrain_every),
    min_labels_per_class: String(settings.min_labels_per_class),
    few_shot_budget_seconds: String(settings.few_shot_budget_seconds),
    auto_label_target_precision: String(settings.auto_label_target_precision),
    audit_rate: String(settings.audit_rate),
  };
}

function parseNumber(text: string): number | null {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The number in `text` if it lies in [min, max] (and is whole when asked), else null. */
function inRange(text: string, min: number, max: number, { whole = false } = {}): number | null {
  const value = parseNumber(text);
  if (value === null || value < min || value > max || (whole && !Number.isInteger(value))) return null;
  return value;
}

/**
 * Check a draft the way the server will, so a person learns what is wrong before sending it.
 * Returns the settings to send, or the message for each field that is wrong.
 */
export function validateTrainingSettings(
  draft: TrainingSettingsDraft,
): { settings: TrainingSettings; errors: null } | { settings: null; errors: TrainingSettingsErrors } {
  const errors: TrainingSettingsErrors = {};

  const retrainEvery = inRange(draft.retrain_every, 0, RETRAIN_EVERY_MAX, { whole: true });
  if (retrainEvery === null) errors.retrain_every = "Enter a whole number of labels, 0 or more.";

  const minLabels = inRange(draft.min_labels_per_class, 1, MIN_LABELS_PER_CLASS_MAX, { whole: true });
  if (minLabels === null) errors.min_labels_per_class = "Enter a whole number of labels, 1 or more.";

  const budget = inRange(draft.few_shot_budget_seconds, FEW_SHOT_BUDGET_MIN, FEW_SHOT_BUDGET_MAX, { whole: true });
  if (budget === null) {
    errors.few_shot_budget_seconds = `Enter whole seconds from ${FEW_SHOT_BUDGET_MIN} to ${FEW_SHOT_BUDGET_MAX}.`;
  }

  const precision = inRange(draft.auto_label_target_precision, TARGET_PRECISION_MIN, TARGET_PRECISION_MAX);
  if (precision === null) {
    errors.auto_label_target_precision = `Enter a precision from ${TARGET_PRECISION_MIN} to ${TARGET_PRECISION_MAX}.`;
  }

  const auditRate = inRange(draft.audit_rate, AUDIT_RATE_MIN, AUDIT_RATE_MAX);
  if (auditRate === null) errors.audit_rate = `Enter a share from ${AUDIT_RATE_MIN} to ${AUDIT_RATE_MAX}.`;

  if (retrainEvery === null || minLabels === null || budget === null || precision === null || auditRate === null) {
    return { settings: null, errors };
  }
  return {
    settings: {
      sampling_strategy: draft.sampling_strategy,
      embedder: draft.embedder,
      retrain_every: retrainEvery,
      min_labels_per_class: minLabels,
      few_shot_enabled: draft.few_shot_enabled,
      few_shot_budget_seconds: budget,
      auto_label_enabled: draft.auto_label_enabled,
      auto_label_target_precision: precision,
      audit_rate: auditRate,
      train_on_auto_labels: draft.train_on_auto_labels,
    },
    errors: null,
  };
}
