import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";

import { useUpdatePolicy } from "../../api/update-policy";
import type { AutomationLevel, DecisionAction, Policy } from "../../types";
import { ACTION_LABELS, AUTOMATION_LABELS } from "../../types";
import {
  type CategoryDraft,
  newCategory,
  newReasonCode,
  type PolicyDraft,
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

/** Categories, thresholds, automation level and reason codes of a policy, saved in one PATCH. */
export function PolicySettings({ policy, labelClasses, canEdit }: PolicySettingsProps) {
  const [draft, setDraft] = useState<PolicyDraft>(() => policyDraft(policy));
  const update = useUpdatePolicy();
  const problem = policyDraftProblem(draft);
  const readOnly = !canEdit;

  const setCategory = (index: number, patch: Partial<CategoryDraft>) =>
    setDraft({
      ...draft,
      categories: draft.categories.map((category, i) => (i === index ? { ...category, ...patch } : category)),
    });
  const setReason = (index: number, patch: Partial<PolicyDraft["reason_codes"][number]>) =>
    setDraft({
      ...draft,
      reason_codes: draft.reason_codes.map((reason, i) => (i === index ? { ...reason, ...patch } : reason)),
    });

  return (
    <form
      className="stack"
      aria-label="Policy settings"
      data-testid="policy-settings"
      onSubmit={(event) => {
        event.preventDefault();
        if (problem === null) update.mutate({ policyId: policy.id, input: policyDraftToUpdate(draft) });
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
        <div className="field field-narrow">
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

        <h3>Categories</h3>
        <div className="table-scroll">
          <table className="table table-compact" data-testid="policy-categories">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Label class</th>
                <th scope="col">Severity</th>
                <th scope="col">Remove at ≥</th>
                <th scope="col">Allow at ≤</th>
                <th scope="col">SLA (hours)</th>
                <th scope="col">Rules (one regex per line)</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {draft.categories.map((category, index) => (
                <tr key={category.id ?? `new-${index}`} data-testid="policy-category-row">
                  <td>
                    <input
                      aria-label="Category name"
                      value={category.name}
                      onChange={(event) => setCategory(index, { name: event.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label="Label class"
                      value={category.label_class}
                      onChange={(event) => setCategory(index, { label_class: event.target.value })}
                    >
                      {[...new Set([category.label_class, ...labelClasses])].filter(Boolean).map((name) => (
                        <option key={name} value={name}>
                          {name}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label="Severity"
                      type="number"
                      min={1}
                      max={5}
                      value={Number.isNaN(category.severity) ? "" : category.severity}
                      onChange={(event) => setCategory(index, { severity: numberValue(event.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label="Remove threshold"
                      type="number"
                      step="0.01"
                      min={0}
                      max={1}
                      value={Number.isNaN(category.remove_threshold) ? "" : category.remove_threshold}
                      onChange={(event) => setCategory(index, { remove_threshold: numberValue(event.target.value) })}
                      data-testid="category-remove-threshold"
                    />
                  </td>
                  <td>
                    <input
                      aria-label="Allow threshold"
                      type="number"
                      step="0.01"
                      min={0}
                      max={1}
                      value={Number.isNaN(category.allow_threshold) ? "" : category.allow_threshold}
                      onChange={(event) => setCategory(index, { allow_threshold: numberValue(event.target.value) })}
                      data-testid="category-allow-threshold"
                    />
                  </td>
                  <td>
                    <input
                      aria-label="SLA hours"
                      type="number"
                      min={1}
                      value={Number.isNaN(category.sla_hours) ? "" : category.sla_hours}
                      onChange={(event) => setCategory(index, { sla_hours: numberValue(event.target.value) })}
                    />
                  </td>
                  <td>
                    <textarea
                      aria-label="Rules"
                      rows={2}
                      value={category.rulesText}
                      onChange={(event) => setCategory(index, { rulesText: event.target.value })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() =>
                        setDraft({ ...draft, categories: draft.categories.filter((_, i) => i !== index) })
                      }
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setDraft({ ...draft, categories: [...draft.categories, newCategory(labelClasses[0] ?? "")] })}
          >
            Add a category
          </button>
        </p>
        <p className="hint" data-testid="policy-rules-hint">
          Rules are regular expressions run with RE2: case-insensitive searches in time linear in the text, without
          backreferences or lookaround (a rule using them is refused when you save). They read the first 100,000
          characters of a text unless the operator set another limit.
        </p>

        <h3>Reason codes</h3>
        <div className="table-scroll">
          <table className="table table-compact" data-testid="policy-reasons">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Description</th>
                <th scope="col">Supports</th>
                <th scope="col">Category</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {draft.reason_codes.map((reason, index) => (
                <tr key={reason.id ?? `new-${index}`} data-testid="policy-reason-row">
                  <td>
                    <input
                      aria-label="Reason code"
                      value={reason.code}
                      onChange={(event) => setReason(index, { code: event.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label="Reason description"
                      value={reason.description}
                      onChange={(event) => setReason(index, { description: event.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label="Action the reason supports"
                      value={reason.action}
                      onChange={(event) => setReason(index, { action: event.target.value as DecisionAction })}
                    >
                      {(Object.keys(ACTION_LABELS) as DecisionAction[]).map((action) => (
                        <option key={action} value={action}>
                          {ACTION_LABELS[action]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label="Reason category"
                      value={reason.category ?? ""}
                      onChange={(event) => setReason(index, { category: event.target.value || null })}
                    >
                      <option value="">Any</option>
                      {draft.categories
                        .filter((category) => category.name.trim())
                        .map((category) => (
                          <option key={category.name} value={category.name.trim()}>
                            {category.name}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() =>
                        setDraft({ ...draft, reason_codes: draft.reason_codes.filter((_, i) => i !== index) })
                      }
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setDraft({ ...draft, reason_codes: [...draft.reason_codes, newReasonCode()] })}
          >
            Add a reason code
          </button>
        </p>
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
      {update.isSuccess ? (
        <p role="status" className="alert alert-success" data-testid="policy-saved">
          Saved. The change is recorded in the audit log.
        </p>
      ) : null}
    </form>
  );
}
