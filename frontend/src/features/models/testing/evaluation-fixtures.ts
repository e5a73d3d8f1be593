import type { EvaluationReport, Metric, SliceValue, VersionEvaluation } from "../types";

export const m = (value: number | null, low: number | null = null, high: number | null = null): Metric => ({
  value,
  low,
  high,
});

export function sliceValue(overrides: Partial<SliceValue> = {}): SliceValue {
  return {
    value: "en",
    support: 40,
    enough_support: true,
    accuracy: m(0.9, 0.77, 0.96),
    f1_macro: m(0.85, 0.7, 0.95),
    fpr: m(0.05, 0.01, 0.2),
    fnr: m(0.2, 0.1, 0.35),
    rest_fpr: m(0.1, 0.05, 0.2),
    rest_fnr: m(0.1, 0.05, 0.2),
    fpr_gap: -0.05,
    fnr_gap: 0.1,
    fpr_gap_clear: false,
    fnr_gap_clear: false,
    worst: false,
    ...overrides,
  };
}

export function evaluationReport(overrides: Partial<EvaluationReport> = {}): EvaluationReport {
  return {
    schema: 1,
    task_type: "binary",
    classes: ["ham", "spam"],
    n: 80,
    accuracy: m(0.9, 0.81, 0.95),
    f1_macro: m(0.84, 0.74, 0.91),
    per_class: [
      { name: "ham", support: 60, predicted: 62, true_positives: 58, precision: m(0.935, 0.85, 0.97), recall: m(0.967, 0.89, 0.99), f1: m(0.951, 0.91, 0.98) },
      { name: "spam", support: 20, predicted: 18, true_positives: 16, precision: m(0.889, 0.67, 0.97), recall: m(0.8, 0.58, 0.92), f1: m(0.842, 0.7, 0.94) },
    ],
    confusion_matrix: [
      [58, 2],
      [4, 16],
    ],
    calibration: {
      bins: [
        { lower: 0.5, upper: 0.6, count: 5, confidence: 0.55, accuracy: m(0.6, 0.23, 0.88) },
        { lower: 0.9, upper: 1, count: 75, confidence: 0.97, accuracy: m(0.95, 0.87, 0.98) },
      ],
      ece: m(0.045, 0.02, 0.08),
      brier: m(0.081, 0.05, 0.12),
    },
    pr_curves: [
      { name: "ham", average_precision: 0.98, points: [[0.5, 1, 0.9], [1, 0.75, 0.1]] },
      { name: "spam", average_precision: 0.91, points: [[0.25, 1, 0.95], [1, 0.25, 0.01]] },
    ],
    operating_points: [],
    slices: {
      min_support: 20,
      positive_classes: ["spam"],
      fields: [
        {
          field: "language",
          worst: "fr",
          values: [
            sliceValue(),
            sliceValue({ value: "fr", support: 30, f1_macro: m(0.61, 0.45, 0.75), fnr: m(0.5, 0.3, 0.7), fnr_gap: 0.35, fnr_gap_clear: true, worst: true }),
            sliceValue({ value: "(missing)", support: 10, enough_support: false, f1_macro: m(0.4, 0.1, 0.8) }),
          ],
        },
      ],
      worst: [{ field: "language", value: "fr", f1_macro: m(0.61, 0.45, 0.75) }],
    },
    slice_fields: ["language"],
    evaluated_at: "2026-12-06T10:00:00Z",
    ...overrides,
  };
}

export function versionEvaluation(overrides: Partial<VersionEvaluation> = {}): VersionEvaluation {
  return { version_id: 11, version: 1, evaluation: evaluationReport(), error: null, job: null, ...overrides };
}
