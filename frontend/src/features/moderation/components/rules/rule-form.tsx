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
  { value: "strike", label: "Add strike points to the author" },
  { value: "notify", label: "Notify the platform (webhook)" },
];

export const STRIKE_POINTS_MIN = 1;
export const STRIKE_POINTS_MAX = 100;

/** Why the strike points cannot be saved, or null: a whole number from 1 to 100. */
export function strikePointsProblem(text: string): string | null {
  const points = Number(text);
  if (text.trim() === "" || !Number.isInteger(points) || points < STRIKE_POINTS_MIN || points > STRIKE_POINTS_MAX) {
    return `Strike points are a whole number from ${STRIKE_POINTS_MIN} to ${STRIKE_POINTS_MAX}.`;
  }
  return null;
}

/**
 * A new rule: name, condition, action, category, and the status it starts in. "Add strike points"
 * asks for the points each hit gives the author (1 to 100); "notify" sends the platform a
 * rule.notify webhook. Both act beside the verdict, and only once the rule is live.
 */
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
  const [points, setPoints] = useState("1");
  const [pointsHint, setPointsHint] = useState<string | null>(null);
  const [status, setStatus] = useState<RuleStatus>("background");
  const [combine, setCombine] = useState<Combine>("all");
  const [rows, setRows] = useState<ConditionRow[]>([emptyRow(banks.length ? "bank" : "score")]);

  return (
    <form
      className="stack rule-form"
      data-testid="rule-form"
      onSubmit={(event) => {
        event.preventDefault();
        const problem = action === "strike" ? strikePointsProblem(points) : null;
        setPointsHint(problem);
        if (problem !== null) return;
        create.mutate(
          {
            name,
            action,
            status,
            category: category || null,
            condition: conditionOf(combine, rows),
            ...(action === "strike" ? { strike_points: Number(points) } : {}),
          },
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
        {action === "strike" ? (
          <Field label="Strike points" htmlFor="rule-strike-points" hint="Per hit, 1 to 100." hintId="rule-strike-points-hint">
            <input
              id="rule-strike-points"
              type="number"
              inputMode="numeric"
              // No min / max here: the form says what is wrong itself (the browser's bubble would
              // not name the range).
              value={points}
              aria-describedby="rule-strike-points-hint"
              aria-invalid={pointsHint !== null}
              onChange={(event) => {
                setPoints(event.target.value);
                setPointsHint(null);
              }}
            />
          </Field>
        ) : null}
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
      {pointsHint ? (
        <p role="alert" className="alert alert-error" data-testid="rule-points-problem">
          {pointsHint}
        </p>
      ) : null}
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
