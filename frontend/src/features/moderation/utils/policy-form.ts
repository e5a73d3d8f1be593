import type { AutomationLevel, DecisionAction, Policy, PolicyUpdate, SanctionKind } from "../types";

/** Limits the server holds strike settings to (it refuses anything outside them). */
export const STRIKE_LIMITS = { points: 100, thresholdPoints: 10000, thresholds: 10, ttlDays: 3650, suspendDays: 3650 };
/** The longest SLA warning window the server takes: a week, in minutes. */
export const SLA_WARNING_MAX_MINUTES = 7 * 24 * 60;

/** A category as edited in the form: every field set, rules as one expression per line. */
export type CategoryDraft = {
  id: number | null;
  name: string;
  label_class: string;
  severity: number;
  remove_threshold: number;
  allow_threshold: number;
  sla_hours: number;
  /** Reveals count towards moderators' daily exposure; time on it towards break reminders. */
  graphic: boolean;
  rulesText: string;
  /** Strike points of a removal in the category; null: its severity. */
  strike_points: number | null;
};

export type ReasonDraft = {
  id: number | null;
  code: string;
  description: string;
  action: DecisionAction;
  category: string | null;
  /** Strike points of a removal for this reason; null: its category's. */
  strike_points: number | null;
};

/** An action on authors whose live strike points reach ``points``. */
export type ThresholdDraft = {
  points: number;
  action: SanctionKind;
  suspend_days: number | null;
};

export type PolicyDraft = {
  automation_level: AutomationLevel;
  canary_share: number;
  strike_ttl_days: number;
  strike_thresholds: ThresholdDraft[];
  sla_warning_minutes: number;
  categories: CategoryDraft[];
  reason_codes: ReasonDraft[];
};

export function newCategory(labelClass: string): CategoryDraft {
  return {
    id: null,
    name: "",
    label_class: labelClass,
    severity: 2,
    remove_threshold: 0.97,
    allow_threshold: 0.05,
    sla_hours: 24,
    graphic: false,
    rulesText: "",
    strike_points: null,
  };
}

export function newThreshold(): ThresholdDraft {
  return { points: 3, action: "warn", suspend_days: null };
}

export function newReasonCode(): ReasonDraft {
  return { id: null, code: "", description: "", action: "remove", category: null, strike_points: null };
}

export function policyDraft(policy: Policy): PolicyDraft {
  const defaults = newCategory("");
  return {
    automation_level: policy.automation_level,
    canary_share: policy.canary_share,
    strike_ttl_days: policy.strike_ttl_days,
    sla_warning_minutes: policy.sla_warning_minutes,
    strike_thresholds: policy.strike_thresholds.map((threshold) => ({
      points: threshold.points,
      action: threshold.action,
      suspend_days: threshold.suspend_days ?? null,
    })),
    categories: policy.categories.map((category) => ({
      id: category.id,
      name: category.name,
      label_class: category.label_class,
      severity: category.severity ?? defaults.severity,
      remove_threshold: category.remove_threshold ?? defaults.remove_threshold,
      allow_threshold: category.allow_threshold ?? defaults.allow_threshold,
      sla_hours: category.sla_hours ?? defaults.sla_hours,
      graphic: category.graphic ?? false,
      rulesText: (category.rules ?? []).join("\n"),
      strike_points: category.strike_points ?? null,
    })),
    reason_codes: policy.reason_codes.map((reason) => ({
      id: reason.id,
      code: reason.code,
      description: reason.description,
      action: reason.action ?? "remove",
      category: reason.category ?? null,
      strike_points: reason.strike_points ?? null,
    })),
  };
}

function rulesOf(category: CategoryDraft): string[] {
  return category.rulesText
    .split("\n")
    .map((rule) => rule.trim())
    .filter(Boolean);
}

function wholeIn(value: number, low: number, high: number): boolean {
  return Number.isInteger(value) && value >= low && value <= high;
}

function pointsProblem(points: number | null, what: string): string | null {
  if (points === null || wholeIn(points, 0, STRIKE_LIMITS.points)) return null;
  return `${what}: strike points are a whole number from 0 to ${STRIKE_LIMITS.points} (blank: the default).`;
}

/** The first thing wrong with the strike settings, in words, or null. */
export function strikeSettingsProblem(draft: PolicyDraft): string | null {
  if (!wholeIn(draft.strike_ttl_days, 0, STRIKE_LIMITS.ttlDays)) {
    return `Strikes count for a whole number of days from 0 (forever) to ${STRIKE_LIMITS.ttlDays}.`;
  }
  if (draft.strike_thresholds.length > STRIKE_LIMITS.thresholds) {
    return `At most ${STRIKE_LIMITS.thresholds} strike thresholds.`;
  }
  const seen = new Set<number>();
  for (const threshold of draft.strike_thresholds) {
    if (!wholeIn(threshold.points, 1, STRIKE_LIMITS.thresholdPoints)) {
      return `A threshold is a whole number of points from 1 to ${STRIKE_LIMITS.thresholdPoints}.`;
    }
    if (seen.has(threshold.points)) return `Two thresholds at ${threshold.points} points.`;
    seen.add(threshold.points);
    if (
      threshold.action === "suspend" &&
      !(threshold.suspend_days !== null && wholeIn(threshold.suspend_days, 1, STRIKE_LIMITS.suspendDays))
    ) {
      return `The suspension at ${threshold.points} points needs 1 to ${STRIKE_LIMITS.suspendDays} days.`;
    }
  }
  return null;
}

/** The first thing wrong with the draft, in words, or null; the server checks again. */
export function policyDraftProblem(draft: PolicyDraft): string | null {
  if (!wholeIn(draft.sla_warning_minutes, 0, SLA_WARNING_MAX_MINUTES)) {
    return `The SLA warning is a whole number of minutes from 0 to ${SLA_WARNING_MAX_MINUTES.toLocaleString("en")}.`;
  }
  if (!(draft.canary_share >= 0 && draft.canary_share <= 1)) return "The canary share must be between 0 and 1.";
  const strikes = strikeSettingsProblem(draft);
  if (strikes) return strikes;
  const names = new Set<string>();
  for (const category of draft.categories) {
    const name = category.name.trim();
    if (!name) return "Every category needs a name.";
    if (names.has(name)) return `Category “${name}” is listed twice.`;
    names.add(name);
    if (!category.label_class) return `Category “${name}” needs a label class.`;
    if (!(Number.isInteger(category.severity) && category.severity >= 1 && category.severity <= 5)) {
      return `Category “${name}”: severity is a whole number from 1 to 5.`;
    }
    for (const [label, value] of [
      ["remove", category.remove_threshold],
      ["allow", category.allow_threshold],
    ] as const) {
      if (!(value >= 0 && value <= 1)) return `Category “${name}”: the ${label} threshold must be between 0 and 1.`;
    }
    if (category.allow_threshold >= category.remove_threshold) {
      return `Category “${name}”: the allow threshold must be below the remove threshold.`;
    }
    if (!(Number.isInteger(category.sla_hours) && category.sla_hours >= 1)) {
      return `Category “${name}”: the SLA is a whole number of hours, at least 1.`;
    }
    const points = pointsProblem(category.strike_points, `Category “${name}”`);
    if (points) return points;
    for (const rule of rulesOf(category)) {
      try {
        new RegExp(rule, "i");
      } catch {
        return `Category “${name}”: the rule “${rule}” is not a valid regular expression.`;
      }
    }
  }
  const codes = new Set<string>();
  for (const reason of draft.reason_codes) {
    const code = reason.code.trim();
    if (!code) return "Every reason needs a code.";
    if (codes.has(code)) return `Reason code “${code}” is listed twice.`;
    codes.add(code);
    if (!reason.description.trim()) return `Reason code “${code}” needs a description.`;
    if (reason.category && !names.has(reason.category)) {
      return `Reason code “${code}” names a category the policy does not have.`;
    }
    const points = pointsProblem(reason.strike_points, `Reason code “${code}”`);
    if (points) return points;
  }
  return null;
}

/** The PATCH body: the policy fields and both lists in full (the server replaces them, by name / code). */
export function policyDraftToUpdate(draft: PolicyDraft): PolicyUpdate {
  return {
    automation_level: draft.automation_level,
    canary_share: draft.canary_share,
    strike_ttl_days: draft.strike_ttl_days,
    sla_warning_minutes: draft.sla_warning_minutes,
    strike_thresholds: [...draft.strike_thresholds]
      .sort((a, b) => a.points - b.points)
      .map((threshold) => ({
        points: threshold.points,
        action: threshold.action,
        suspend_days: threshold.action === "suspend" ? threshold.suspend_days : null,
      })),
    categories: draft.categories.map((category) => ({
      name: category.name.trim(),
      label_class: category.label_class,
      severity: category.severity,
      remove_threshold: category.remove_threshold,
      allow_threshold: category.allow_threshold,
      sla_hours: category.sla_hours,
      graphic: category.graphic,
      rules: rulesOf(category),
      strike_points: category.strike_points,
    })),
    reason_codes: draft.reason_codes.map((reason) => ({
      code: reason.code.trim(),
      description: reason.description.trim(),
      action: reason.action,
      category: reason.category || null,
      strike_points: reason.strike_points,
    })),
  };
}
