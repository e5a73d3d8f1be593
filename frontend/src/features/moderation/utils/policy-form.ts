import type { AutomationLevel, DecisionAction, Policy, PolicyUpdate } from "../types";

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
};

export type ReasonDraft = {
  id: number | null;
  code: string;
  description: string;
  action: DecisionAction;
  category: string | null;
};

export type PolicyDraft = {
  automation_level: AutomationLevel;
  canary_share: number;
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
  };
}

export function newReasonCode(): ReasonDraft {
  return { id: null, code: "", description: "", action: "remove", category: null };
}

export function policyDraft(policy: Policy): PolicyDraft {
  const defaults = newCategory("");
  return {
    automation_level: policy.automation_level,
    canary_share: policy.canary_share,
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
    })),
    reason_codes: policy.reason_codes.map((reason) => ({
      id: reason.id,
      code: reason.code,
      description: reason.description,
      action: reason.action ?? "remove",
      category: reason.category ?? null,
    })),
  };
}

function rulesOf(category: CategoryDraft): string[] {
  return category.rulesText
    .split("\n")
    .map((rule) => rule.trim())
    .filter(Boolean);
}

/** The first thing wrong with the draft, in words, or null; the server checks again. */
export function policyDraftProblem(draft: PolicyDraft): string | null {
  if (!(draft.canary_share >= 0 && draft.canary_share <= 1)) return "The canary share must be between 0 and 1.";
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
  }
  return null;
}

/** The PATCH body: the policy fields and both lists in full (the server replaces them, by name / code). */
export function policyDraftToUpdate(draft: PolicyDraft): PolicyUpdate {
  return {
    automation_level: draft.automation_level,
    canary_share: draft.canary_share,
    categories: draft.categories.map((category) => ({
      name: category.name.trim(),
      label_class: category.label_class,
      severity: category.severity,
      remove_threshold: category.remove_threshold,
      allow_threshold: category.allow_threshold,
      sla_hours: category.sla_hours,
      graphic: category.graphic,
      rules: rulesOf(category),
    })),
    reason_codes: draft.reason_codes.map((reason) => ({
      code: reason.code.trim(),
      description: reason.description.trim(),
      action: reason.action,
      category: reason.category || null,
    })),
  };
}
