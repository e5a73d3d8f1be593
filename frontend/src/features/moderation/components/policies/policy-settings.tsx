import { useState } from "react";

import { type EditableColumn, EditableRows } from "@/components/ui/editable-rows";
import { ErrorMessage } from "@/components/ui/error-message";

import { useUpdatePolicy } from "../../api/update-policy";
import type { AutomationLevel, DecisionAction, Policy, SanctionKind } from "../../types";
import { ACTION_LABELS, AUTOMATION_LABELS, SANCTION_LABELS } from "../../types";
import {
  type CategoryDraft,
  newCategory,
  newReasonCode,
  newThreshold,
  SLA_WARNING_MAX_MINUTES,
  STRIKE_LIMITS,
  type ThresholdDraft,
  type PolicyDraft,
  type ReasonDraft,
  policyDraft,
  policyDraftProblem,
  policyDraftToUpdate,
} from "../../utils/policy-form";
import "../moderation.css";

type PolicySettingsProps = {
  policy: Policy;
  /** The label classes of the policy's project; a category means one of them. */
  labelClasses: string[];
  /** Admins and senior moderators edit; others read. */
  canEdit: boolean;
};

function numberValue(value: string): number {
  return value === "" ? Number.NaN : Number(value);
}

/** Blank means "the default" (null); anything else is a number, NaN when not one. */
function optionalNumber(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}

function optionalText(value: number | null): string | number {
  return value === null || Number.isNaN(value) ? "" : value;
}

/** Strike points of a category or reason: blank keeps the default named in the placeholder. */
function strikePointsInput<T extends { strike_points: number | null }>(
  label: string,
  placeholder: string,
  row: T,
  change: (patch: Partial<T>) => void,
) {
  return (
    <input
      aria-label={label}
      className="policy-number"
      type="number"
      min={0}
      max={STRIKE_LIMITS.points}
      placeholder={placeholder}
      value={optionalText(row.strike_points)}
      onChange={(event) => change({ strike_points: optionalNumber(event.target.value) } as Partial<T>)}
    />
  );
}

const THRESHOLD_COLUMNS: EditableColumn<ThresholdDraft>[] = [
  {
    header: "At live points ≥",
    cell: (threshold, change) => (
      <input
        aria-label="Threshold points"
        className="policy-number"
        type="number"
        min={1}
        max={STRIKE_LIMITS.thresholdPoints}
        value={Number.isNaN(threshold.points) ? "" : threshold.points}
        onChange={(event) => change({ points: numberValue(event.target.value) })}
      />
    ),
  },
  {
    header: "Action",
    cell: (threshold, change) => (
      <select
        aria-label="Threshold action"
        value={threshold.action}
        onChange={(event) => {
          const action = event.target.value as SanctionKind;
          change({ action, suspend_days: action === "suspend" ? (threshold.suspend_days ?? 7) : null });
        }}
      >
        {(Object.keys(SANCTION_LABELS) as SanctionKind[]).map((kind) => (
          <option key={kind} value={kind}>
            {SANCTION_LABELS[kind]}
          </option>
        ))}
      </select>
    ),
  },
  {
    header: "Days (suspend)",
    cell: (threshold, change) =>
      threshold.action === "suspend" ? (
        <input
          aria-label="Suspension days"
          className="policy-number"
          type="number"
          min={1}
          max={STRIKE_LIMITS.suspendDays}
          value={optionalText(threshold.suspend_days)}
          onChange={(event) => change({ suspend_days: optionalNumber(event.target.value) })}
        />
      ) : (
        <span className="hint">—</span>
      ),
  },
];

/** The category table's columns; a category's label class is one of the project's. */
function categoryColumnsFor(labelClasses: string[]): EditableColumn<CategoryDraft>[] {
  return [
    {
      header: "Name",
      cell: (category, change) => (
        <input
          aria-label="Category name"
          className="policy-name"
          value={category.name}
          onChange={(event) => change({ name: event.target.value })}
        />
      ),
    },
    {
      header: "Label class",
      cell: (category, change) => (
        <select
          aria-label="Label class"
          value={category.label_class}
          onChange={(event) => change({ label_class: event.target.value })}
        >
          {[...new Set([category.label_class, ...labelClasses])].filter(Boolean).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      ),
    },
    {
      header: "Severity",
      cell: (category, change) => (
        <input
          aria-label="Severity"
          className="policy-number"
          type="number"
          min={1}
          max={5}
          value={Number.isNaN(category.severity) ? "" : category.severity}
          onChange={(event) => change({ severity: numberValue(event.target.value) })}
        />
      ),
    },
    {
      header: "Remove at ≥",
      cell: (category, change) => (
        <input
          aria-label="Remove threshold"
          className="policy-number"
          type="number"
          step="0.01"
          min={0}
          max={1}
          value={Number.isNaN(category.remove_threshold) ? "" : category.remove_threshold}
          onChange={(event) => change({ remove_threshold: numberValue(event.target.value) })}
          data-testid="category-remove-threshold"
        />
      ),
    },
    {
      header: "Allow at ≤",
      cell: (category, change) => (
        <input
          aria-label="Allow threshold"
          className="policy-number"
          type="number"
          step="0.01"
          min={0}
          max={1}
          value={Number.isNaN(category.allow_threshold) ? "" : category.allow_threshold}
          onChange={(event) => change({ allow_threshold: numberValue(event.target.value) })}
          data-testid="category-allow-threshold"
        />
      ),
    },
    {
      header: "SLA (hours)",
      cell: (category, change) => (
        <input
          aria-label="SLA hours"
          className="policy-number"
          type="number"
          min={1}
          value={Number.isNaN(category.sla_hours) ? "" : category.sla_hours}
          onChange={(event) => change({ sla_hours: numberValue(event.target.value) })}
        />
      ),
    },
    {
      header: "Strike points",
      cell: (category, change) =>
        strikePointsInput("Category strike points", String(category.severity || ""), category, change),
    },
    {
      header: "Graphic",
      cell: (category, change) => (
        <input
          aria-label="Graphic content (counts towards exposure)"
          title="Graphic content: reveals count towards moderators' daily exposure"
          type="checkbox"
          checked={category.graphic}
          onChange={(event) => change({ graphic: event.target.checked })}
          data-testid="category-graphic"
        />
      ),
    },
    {
      header: "Rules (one regex per line)",
      cell: (category, change) => (
        <textarea
          aria-label="Rules"
          className="policy-rules"
          rows={2}
          value={category.rulesText}
          onChange={(event) => change({ rulesText: event.target.value })}
        />
      ),
    },
  ];
}

/** The reason-code table's columns; a reason may be tied to one of the (named) categories. */
function reasonColumnsFor(categories: CategoryDraft[]): EditableColumn<ReasonDraft>[] {
  return [
    {
      header: "Code",
      cell: (reason, change) => (
        <input
          aria-label="Reason code"
          value={reason.code}
          onChange={(event) => change({ code: event.target.value })}
        />
      ),
    },
    {
      header: "Description",
      cell: (reason, change) => (
        <input
          aria-label="Reason description"
          value={reason.description}
          onChange={(event) => change({ description: event.target.value })}
        />
      ),
    },
    {
      header: "Supports",
      cell: (reason, change) => (
        <select
          aria-label="Action the reason supports"
          value={reason.action}
          onChange={(event) => change({ action: event.target.value as DecisionAction })}
        >
          {(Object.keys(ACTION_LABELS) as DecisionAction[]).map((action) => (
            <option key={action} value={action}>
              {ACTION_LABELS[action]}
            </option>
          ))}
        </select>
      ),
    },
    {
      header: "Category",
      cell: (reason, change) => (
        <select
          aria-label="Reason category"
          value={reason.category ?? ""}
          onChange={(event) => change({ category: event.target.value || null })}
        >
          <option value="">Any</option>
          {categories
            .filter((category) => category.name.trim())
            .map((category) => (
              <option key={category.name} value={category.name.trim()}>
                {category.name}
              </option>
            ))}
        </select>
      ),
    },
    {
      header: "Strike points",
      cell: (reason, change) => {
        const category = categories.find((c) => c.name.trim() === reason.category);
        const fallback = category ? String(category.strike_points ?? category.severity) : "category's";
        return reason.action === "remove" ? (
          strikePointsInput("Reason strike points", fallback, reason, change)
        ) : (
          <span className="hint">—</span>
        );
      },
    },
  ];
}

/** Categories, thresholds, automation level and reason codes of a policy, saved in one PATCH. */
export function PolicySettings({ policy, labelClasses, canEdit }: PolicySettingsProps) {
  const [draft, setDraft] = useState<PolicyDraft>(() => policyDraft(policy));
  const update = useUpdatePolicy();
  const problem = policyDraftProblem(draft);
  const readOnly = !canEdit;

  const categoryColumns = categoryColumnsFor(labelClasses);
  const reasonColumns = reasonColumnsFor(draft.categories);

  return (
    <form
      className="stack"
      aria-label="Policy settings"
      data-testid="policy-settings"
      onSubmit={(event) => {
        event.preventDefault();
        if (problem !== null) return;
        // The form shows what the server kept (names trimmed, lists in the order given).
        update.mutate(
          { policyId: policy.id, input: policyDraftToUpdate(draft) },
          { onSuccess: (saved) => setDraft(policyDraft(saved)) },
        );
      }}
    >
      <fieldset disabled={readOnly} className="stack">
        <div className="field">
          <label htmlFor="policy-automation">Automation level</label>
          <select
            id="policy-automation"
            value={draft.automation_level}
            onChange={(event) => setDraft({ ...draft, automation_level: event.target.value as AutomationLevel })}
            data-testid="policy-automation"
          >
            {(Object.keys(AUTOMATION_LABELS) as AutomationLevel[]).map((level) => (
              <option key={level} value={level}>
                {AUTOMATION_LABELS[level]}
              </option>
            ))}
          </select>
        </div>
        <div className="field policy-canary">
          <label htmlFor="policy-canary">Canary share (0–1)</label>
          <input
            id="policy-canary"
            type="number"
            step="0.01"
            min={0}
            max={1}
            value={Number.isNaN(draft.canary_share) ? "" : draft.canary_share}
            onChange={(event) => setDraft({ ...draft, canary_share: numberValue(event.target.value) })}
          />
          <p className="hint">The share of intake a canary model version scores.</p>
        </div>
        <div className="field policy-canary">
          <label htmlFor="policy-sla-warning">SLA at risk within (minutes)</label>
          <input
            id="policy-sla-warning"
            type="number"
            min={0}
            max={SLA_WARNING_MAX_MINUTES}
            value={Number.isNaN(draft.sla_warning_minutes) ? "" : draft.sla_warning_minutes}
            onChange={(event) => setDraft({ ...draft, sla_warning_minutes: numberValue(event.target.value) })}
            data-testid="policy-sla-warning"
          />
          <p className="hint">Open content due within this many minutes, or overdue, counts as SLA at risk in its queue.</p>
        </div>

        <h3>Categories</h3>
        <EditableRows
          rows={draft.categories}
          onChange={(categories) => setDraft({ ...draft, categories })}
          columns={categoryColumns}
          rowKey={(category, index) => category.id ?? `new-${index}`}
          newRow={() => newCategory(labelClasses[0] ?? "")}
          addLabel="Add a category"
          testId="policy-categories"
          rowTestId="policy-category-row"
        />
        <p className="hint" data-testid="policy-rules-hint">
          Rules are regular expressions run with RE2: case-insensitive searches in time linear in the text, without
          backreferences or lookaround (a rule using them is refused when you save). They read the first 100,000
          characters of a text unless the operator set another limit.
        </p>

        <h3>Reason codes</h3>
        <EditableRows
          rows={draft.reason_codes}
          onChange={(reason_codes) => setDraft({ ...draft, reason_codes })}
          columns={reasonColumns}
          rowKey={(reason, index) => reason.id ?? `new-${index}`}
          newRow={newReasonCode}
          addLabel="Add a reason code"
          testId="policy-reasons"
          rowTestId="policy-reason-row"
        />

        <h3>Strikes</h3>
        <p className="hint">
          Each removal gives its author the strike points of its reason code (blank: its category&apos;s; a
          category&apos;s blank: its severity). Points count for the days below, then expire; an overturned appeal
          takes them back. When an author&apos;s live points under this policy reach a threshold, its action is taken
          once and sent to the platform by webhook.
        </p>
        <div className="field policy-canary">
          <label htmlFor="policy-strike-ttl">Strikes count for (days; 0: forever)</label>
          <input
            id="policy-strike-ttl"
            type="number"
            min={0}
            max={STRIKE_LIMITS.ttlDays}
            value={Number.isNaN(draft.strike_ttl_days) ? "" : draft.strike_ttl_days}
            onChange={(event) => setDraft({ ...draft, strike_ttl_days: numberValue(event.target.value) })}
            data-testid="policy-strike-ttl"
          />
        </div>
        {draft.strike_thresholds.length === 0 ? (
          <p className="hint" data-testid="policy-thresholds-empty">
            No thresholds: strikes are counted, and no action is taken on authors until you add one.
          </p>
        ) : null}
        <EditableRows
          rows={draft.strike_thresholds}
          onChange={(strike_thresholds) => setDraft({ ...draft, strike_thresholds })}
          columns={THRESHOLD_COLUMNS}
          rowKey={(_threshold, index) => `threshold-${index}`}
          newRow={newThreshold}
          addLabel="Add a threshold"
          testId="policy-thresholds"
          rowTestId="policy-threshold-row"
        />
      </fieldset>
      {canEdit ? (
        <div className="button-group">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={problem !== null || update.isPending}
            data-testid="policy-save"
          >
            Save the policy
          </button>
          {problem ? (
            <span className="hint" data-testid="policy-problem">
              {problem}
            </span>
          ) : null}
        </div>
      ) : (
        <p className="hint">Only the project's admins and senior moderators change a policy.</p>
      )}
      <ErrorMessage error={update.error} title="The policy was not saved" />
      {update.isSuccess && !update.isPending ? (
        <p role="status" className="alert alert-success" data-testid="policy-saved">
          Saved. The change is recorded in the audit log.
        </p>
      ) : null}
    </form>
  );
}
