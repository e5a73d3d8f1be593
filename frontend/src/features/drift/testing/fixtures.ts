import type { DriftSettings, DriftState, DriftWindow } from "../types";

export const SETTINGS: DriftSettings = {
  score_psi_threshold: 0.25,
  label_mix_psi_threshold: 0.25,
  domain_auc_threshold: 0.65,
  overturn_share_threshold: 0.3,
  min_window_items: 100,
  min_decisions: 20,
  window_max_items: 500,
  window_hours: 24,
  retrain_on_alarm: false,
  webhook_on_alarm: false,
  updated_at: "2026-12-01T10:00:00Z",
};

export function driftWindow(overrides: Partial<DriftWindow> = {}): DriftWindow {
  return {
    id: 1,
    number: 1,
    started_at: "2026-12-01T10:00:00Z",
    ended_at: "2026-12-01T12:00:00Z",
    items: 500,
    closed_by: "size",
    model_version: 3,
    score_psi: 0.02,
    label_mix_psi: 0.01,
    label_mix_tv: 0.02,
    domain_auc: 0.52,
    overturn_share: null,
    decisions: 0,
    label_mix: { ham: 0.87, spam: 0.13 },
    reference_label_mix: { ham: 0.86, spam: 0.14 },
    reference_items: 400,
    thresholds: {},
    alarms: [],
    note: "",
    ...overrides,
  };
}

export function driftState(overrides: Partial<DriftState> = {}): DriftState {
  return { alarm: false, alarms: [], window: null, alarm_since: null, windows: 0, settings: SETTINGS, ...overrides };
}
