import { useState } from "react";

import { Field } from "@/components/ui/field";
import { errorMessage } from "@/lib/api-client";

import { useCreateRule } from "../../api/rules";
import type { RuleAction, RuleStatus } from "../../types";
import type { Combine, ConditionRow } from "./condition";
import { conditionOf, emptyRow } from "./condition";
import { ConditionBuilder } from "./condition-builder";

const ACTIONS: { value: RuleAction; label: string }[] = [
  { value: "review", label: "Send to people" },
  { value: "escalate", label: "Escalate to senior review" },
  { value: "remove", label: "Remove" },
  { value: "allow", label: "Allow" },
];

/** A new rule: name, condition, action, category, and the status it starts in. */
export function RuleForm({
  policyId,
  categories,
  banks,
  onDone,
}: {
  policyId: number;
  categories: string[];
  banks: string[];
  onDone: () => void;
}) {
  const create = useCreateRule(policyId);
  const [name, setName] = useState("");
  const [action, setAction] = useState<RuleAction>("review");
  const [category, setCategory] = useState("");
  const [status, setStatus] = useState<RuleStatus>("background");
  const [combine, setCombine] = useState<Combine>("all");
  const [rows, setRows] = useState<ConditionRow[]>([emptyRow(banks.length ? "bank" : "score")]);

  return (
    <form
      className="stack rule-form"
      data-testid="rule-form"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(
          { name, action, status, category: category || null, condition: conditionOf(combine, rows) },
          { onSuccess: onDone },
        );
      }}
    >
      <Field label="Name" htmlFor="rule-name">
        <input id="rule-name" value={name} maxLength={200} required onChange={(event) => setName(event.target.value)} />
      </Field>
      <ConditionBuilder
        combine={combine}
        rows={rows}
        categories={categories}
        banks={banks}
        onChange={(nextCombine, nextRows) => {
          setCombine(nextCombine);
          setRows(nextRows);
        }}
      />
      <div className="row">
        <Field label="Action" htmlFor="rule-action">
          <select id="rule-action" value={action} onChange={(event) => setAction(event.target.value as RuleAction)}>
            {ACTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Category" htmlFor="rule-category">
          <select id="rule-category" value={category} onChange={(event) => setCategory(event.target.value)}>
            <option value="">The content&apos;s own</option>
            {categories.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Starts as" htmlFor="rule-status">
          <select id="rule-status" value={status} onChange={(event) => setStatus(event.target.value as RuleStatus)}>
            <option value="draft">Draft (not evaluated)</option>
            <option value="background">Background (logged, never acts)</option>
            <option value="live">Live (acts)</option>
          </select>
        </Field>
      </div>
      {create.isError ? (
        <p role="alert" className="alert alert-error">
          The rule was not saved: {errorMessage(create.error)}
        </p>
      ) : null}
      <div className="button-group">
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="rule-submit">
          Save rule
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
