import { useState } from "react";

import { useRules } from "../../api/rules";
import type { ContentState, Policy, SearchFilters } from "../../types";
import { stateLabel } from "../../types";

const STATES: ContentState[] = ["pending", "escalated", "allowed", "removed"];
const DECISIONS = [
  ["remove", "Removed"],
  ["approve", "Approved"],
  ["escalate", "Escalated"],
  ["none", "No decision yet"],
] as const;

type SearchFormProps = {
  policies: Policy[];
  initial: SearchFilters;
  onSearch: (filters: SearchFilters) => void;
};

function numberOrUndefined(value: string): number | undefined {
  return value === "" ? undefined : Number(value);
}

/** "2026-03-09" (a date input) as the start of that day in the browser's time zone, ISO. */
function dayStart(value: string, addDays = 0): string | undefined {
  if (!value) return undefined;
  const date = new Date(`${value}T00:00:00`);
  date.setDate(date.getDate() + addDays);
  return date.toISOString();
}

type Draft = {
  q: string;
  policy: string;
  category: string;
  state: string;
  decision: string;
  rule: string;
  reporter: string;
  from: string;
  to: string;
  scoreMin: string;
  scoreMax: string;
};

const EMPTY: Draft = {
  q: "", policy: "", category: "", state: "", decision: "", rule: "", reporter: "", from: "", to: "",
  scoreMin: "", scoreMax: "",
};

function RuleSelect({ policyId, value, onChange }: { policyId: number; value: string; onChange: (value: string) => void }) {
  const rules = useRules(policyId);
  return (
    <select id="search-rule" value={value} onChange={(event) => onChange(event.target.value)} data-testid="search-filter-rule">
      <option value="">Any</option>
      {(rules.data?.results ?? []).map((rule) => (
        <option key={rule.id} value={rule.id}>
          {rule.name}
        </option>
      ))}
    </select>
  );
}

/** The query box and the filters; nothing is searched until the form is sent. */
export function SearchForm({ policies, initial, onSearch }: SearchFormProps) {
  const [draft, setDraft] = useState<Draft>({ ...EMPTY, q: initial.q ?? "" });
  const set = (field: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [field]: event.target.value }));
  const policy = policies.find((candidate) => String(candidate.id) === draft.policy);

  function submit(event: React.FormEvent) {
    event.preventDefault();
    onSearch({
      ...initial,
      q: draft.q,
      policy: numberOrUndefined(draft.policy),
      category: numberOrUndefined(draft.category),
      state: (draft.state || undefined) as SearchFilters["state"],
      decision: (draft.decision || undefined) as SearchFilters["decision"],
      rule: numberOrUndefined(draft.rule),
      reporter: draft.reporter || undefined,
      created_from: dayStart(draft.from),
      created_to: dayStart(draft.to, 1),
      score_min: numberOrUndefined(draft.scoreMin),
      score_max: numberOrUndefined(draft.scoreMax),
    });
  }

  return (
    <form className="stack" aria-label="Search content" onSubmit={submit} data-testid="search-form">
      <div className="search-box">
        <label htmlFor="search-q" className="visually-hidden">
          Words to find
        </label>
        <input
          id="search-q"
          type="search"
          value={draft.q}
          maxLength={500}
          placeholder='Words, "an exact phrase", or -without'
          onChange={set("q")}
          data-testid="search-q"
        />
        <button type="submit" className="btn btn-primary" data-testid="search-submit">
          Search
        </button>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="search-policy">Policy</label>
          <select
            id="search-policy"
            value={draft.policy}
            onChange={(event) => setDraft((current) => ({ ...current, policy: event.target.value, category: "", rule: "" }))}
            data-testid="search-filter-policy"
          >
            <option value="">All policies</option>
            {policies.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-category">Category</label>
          <select id="search-category" value={draft.category} disabled={!policy} onChange={set("category")}>
            <option value="">{policy ? "All categories" : "Pick a policy first"}</option>
            {(policy?.categories ?? []).map((category) => (
              <option key={category.id ?? category.name} value={category.id}>
                {category.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-state">State</label>
          <select id="search-state" value={draft.state} onChange={set("state")} data-testid="search-filter-state">
            <option value="">Any</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {stateLabel(state)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-decision">Decision</label>
          <select id="search-decision" value={draft.decision} onChange={set("decision")}>
            <option value="">Any</option>
            {DECISIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-rule">Rule hit</label>
          {policy ? (
            <RuleSelect policyId={policy.id} value={draft.rule} onChange={(rule) => setDraft((current) => ({ ...current, rule }))} />
          ) : (
            <select id="search-rule" disabled>
              <option>Pick a policy first</option>
            </select>
          )}
        </div>
        <div className="field">
          <label htmlFor="search-reporter">Reporter id</label>
          <input id="search-reporter" value={draft.reporter} maxLength={255} onChange={set("reporter")} />
        </div>
        <div className="field">
          <label htmlFor="search-from">From</label>
          <input id="search-from" type="date" value={draft.from} onChange={set("from")} />
        </div>
        <div className="field">
          <label htmlFor="search-to">To (inclusive)</label>
          <input id="search-to" type="date" value={draft.to} onChange={set("to")} />
        </div>
        <div className="field field-narrow">
          <label htmlFor="search-score-min">Score ≥</label>
          <input id="search-score-min" type="number" min={0} max={1} step={0.05} value={draft.scoreMin} onChange={set("scoreMin")} />
        </div>
        <div className="field field-narrow">
          <label htmlFor="search-score-max">Score ≤</label>
          <input id="search-score-max" type="number" min={0} max={1} step={0.05} value={draft.scoreMax} onChange={set("scoreMax")} />
        </div>
      </div>
    </form>
  );
}
